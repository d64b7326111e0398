"""The slot vocabulary of lexicon.yaml, compiled once into word-bounded patterns."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

from assistant.text import fold, strip_diacritics

LEXICON_FILE = Path(__file__).with_name("lexicon.yaml")


def _plain_char(ch: str) -> str:
    stripped = strip_diacritics(ch)
    return stripped[0] if stripped else ch


def views(text: str) -> tuple[str, str]:
    """The marked and plain views names and phrases are matched in, of equal length.

    Both are lower case with punctuation turned into spaces; the plain one also loses its marks,
    one character for one, so a span found in either view points at the same words.
    """
    marked = re.sub(r"[^\w\s]|_", " ", fold(text))
    return marked, "".join(_plain_char(ch) for ch in marked)


def phrases_pattern(phrases: list[str], suffix: str = "") -> re.Pattern[str]:
    """One word-bounded alternation over phrases, longest first, spaces matching any run.

    Group 1 is the phrase matched, without `suffix` (a pattern allowed after it, e.g. a plural).
    """
    ordered = sorted({p.strip() for p in phrases if p.strip()}, key=len, reverse=True)
    body = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in ordered)
    return re.compile(rf"(?<![\w])({body}){suffix}(?![\w])")


class Lexicon:
    """Named groups of phrases; `find(group, text)` tells which occur."""

    def __init__(self, data: dict[str, object]) -> None:
        self.patterns: dict[str, re.Pattern[str]] = {}
        self.marked: dict[str, re.Pattern[str]] = {}
        groups: dict[str, list[str]] = {}
        for name, value in data.items():
            if isinstance(value, dict):
                for sub, phrases in value.items():
                    groups[f"{name}.{sub}"] = [str(p) for p in phrases]
            elif isinstance(value, list):
                groups[name] = [str(p) for p in value]
        for name, phrases in groups.items():
            self.patterns[name] = phrases_pattern([views(p)[1] for p in phrases])
            self.marked[name] = phrases_pattern([views(p)[0] for p in phrases])

    def has(self, name: str, view: str) -> bool:
        """Whether a phrase of the group occurs in a plain view (see `views`)."""
        return self.patterns[name].search(view) is not None

    def spans(self, name: str, view: str, marked: bool = False) -> list[tuple[int, int]]:
        """Where the phrases of a group occur in a view (the marked one if `marked`)."""
        pattern = (self.marked if marked else self.patterns)[name]
        return [m.span() for m in pattern.finditer(view)]

    def members(self, name: str, view: str) -> list[str]:
        """The sub-groups of a nested group (e.g. aspect.lead) that occur, in file order."""
        prefix = name + "."
        return [
            key[len(prefix) :]
            for key, pattern in self.patterns.items()
            if key.startswith(prefix) and pattern.search(view)
        ]


@cache
def lexicon() -> Lexicon:
    """The packaged lexicon, loaded once."""
    return Lexicon(yaml.safe_load(LEXICON_FILE.read_text(encoding="utf-8")))
