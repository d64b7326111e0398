"""The `assistant` command: a thin adapter that parses, calls the facade and prints."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from pydantic import ValidationError

from assistant import logs
from assistant.errors import AssistantError, KnowledgeError
from assistant.settings import Settings

Command = Callable[[argparse.Namespace, Settings], int]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    from assistant.cli import commands

    parser = argparse.ArgumentParser(
        prog="assistant",
        description="Gia Lai Standards Assistant (Trợ lý Tiêu chuẩn Gia Lai)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        settings = Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        print(f"error: invalid setting {first['loc'][0]}: {first['msg']}", file=sys.stderr)
        return 2
    # the bot logs its audit lines at INFO (it raises the level when it starts)
    logs.configure(logging.DEBUG if args.verbose else logging.WARNING, settings.log_file)
    try:
        code: int = args.func(args, settings)
        return code
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(
            f"{len(exc.problems)} problem(s); run `assistant validate` after fixing.",
            file=sys.stderr,
        )
        return 1
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
