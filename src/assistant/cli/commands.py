"""Registry of subcommands; each lives in its own module."""

from __future__ import annotations

import argparse

from assistant.cli import validate


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add every subcommand to the parser."""
    for module in (validate,):
        module.register(sub)
