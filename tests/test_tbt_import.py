"""Importing measures from a spreadsheet: good rows, bad rows, idempotence, XLSX."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook

from assistant.cli import main
from assistant.knowledge.loader import load_or_raise
from assistant.tbt_import import COLUMNS, import_measures

TODAY = dt.date(2026, 11, 25)
GOOD = {
    "market": "EU",
    "symbol": "G/TBT/N/EU/9999",
    "title": "Test coffee labelling rule",
    "products": "roasted coffee",
    "hs_codes": "0901; 090121",
    "measure_type": "technical_regulation",
    "status": "draft",
    "notified_on": "2026-11-20",
    "comment_deadline": "2027-01-19",
    "entry_into_force": "",
    "summary_vi": "Dự thảo thử nghiệm.",
    "summary_en": "A test draft.",
    "source_url": "https://example.org/notification",
}


def _csv(path: Path, rows: list[dict[str, str]]) -> Path:
    lines = [",".join(COLUMNS)]
    lines += [",".join(f'"{r.get(c, "")}"' for c in COLUMNS) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_bad_rows_are_reported_and_nothing_is_imported(
    knowledge_copy: Path, tmp_path: Path
) -> None:
    before = (knowledge_copy / "tbt/measures.yaml").read_bytes()
    bad = {
        **GOOD,
        "symbol": "",
        "title": "Bad",
        "market": "XX",
        "notified_on": "2026-13-01",
        "source_url": "not a url",
    }
    sheet = _csv(tmp_path / "measures.csv", [GOOD, bad])
    result = import_measures(knowledge_copy, sheet, TODAY)
    assert sorted(result.problems) == [
        "measures.csv:3: market: unknown market 'XX' (known: EU, US, CN, JP, KR; add one to "
        "tbt/markets.yaml)",
        "measures.csv:3: notified_on: Input should be a valid date or datetime, month value is "
        "outside expected range of 1-12",
        "measures.csv:3: source_url: String should match pattern '^https?://\\S+$'",
    ]
    assert (knowledge_copy / "tbt/measures.yaml").read_bytes() == before


def test_good_file_imports_once(knowledge_copy: Path, tmp_path: Path) -> None:
    sheet = _csv(tmp_path / "measures.csv", [GOOD])
    first = import_measures(knowledge_copy, sheet, TODAY)
    assert first.added == ["g-tbt-n-eu-9999"] and not first.problems
    written = (knowledge_copy / "tbt/measures.yaml").read_bytes()
    again = import_measures(knowledge_copy, sheet, TODAY + dt.timedelta(days=3))
    assert again.unchanged == ["g-tbt-n-eu-9999"] and not again.added and not again.updated
    assert (knowledge_copy / "tbt/measures.yaml").read_bytes() == written
    kb = load_or_raise(knowledge_copy)
    measure = kb.measures["g-tbt-n-eu-9999"]
    assert measure.hs_codes == ["0901", "090121"]
    assert measure.comment_deadline == dt.date(2027, 1, 19)
    assert len(kb.measures) == len(load_or_raise(Path("knowledge")).measures) + 1  # all kept


def test_xlsx_import_and_update(knowledge_copy: Path, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(COLUMNS))
    sheet.append([GOOD[c] if c != "notified_on" else dt.date(2026, 11, 20) for c in COLUMNS])
    book.save(tmp_path / "m.xlsx")
    assert import_measures(knowledge_copy, tmp_path / "m.xlsx", TODAY).added == ["g-tbt-n-eu-9999"]
    changed = {**GOOD, "status": "adopted"}
    result = import_measures(knowledge_copy, _csv(tmp_path / "m.csv", [changed]), TODAY)
    assert result.updated == ["g-tbt-n-eu-9999"]


def test_missing_column(knowledge_copy: Path, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("market,title\nEU,x\n", encoding="utf-8")
    problems = import_measures(knowledge_copy, path, TODAY).problems
    assert problems and problems[0].startswith("x.csv:1: header: missing column(s) symbol")


def test_cli_import(
    knowledge_copy: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ASSISTANT_KNOWLEDGE_DIR", str(knowledge_copy))
    sheet = _csv(tmp_path / "m.csv", [GOOD])
    assert main(["tbt", "import", str(sheet)]) == 0
    assert "added 1" in capsys.readouterr().out
    assert main(["tbt", "import", str(sheet)]) == 0
    assert "added 0, updated 0, unchanged 1" in capsys.readouterr().out


def test_all_products_column_marks_a_horizontal_measure(
    knowledge_copy: Path, tmp_path: Path
) -> None:
    sheet = tmp_path / "measures.csv"
    columns = [*COLUMNS, "all_products"]
    horizontal = {**GOOD, "symbol": "G/TBT/N/EU/9998", "all_products": "x"}
    rows = [",".join(columns)]
    rows += [",".join(f'"{r.get(c, "")}"' for c in columns) for r in (GOOD, horizontal)]
    sheet.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert not import_measures(knowledge_copy, sheet, TODAY).problems
    kb = load_or_raise(knowledge_copy)
    assert kb.measures["g-tbt-n-eu-9998"].all_products is True
    assert kb.measures["g-tbt-n-eu-9999"].all_products is False
