"""The options several commands share, and the rule that an option is never silently ignored.

`--kb` and `--plan` work before or after the command name; `--tz` and `--locale` only where
they change the answer (the console and `ask`). An option given to a command that has no use
for it is refused with a message that says where it does apply.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

KNOWLEDGE = ("kb", "plan")
ANSWERING = ("kb", "plan", "tz", "locale")
_LOCALE = re.compile(r"^[A-Za-z]{2,3}(?:[-_](?:[A-Za-z]{4}|[A-Za-z]{2}|\d{3}))?$")


def zone(text: str) -> str:
    """An IANA time zone name, or a clear refusal."""
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(
            f"unknown time zone {text!r}: use an IANA name such as America/Chicago or Europe/London"
        ) from None
    return text


def locale(text: str) -> str:
    """A language tag such as en-US or es-419, normalised to a hyphen and a capital region."""
    if not _LOCALE.match(text):
        raise argparse.ArgumentTypeError(
            f"not a locale: {text!r}: use a language tag such as en-US, en-GB or es-419"
        )
    language, _, region = text.replace("_", "-").partition("-")
    if not region:
        return language.lower()
    return f"{language.lower()}-{region.title() if len(region) == 4 else region.upper()}"


_HELP = {
    "kb": "knowledge base folder (default: $CAREMARK_KB or ./knowledge)",
    "plan": "your plan's file of verified facts (default: $CAREMARK_PLAN)",
    "tz": "your IANA time zone for hours, e.g. Europe/London",
    "locale": "e.g. en-US (12-hour clock) or en-GB (24-hour clock)",
}
_TYPES: dict[str, Callable[[str], object]] = {
    "kb": Path,
    "plan": Path,
    "tz": zone,
    "locale": locale,
}


def add(
    parser: argparse.ArgumentParser, command: str, names: Iterable[str], *, top: bool = False
) -> None:
    """Add the shared options `names` to one command. Below the top level they default to
    SUPPRESS, so a value written before the command name is kept rather than overwritten."""
    names = tuple(names)
    for name in names:
        parser.add_argument(
            f"--{name}",
            type=_TYPES[name],
            default=None if top else argparse.SUPPRESS,
            help=_HELP[name],
            metavar=name.upper(),
        )
    parser.set_defaults(command=command, accepts=names)


def refuse_unused(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Exit with a message when an option written before the command means nothing to it."""
    accepts = set(getattr(args, "accepts", ()))
    for name in ANSWERING:
        if getattr(args, name, None) is not None and name not in accepts:
            where = "the console and ask" if name in ("tz", "locale") else "other commands"
            parser.error(f"--{name} does not apply to '{args.command}' (it is for {where})")
