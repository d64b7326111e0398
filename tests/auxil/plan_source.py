"""Independent reading of the plan's source text, used to check the transcription."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "docs" / "plan-source.txt"
SHARED = ROOT.parent / "shared" / "source" / "000_7ad285e1228df96c.txt"


@dataclass(frozen=True)
class Row:
    """One appendix row as printed: number, content, lead, partners, time."""

    number: str
    content: str
    lead: str
    partners: str
    time: str


def text() -> str:
    """The plan's full text."""
    return SOURCE.read_text(encoding="utf-8")


def flat(value: str) -> str:
    """Whitespace-folded text without HTML tags, for containment checks."""
    value = re.sub(r"<[^>]+>", " ", value)
    return re.sub(r"\s+", " ", value).strip()


def appendix_rows() -> list[Row]:
    """Rows of the appendix table that carry a lead agency, continuation rows joined."""
    table = text()[text().index("TT\tNội dung") :]
    rows: list[Row] = []
    group = ""
    for line in table.splitlines()[1:]:
        cells = line.split("\t")
        if len(cells) != 5:
            continue
        number, content, lead, partners, time = (c.strip() for c in cells)
        if number and not lead:
            group = number
            continue
        if not number and not lead and rows:
            last = rows[-1]
            rows[-1] = Row(
                last.number, last.content + " " + content, last.lead, last.partners, last.time
            )
            continue
        rows.append(Row(number or group, content, lead, partners, time))
    return rows
