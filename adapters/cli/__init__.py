"""The `caremark-bot` command: ask questions, check the knowledge base, or chat in a terminal.

One module per command group: `chat` (ask, verify, console), `kb` (check, audit, schema) and
`platforms` (serve, slack, discord); `options` holds the options they share.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from adapters import logs
from adapters.cli import options
from adapters.settings import ConfigError
from bot.kb.knowledge import KnowledgeError

EXIT_BROKEN_KB = 2
EXIT_CONFIG = 3
EXIT_BROKEN_PIPE = 141
"""What a shell reports for a program stopped by SIGPIPE: `kb audit | head` ends like this."""


def main(argv: Sequence[str] | None = None) -> int:
    logs.configure(json_lines=False)
    parser = build_parser()
    args = parser.parse_args(argv)
    options.refuse_unused(parser, args)
    try:
        result: int = args.run(args)
        sys.stdout.flush()
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
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


def build_parser() -> argparse.ArgumentParser:
    from adapters.cli import chat, insights, kb, plan, platforms  # each imports only its own

    parser = argparse.ArgumentParser(
        prog="caremark-bot",
        description="How to reach CVS Caremark, with every fact's source and trust level. "
        "With no command: the console, or the server when Slack or Discord is configured.",
    )
    options.add(parser, "console", options.ANSWERING, top=True)
    parser.set_defaults(run=chat.console_or_serve)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    chat.register(commands)
    platforms.register(commands)
    kb.register(commands)
    plan.register(commands)
    insights.register(commands)
    return parser


if __name__ == "__main__":
    raise SystemExit(main())
