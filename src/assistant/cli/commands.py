"""Registry of subcommands; each family lives in its own module."""

from __future__ import annotations

import argparse

from assistant.cli import ask, evaluate, forwards, index, setup, tbt, validate


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add every subcommand to the parser."""
    for module in (validate, index, ask, setup, evaluate, tbt, forwards):
        module.register(sub)
