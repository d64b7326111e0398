"""Parser for plan/body.md: headings and [ID] paragraphs that answers can cite."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from assistant.errors import Problem

HEADING_RE = re.compile(r"^(#{1,2}) ((?:I|II|III|IV|V)(?:\.\d+)?)\. (\S.*)$")
ITEM_RE = re.compile(r"^(\s*)(?:([-+]) )?\[([^\]\s]+)\] (\S.*)$")
ID_RE = re.compile(r"^(I|II|III|IV|V)(\.[0-9a-z]+)*$")


class Section(BaseModel):
    """A heading of the plan body (for example III.5 'Thúc đẩy hội nhập quốc tế')."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    level: int
    line: int


class Paragraph(BaseModel):
    """One citable paragraph or bullet of the plan body."""

    model_config = ConfigDict(frozen=True)

    id: str
    section: str
    text: str
    line: int


class Body(BaseModel):
    """The parsed plan body, in document order."""

    model_config = ConfigDict(frozen=True)

    sections: list[Section]
    paragraphs: list[Paragraph]

    def ids(self) -> set[str]:
        """Every citable id: headings and paragraphs."""
        return {s.id for s in self.sections} | {p.id for p in self.paragraphs}


def parse_body(text: str, file: str) -> tuple[Body, list[Problem]]:
    """Parse the body Markdown, collecting every format problem instead of stopping."""
    problems: list[Problem] = []
    sections: list[Section] = []
    paragraphs: list[Paragraph] = []
    seen: dict[str, int] = {}
    current: Section | None = None
    in_comment = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if in_comment or line.lstrip().startswith("<!--"):
            in_comment = "-->" not in line
            continue
        if not line.strip():
            continue
        heading = HEADING_RE.match(line)
        if heading:
            current = Section(
                id=heading.group(2),
                title=heading.group(3).strip(),
                level=len(heading.group(1)),
                line=number,
            )
            if current.id in {s.id for s in sections}:
                problems.append(Problem(file, number, current.id, "duplicate heading id"))
            sections.append(current)
            continue
        item = ITEM_RE.match(line)
        if not item:
            problems.append(
                Problem(
                    file,
                    number,
                    "format",
                    "expected a heading like '## III.5. Title' or a paragraph like "
                    "'- [III.5.c] text'",
                )
            )
            continue
        pid, body_text = item.group(3), item.group(4).strip()
        if not ID_RE.match(pid):
            problems.append(Problem(file, number, pid, "id must look like 'III.5.c' or 'V.2'"))
            continue
        if current is None:
            problems.append(Problem(file, number, pid, "paragraph comes before any heading"))
            continue
        top = current.id.split(".")[0]
        if pid != current.id and not pid.startswith(current.id + ".") and pid.split(".")[0] != top:
            problems.append(
                Problem(
                    file,
                    number,
                    pid,
                    f"id does not belong under heading {current.id}",
                )
            )
        if pid in seen:
            problems.append(
                Problem(
                    file,
                    number,
                    pid,
                    f"duplicate paragraph id (first on line {seen[pid]})",
                )
            )
            continue
        seen[pid] = number
        owner = current.id if pid == current.id or pid.startswith(current.id + ".") else top
        paragraphs.append(Paragraph(id=pid, section=owner, text=body_text, line=number))
    return Body(sections=sections, paragraphs=paragraphs), problems
