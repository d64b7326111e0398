"""Plain-text rendering of answers, for the CLI, the chat and `ask --json`."""

from __future__ import annotations

from assistant.answer.labels import label
from assistant.answer.models import Answer


def render_text(answer: Answer) -> str:
    """Blocks as readable plain text; Vietnamese quotes in English answers are marked."""
    lines: list[str] = []
    for block in answer.blocks:
        if block.kind == "title":
            if lines:
                lines.append("")
            lines.append(block.text)
        elif block.kind == "item":
            lines.append(f"• {block.text}")
        elif block.kind == "quote":
            mark = f"{label('plan_text_vi', answer.lang)}: " if answer.lang == "en" else ""
            lines.append(f"{mark}«{block.text}»")
        else:
            lines.append(block.text)
    return "\n".join(lines).strip()
