"""The `caremark-bot` command: ask questions, check the knowledge base, or chat in a terminal."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from adapters import heap, logs
from adapters.formats import FORMATS, renderer
from adapters.settings import ConfigError, discord_settings, port, slack_settings
from bot.core import Engine
from bot.knowledge import KnowledgeError, default_kb_dir, default_plan, load
from bot.model import KnowledgeFile, PlanFile, json_schema
from bot.reply import Platform, Query

EXIT_BROKEN_KB = 2
EXIT_CONFIG = 3
SHUTDOWN_SECONDS = 25.0
"""Heroku-style hosts kill 30 s after SIGTERM; finish in-flight requests before that."""


def main(argv: Sequence[str] | None = None) -> int:
    logs.configure(json_lines=False)
    args = _parser().parse_args(argv)
    try:
        result: int = args.run(args)
        return result
    except KnowledgeError as exc:
        print("The knowledge base has problems; refusing to start:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_BROKEN_KB
    except ConfigError as exc:
        print(f"caremark-bot: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--kb",
        type=Path,
        default=None,
        help="knowledge base folder (default: $CAREMARK_KB or ./knowledge)",
    )
    common.add_argument(
        "--plan",
        type=Path,
        default=None,
        help="plan overlay file with your HR team's verified facts (default: $CAREMARK_PLAN)",
    )
    common.add_argument("--tz", default=None, help="your IANA time zone, e.g. Europe/London")
    common.add_argument("--locale", default=None, help="e.g. en-US (12-hour) or en-GB (24-hour)")

    parser = argparse.ArgumentParser(
        prog="caremark-bot",
        parents=[common],
        description="How to reach CVS Caremark, with every fact's source and trust level.",
    )
    parser.set_defaults(run=_console)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    ask = commands.add_parser("ask", parents=[common], help="answer one question and exit")
    ask.add_argument("question", nargs="*", help='e.g. "specialty" or "my package never arrived"')
    ask.add_argument("--format", choices=sorted(FORMATS), default="text")
    ask.set_defaults(run=_ask)

    verify = commands.add_parser(
        "verify", parents=[common], help="is a number, domain, e-mail or URL legit?"
    )
    verify.add_argument("subject", nargs="+", help='e.g. "1-800-237-2765" or carernark.com')
    verify.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    verify.set_defaults(run=_verify)

    console = commands.add_parser("console", parents=[common], help="type questions in a terminal")
    console.set_defaults(run=_console)

    serve = commands.add_parser(
        "serve", parents=[common], help="run the web app: Slack endpoint, /healthz, /readyz"
    )
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")  # noqa: S104
    serve.add_argument("--port", type=int, default=None, help="port (default $PORT or 3000)")
    serve.set_defaults(run=_serve)

    slack = commands.add_parser("slack", help="Slack set-up helpers")
    slack_commands = slack.add_subparsers(
        title="slack commands", metavar="SLACK_COMMAND", required=True
    )
    manifest = slack_commands.add_parser(
        "manifest", parents=[common], help="print a Slack app manifest (YAML)"
    )
    manifest.add_argument(
        "--url",
        default=None,
        help="public base URL for HTTP mode, e.g. https://bot.example.com; "
        "without it the manifest uses Socket Mode",
    )
    manifest.set_defaults(run=_slack_manifest)

    discord = commands.add_parser("discord", help="Discord set-up helpers")
    discord_commands = discord.add_subparsers(
        title="discord commands", metavar="DISCORD_COMMAND", required=True
    )
    listing = discord_commands.add_parser(
        "commands", parents=[common], help="print the command JSON that sync registers"
    )
    listing.set_defaults(run=_discord_commands)
    sync = discord_commands.add_parser(
        "sync", parents=[common], help="register the commands (a test guild first)"
    )
    sync.add_argument("--guild", default=None, help="guild id; without it, global commands")
    sync.set_defaults(run=_discord_sync)
    gateway = discord_commands.add_parser(
        "gateway", parents=[common], help="run the bot over Discord's gateway (a worker)"
    )
    gateway.set_defaults(run=_discord_gateway)

    kb = commands.add_parser("kb", help="check the knowledge base or print its schema")
    kb_commands = kb.add_subparsers(title="kb commands", metavar="KB_COMMAND", required=True)
    check = kb_commands.add_parser(
        "check", parents=[common], help="list every problem; exit 1 if any"
    )
    check.add_argument("path", nargs="?", type=Path, default=None, help="knowledge base folder")
    check.set_defaults(run=_kb_check)
    audit = kb_commands.add_parser(
        "audit",
        parents=[common],
        help="find look-alikes, near-misses, contradictions and stale facts; exit 1 on errors",
    )
    audit.add_argument("path", nargs="?", type=Path, default=None, help="knowledge base folder")
    audit.add_argument("--json", action="store_true", help="print the findings as JSON")
    audit.set_defaults(run=_kb_audit)
    schema = kb_commands.add_parser("schema", help="print the JSON Schema of the YAML files")
    schema.add_argument("--plan", action="store_true", help="the schema of a plan overlay instead")
    schema.set_defaults(run=_kb_schema)
    return parser


def _engine(args: argparse.Namespace) -> Engine:
    hide = os.environ.get("CAREMARK_HIDE_UNVERIFIED", "").strip().lower() in ("1", "true", "yes")
    return Engine.from_files(args.kb, args.plan or default_plan(), hide_unverified=hide)


def _query(args: argparse.Namespace, text: str) -> Query:
    return Query(
        text,
        Platform.CONSOLE,
        locale=args.locale or local_locale(),
        timezone=args.tz or local_zone(),
    )


def _ask(args: argparse.Namespace) -> int:
    engine = _engine(args)
    reply = asyncio.run(engine.handle(_query(args, " ".join(args.question))))
    sys.stdout.write(renderer(args.format)(reply).rstrip("\n") + "\n")
    return 0


def _verify(args: argparse.Namespace) -> int:
    """Verdicts on what was given; exit 1 when nothing in it could be checked."""
    from adapters.console import render_text
    from bot.verify import verify

    engine = _engine(args)
    text = " ".join(args.subject)
    checks = verify(text, engine.knowledge, engine.findings)
    if not checks:
        print(
            "caremark-bot: give a phone number, domain, e-mail address or URL to check",
            file=sys.stderr,
        )
        return 1
    if args.json:
        rows = [
            {
                "what": c.what,
                "verdict": c.verdict.value,
                "reason": c.reason,
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
    sys.stdout.write(render_text(asyncio.run(engine.handle(_query(args, text)))))
    return 0


def _console(args: argparse.Namespace) -> int:
    """No command: serve chat platforms when they are configured, else a local console."""
    discord = discord_settings()
    if slack_settings() is not None or (discord and discord.public_key):
        args.host, args.port = "0.0.0.0", None  # noqa: S104
        return _serve(args)
    if discord and discord.token:
        return _discord_gateway(args)
    engine = _engine(args)
    asyncio.run(run_console(engine, args, sys.stdin, sys.stdout))
    return 0


def _serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from adapters.web import Slack, create_app

    logs.configure(json_lines=True)
    slack = slack_settings()
    discord = discord_settings()
    listen = args.port or port()
    engine = _engine(args)
    discord_key = discord.public_key if discord else None
    admin = os.environ.get("CAREMARK_ADMIN_TOKEN", "").strip() or None
    app = create_app(engine, Slack.start(engine, slack) if slack else None, discord_key, admin)
    served = [f"Slack in {slack.mode} mode"] if slack else []
    served += ["Discord interactions"] if discord_key else []
    mode = ", ".join(served) or "no chat platform configured"
    print(f"caremark-bot: serving on http://{args.host}:{listen} ({mode})", file=sys.stderr)
    heap.freeze()
    web.run_app(
        app,
        handle_signals=False,  # adapters.web.Drain handles SIGTERM and SIGINT
        host=args.host,
        port=listen,
        shutdown_timeout=SHUTDOWN_SECONDS,
        print=None,
        access_log=None,
    )
    return 0


def _discord_commands(args: argparse.Namespace) -> int:
    from adapters.discord_app.commands import commands

    kb = load(args.kb, args.plan or default_plan())
    print(json.dumps(commands(kb), indent=2, ensure_ascii=False))
    return 0


def _discord_sync(args: argparse.Namespace) -> int:
    from adapters.discord_app.commands import sync

    settings = discord_settings()
    if settings is None:
        raise ConfigError("DISCORD_TOKEN and DISCORD_APPLICATION_ID are needed to sync commands")
    if args.guild is not None and not args.guild.isdigit():
        raise ConfigError("--guild takes a guild id (a number)")
    count = asyncio.run(sync(load(args.kb, args.plan or default_plan()), settings, args.guild))
    where = f"guild {args.guild}" if args.guild else "all guilds (global; may take a while)"
    print(f"Registered {count} command(s) for {where}.")
    return 0


def _discord_gateway(args: argparse.Namespace) -> int:
    from adapters.discord_app import gateway

    settings = discord_settings()
    if settings is None or not settings.token:
        raise ConfigError(
            "DISCORD_TOKEN is missing: gateway mode needs the bot token (Bot > Token)"
        )
    engine = _engine(args)
    heap.freeze()
    asyncio.run(gateway.run(engine, settings.token))
    return 0


def _slack_manifest(args: argparse.Namespace) -> int:
    from adapters.slack.manifest import manifest_yaml

    url = args.url
    if url is not None and not url.startswith("https://"):
        print("caremark-bot: --url must be the https:// address Slack will call", file=sys.stderr)
        return EXIT_CONFIG
    sys.stdout.write(manifest_yaml(load(args.kb, args.plan or default_plan()), url))
    return 0


async def run_console(engine: Engine, args: argparse.Namespace, stdin: TextIO, out: TextIO) -> None:
    """Read questions line by line until EOF or `quit`; answer each in the terminal."""
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
    while True:
        line = await asyncio.to_thread(_read_line, stdin, out, interactive)
        if line is None or line.strip().casefold() in {"quit", "exit", "q", ":q"}:
            break
        if not line.strip():
            continue
        reply = await engine.handle(_query(args, line))
        out.write(render_text(reply, color=color) + "\n")
        out.flush()


def _read_line(stdin: TextIO, out: TextIO, interactive: bool) -> str | None:
    if interactive:
        try:
            return input("caremark> ")
        except EOFError:
            return None
    line = stdin.readline()
    return line or None


def _kb_check(args: argparse.Namespace) -> int:
    kb_dir = args.path or args.kb or default_kb_dir()
    try:
        kb = load(kb_dir, args.plan or default_plan())
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem)
        print(f"\n{len(exc.problems)} problem(s) in {kb_dir}", file=sys.stderr)
        return 1
    facts = sum(len(records) for records in kb.facts.values())
    plan = f", plan '{kb.plan.name}'" if kb.plan else ""
    print(
        f"OK: {len(kb.topics)} topics, {len(kb.slots)} slots, {facts} facts, "
        f"{len(kb.sources)} sources{plan}"
    )
    return 0


def _kb_audit(args: argparse.Namespace) -> int:
    from bot.audit import audit, summary
    from bot.trust import Severity

    kb = load(args.path or args.kb or default_kb_dir(), args.plan or default_plan())
    findings = audit(kb)
    labels = {r.id: r.slot.id for records in kb.facts.values() for r in records}
    rows = [
        {
            "fact": fact,
            "slot": labels[fact],
            "rule": f.rule,
            "severity": f.severity.value,
            "detail": f.detail,
            "note": f.note,
        }
        for fact, found in sorted(findings.items())
        for f in found
    ]
    errors = sum(row["severity"] == Severity.ERROR for row in rows)
    trust = summary(kb, findings)
    if args.json:
        print(json.dumps({"findings": rows, "trust": trust, "errors": errors}, indent=2))
        return 1 if errors else 0
    for severity in Severity:
        group = [row for row in rows if row["severity"] == severity]
        if group:
            print(f"{severity.value.upper()} ({len(group)})")
            for row in group:
                print(f"  {row['slot']} [{row['fact']}] {row['rule']}: {row['detail']}")
            print()
    total = sum(trust.values())
    print(
        "Trust: "
        + ", ".join(f"{n} {level}" for level, n in sorted(trust.items()))
        + f" (of {total} facts)"
    )
    return 1 if errors else 0


def _kb_schema(args: argparse.Namespace) -> int:
    model = PlanFile if args.plan else KnowledgeFile
    print(json.dumps(json_schema(model), indent=2, ensure_ascii=False))
    return 0


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


if __name__ == "__main__":
    raise SystemExit(main())
