"""One error hierarchy, so adapters can turn any expected failure into a polite message."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class AssistantError(Exception):
    """Base of every error the assistant expects and can explain to a user."""


@dataclass(frozen=True)
class Problem:
    """One problem found in a knowledge file, pointing at its file, line and field."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        line = self.line if self.line is not None else 0
        return f"{self.file}:{line}: {self.field}: {self.message}"


class KnowledgeError(AssistantError):
    """The knowledge files failed validation; carries every problem found in one pass."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} problem(s) in the knowledge files")


class ConfigError(AssistantError):
    """Settings are missing or invalid (for example the Telegram token)."""


class ModelError(AssistantError):
    """The embedding model could not be built, found or loaded."""


class SearchIndexError(AssistantError):
    """The search index is missing, stale or could not be built."""


class InputError(AssistantError):
    """A user's input cannot be processed (for example a rejected upload)."""
