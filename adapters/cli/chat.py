"""`caremark-bot ask | verify | console`: questions answered in a terminal."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from adapters.cli import options
from adapters.formats import FORMATS, renderer
from adapters.settings import language
from adapters.store.snapshot import plans_folder, stored_plan
from bot.core import Engine
from bot.kb.knowledge import default_plan
from bot.reply import Platform, Query, View

QUIT_WORDS = frozenset({"quit", "exit", "q", ":q"})
MORE_WORDS = frozenset({"more", "more details", "m", "más", "mas", "más detalles", "mas detalles"})
FORMAT_HELP = (
    "how to print the answer: text (default), json (the platform-neutral reply), slack (the "
    "Block Kit message Slack would get) or discord (the interaction response)"
)


def register(commands: Any) -> None:
    ask = commands.add_parser("ask", help="answer one question and exit")
    options.add(ask, "ask", options.ANSWERING)
    ask.add_argument("question", nargs="*", help='e.g. "specialty" or "my package never arrived"')
    ask.add_argument("--format", choices=sorted(FORMATS), default="text", help=FORMAT_HELP)
    ask.add_argument(
        "--full", action="store_true", help="the whole answer, as 'More details' shows it"
    )
    ask.set_defaults(run=_ask)

    verify = commands.add_parser("verify", help="is a number, domain, e-mail or URL legit?")
    options.add(verify, "verify", options.KNOWLEDGE)
    verify.add_argument("subject", nargs="+", help='e.g. "1-800-237-2765", carernark.com or 711')
    verify.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    verify.set_defaults(run=_verify)

    console = commands.add_parser("console", help="type questions in a terminal")
    options.add(console, "console", options.ANSWERING)
    console.set_defaults(run=console_or_serve)


def engine(args: argparse.Namespace, stored: Path | None = None) -> Engine:
    """The engine for a command: `--plan`, else the store's plan (`stored`, or looked up
    now), else `CAREMARK_PLAN`."""
    hide = os.environ.get("CAREMARK_HIDE_UNVERIFIED", "").strip().lower() in ("1", "true", "yes")
    stored = None if args.plan else stored or stored_plan()
    plan = args.plan or stored or default_plan()
    more = plans_folder(stored) if stored else None  # the store's other plans
    return Engine.from_files(
        args.kb, plan, hide_unverified=hide, default_language=language(), more_plans=more
    )


def query(args: argparse.Namespace, text: str, *, full: bool = False) -> Query:
    return Query(
        text,
        Platform.CONSOLE,
        locale=getattr(args, "locale", None) or local_locale(),
        timezone=getattr(args, "tz", None) or local_zone(),
        view=View.FULL if full or getattr(args, "full", False) else View.BRIEF,
    )


def _ask(args: argparse.Namespace) -> int:
    reply = asyncio.run(engine(args).handle(query(args, " ".join(args.question))))
    sys.stdout.write(renderer(args.format)(reply).rstrip("\n") + "\n")
    return 0


def _verify(args: argparse.Namespace) -> int:
    """Verdicts on what was given; exit 1 when nothing in it could be checked."""
    from adapters.console import render_text

    loaded = engine(args)
    text = " ".join(args.subject)
    checks = loaded.verdicts(text)
    if not checks:
        print(
            "caremark-bot: give a phone number, domain, e-mail address or URL to check",
            file=sys.stderr,
        )
        return 1
    if args.json:
        rows = [
            {
                "what": loaded.say(c.what),
                "verdict": c.verdict.value,
                "reason": loaded.say(c.reason),
                "resembles": {
                    "label": c.resembles.slot.label,
                    "value": getattr(c.resembles.fact, "value", ""),
                }
                if c.resembles
                else None,
            }
            for c in checks
        ]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    sys.stdout.write(render_text(loaded.verdict_reply(query(args, text), checks)))
    return 0


def console_or_serve(args: argparse.Namespace) -> int:
    """No command: serve chat platforms when they are configured, else a local console."""
    from adapters.cli import platforms
    from adapters.settings import discord_settings, slack_settings

    discord = discord_settings()
    if slack_settings() is not None or (discord and discord.public_key):
        args.host, args.port = "0.0.0.0", None  # noqa: S104
        return platforms.serve(args)
    if discord and discord.token:
        return platforms.discord_gateway(args)
    run_console(engine(args), args, sys.stdin, sys.stdout)
    return 0


def run_console(engine: Engine, args: argparse.Namespace, stdin: TextIO, out: TextIO) -> None:
    """Read questions line by line until EOF, Ctrl-C or `quit`; answer each in the terminal.

    Lines are read on the main thread, so Ctrl-C at the prompt ends the console at once."""
    from adapters.console import render_text

    interactive = stdin.isatty() and out.isatty()
    color = interactive and "NO_COLOR" not in os.environ
    if interactive:
        import readline  # noqa: F401  (line editing and history for input())
    kb = engine.knowledge
    plan = f" Plan: {kb.plan.name}." if kb.plan else ""
    out.write(
        f"caremark-bot: {len(kb.topics)} topics loaded.{plan} No Slack or Discord tokens "
        "are needed here.\nType a question, 'help' for the topics, or 'quit' to leave.\n\n"
    )
    last: str | None = None
    language: str | None = None
    with asyncio.Runner() as runner:
        while True:
            try:
                line = _read_line(stdin, interactive)
            except KeyboardInterrupt:
                line = None
            if line is None:
                if interactive:
                    out.write("\n")  # the prompt's line ends before the shell's comes back
                break
            if line.strip().casefold() in QUIT_WORDS:
                break
            if not line.strip():
                continue
            more = line.strip().casefold() in MORE_WORDS and last is not None
            if more and last:  # the full answer, in the language it was given in
                asked = replace(query(args, last, full=True), language=language)
            else:  # a follow-up ("in Spanish please") is read with the last answer in mind
                asked = replace(query(args, line), follows=last)
            reply = runner.run(engine.handle(asked))
            last, language = reply.topic_id or last, reply.language
            out.write(render_text(reply, color=color) + "\n")
            out.flush()


def _read_line(stdin: TextIO, interactive: bool) -> str | None:
    if interactive:
        try:
            return input("caremark> ")
        except EOFError:
            return None
    line = stdin.readline()
    return line or None


def local_zone() -> str | None:
    """The machine's IANA zone name from $TZ or /etc/localtime, if it can be told."""
    if tz := os.environ.get("TZ", "").lstrip(":"):
        return tz
    try:
        target = os.readlink("/etc/localtime")
    except OSError:
        return None
    _, marker, name = target.partition("zoneinfo/")
    return name if marker else None


def local_locale() -> str | None:
    """`en-US` from LANG=en_US.UTF-8; None when unset or C/POSIX."""
    lang = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    code = lang.split(".")[0].replace("_", "-")
    return None if code in ("", "C", "POSIX") else code
