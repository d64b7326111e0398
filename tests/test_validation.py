"""Deliberately broken knowledge files each give the expected file:line: field: message."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.cli import main
from assistant.knowledge.loader import load_knowledge


def _line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    hits = [
        i
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if needle in line
    ]
    return hits[occurrence - 1]


def _problems(root: Path) -> list[str]:
    kb, problems = load_knowledge(root)
    assert kb is None
    return [str(p) for p in problems]


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_bad_yaml(knowledge_copy: Path) -> None:
    path = knowledge_copy / "targets.yaml"
    _edit(path, "- id: t-database\n", "- id: t-database\n  tasks: [2.3\n")
    problems = _problems(knowledge_copy)
    assert len(problems) == 1
    assert problems[0].startswith("targets.yaml:")
    assert ": yaml: YAML syntax error" in problems[0]


def test_missing_field(knowledge_copy: Path) -> None:
    path = knowledge_copy / "tasks.yaml"
    _edit(path, "  lead: so-khcn\n", "")
    line = _line_of(path, "- id: '1'", 2)  # the first task; the groups list comes first
    assert _problems(knowledge_copy) == [
        f"tasks.yaml:{line}: tasks[1].lead: missing required field"
    ]


def test_unknown_field(knowledge_copy: Path) -> None:
    path = knowledge_copy / "agencies.yaml"
    _edit(
        path,
        "  name_en: Department of Finance\n",
        "  name_en: Department of Finance\n  phone_number: '0000'\n",
    )
    line = _line_of(path, "phone_number")
    assert _problems(knowledge_copy) == [
        f"agencies.yaml:{line}: agencies[so-tai-chinh].phone_number: "
        "unknown field (check the spelling; see knowledge/README.md)"
    ]


def test_duplicate_id(knowledge_copy: Path) -> None:
    path = knowledge_copy / "targets.yaml"
    _edit(path, "- id: t-pilot-models", "- id: t-management-systems")
    line = _line_of(path, "- id: t-management-systems", 2)
    problems = _problems(knowledge_copy)
    assert (
        f"targets.yaml:{line}: targets[t-management-systems].id: "
        "duplicate id (already used in targets.yaml)"
    ) in problems


def test_wrong_type(knowledge_copy: Path) -> None:
    path = knowledge_copy / "targets.yaml"
    _edit(path, "  value: 30\n", "  value: thirty\n")
    line = _line_of(path, "value: thirty")
    assert _problems(knowledge_copy) == [
        f"targets.yaml:{line}: targets[t-management-systems].value: "
        "Input should be a valid integer, unable to parse string as an integer"
    ]


def test_task_with_unknown_agency(knowledge_copy: Path) -> None:
    path = knowledge_copy / "tasks.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("- id: '3.2'")
    head, tail = text[:start], text[start:]
    path.write_text(
        head + tail.replace("  lead: so-khcn", "  lead: so-khoa-hoc", 1), encoding="utf-8"
    )
    line = _line_of(path, "lead: so-khoa-hoc")
    assert _problems(knowledge_copy) == [
        f"tasks.yaml:{line}: tasks[3.2].lead: unknown agency 'so-khoa-hoc'"
    ]


def test_duplicate_key_and_bad_timeframe(knowledge_copy: Path) -> None:
    path = knowledge_copy / "tasks.yaml"
    _edit(path, "  timeframe: Giai đoạn 2026-2030\n", "  timeframe: 2026 đến 2030\n")
    line = _line_of(path, "timeframe: 2026 đến 2030")
    problems = _problems(knowledge_copy)
    assert problems == [
        f"tasks.yaml:{line}: tasks[3.2].timeframe: "
        "Value error, must be 'Hàng năm' or 'Giai đoạn YYYY-YYYY'"
    ]


def test_body_markdown_problems(knowledge_copy: Path) -> None:
    path = knowledge_copy / "plan" / "body.md"
    _edit(path, "- [V.1.b] ", "- [V.1.a] ")
    _edit(path, "## V.2. Sở Tài chính", "## V.2 Sở Tài chính")
    dup = _line_of(path, "- [V.1.a]", 2)
    heading = _line_of(path, "## V.2 Sở Tài chính")
    problems = _problems(knowledge_copy)
    assert (
        f"plan/body.md:{dup}: V.1.a: duplicate paragraph id (first on line {dup - 1})" in problems
    )
    assert any(p.startswith(f"plan/body.md:{heading}: format:") for p in problems)


def test_many_problems_in_one_pass(knowledge_copy: Path) -> None:
    _edit(knowledge_copy / "targets.yaml", "  value: 30\n", "  value: thirty\n")
    _edit(knowledge_copy / "agencies.yaml", "  kind: media\n", "  kind: newspaper\n")
    (knowledge_copy / "notes.yaml").write_text("a: 1\n", encoding="utf-8")
    files = {p.split(":")[0] for p in _problems(knowledge_copy)}
    assert files == {"targets.yaml", "agencies.yaml", "notes.yaml"}


def test_cli_validate_reports_and_exits_nonzero(
    knowledge_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (knowledge_copy / "funding.yaml").write_text("sources: [\n", encoding="utf-8")
    assert main(["validate", "--knowledge", str(knowledge_copy)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("funding.yaml:")
    assert "Traceback" not in err


def test_cli_validate_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 0
    assert capsys.readouterr().out.startswith("OK: 12 tasks")


def test_not_utf8_and_missing_file(knowledge_copy: Path) -> None:
    (knowledge_copy / "deadlines.yaml").write_bytes(b"deadlines: [\xff]\n")
    (knowledge_copy / "plan.yaml").unlink()
    problems = _problems(knowledge_copy)
    assert "plan.yaml:0: file: required file is missing" in problems
    assert any(p.startswith("deadlines.yaml:0: file: cannot read as UTF-8") for p in problems)


def test_a_reload_reparses_changed_files_and_reuses_the_rest(knowledge_copy: Path) -> None:
    first, problems = load_knowledge(knowledge_copy)
    assert first is not None and problems == []
    path = knowledge_copy / "tasks.yaml"
    _edit(path, "  lead: so-khcn", "  lead: so-khoa-hoc")
    second, problems = load_knowledge(knowledge_copy, first)
    assert second is None  # the changed file is parsed and checked again, against the rest
    assert [p.message for p in problems] == ["unknown agency 'so-khoa-hoc'"]
    _edit(path, "  lead: so-khoa-hoc", "  lead: so-khcn")
    third, problems = load_knowledge(knowledge_copy, first)
    assert third is not None and problems == [] and third == first
    # files unchanged since `first` lend their (frozen) records instead of being parsed again
    assert all(third.targets[k] is first.targets[k] for k in first.targets)
