"""Taking in WTO notifications in bulk: an ePing-style export, its follow-ups, and bad files."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook

from assistant import notify_import
from assistant.cli import main
from assistant.knowledge.loader import load_knowledge, load_or_raise
from assistant.notify_import import parse_codes, parse_date
from assistant.tbt_import import import_table

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "eping_sample.csv"
FOLLOW_UPS = DATA / "eping_followups.csv"
TODAY = dt.date(2026, 12, 3)
STORE = "tbt/notifications.jsonl"


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_sample_export_imports_once(knowledge_copy: Path) -> None:
    first = import_table(knowledge_copy, SAMPLE, TODAY)
    assert first.kind == "notifications" and first.rows == 6 and first.written
    assert first.added == [
        "G/TBT/N/EU/1170",
        "G/SPS/N/USA/3203",
        "G/TBT/N/CHN/1827",
        "G/SPS/N/JPN/1301",
        "G/TBT/N/KOR/1290",
        "G/SPS/N/USA/3203/Add.1",
    ]
    assert not first.rejected and not first.notes
    written = (knowledge_copy / STORE).read_bytes()
    again = import_table(knowledge_copy, SAMPLE, TODAY + dt.timedelta(days=1))
    assert (again.added, again.updated, len(again.unchanged)) == ([], [], 6)
    assert not again.written and (knowledge_copy / STORE).read_bytes() == written

    kb = load_or_raise(knowledge_copy)
    korea = kb.measures["g-tbt-n-kor-1290"]
    assert korea.market == "KR" and korea.symbol == "G/TBT/N/KOR/1290"
    assert korea.hs_codes == ["4407", "4412", "440131"]  # "4401.31" read as a subheading
    assert korea.comment_deadline is None  # "60 days after notification" is not a date
    assert korea.summary_vi is None and "sawn timber" in (korea.summary_en or "")
    assert "g-tbt-n-kor-1290" in kb.notified_only
    assert kb.measure_file("g-tbt-n-kor-1290") == STORE
    japan = kb.measures["g-sps-n-jpn-1301"]
    assert japan.measure_type == "sanitary_phytosanitary" and japan.market == "JP"
    # the traceability rule is curated: its notification and addendum join it, not a copy
    assert "g-sps-n-usa-3203" not in kb.measures
    us = kb.measures["us-fsma-204-food-traceability"]
    assert us.title.startswith("Requirements for Additional Traceability Records")
    assert dt.date(2020, 11, 30) in [h.date for h in us.history]  # the addendum
    # "(HS 16; 17; ...)" inside the products column gives the codes when no column has them
    assert kb.measures["g-sps-n-jpn-1301"].hs_codes == ["0901", "0904", "08"]


def test_a_curated_measure_keeps_its_fields(knowledge_copy: Path) -> None:
    curated = load_or_raise(knowledge_copy).measures["cn-gb7718-2025"]
    assert curated.symbol == "G/TBT/N/CHN/1827" and curated.comment_deadline is None
    import_table(knowledge_copy, SAMPLE, TODAY)
    kb = load_or_raise(knowledge_copy)
    merged = kb.measures["cn-gb7718-2025"]
    assert "g-tbt-n-chn-1827" not in kb.measures  # one measure, not two
    assert merged.comment_deadline == dt.date(2024, 4, 12)  # an empty date is filled
    keep = ("title", "summary_vi", "summary_en", "entry_into_force", "status", "source_url")
    assert all(getattr(merged, k) == getattr(curated, k) for k in keep)
    assert (knowledge_copy / "tbt/measures.yaml").read_bytes() == (
        Path("knowledge/tbt/measures.yaml").read_bytes()
    )


def test_follow_ups_update_their_notification(knowledge_copy: Path) -> None:
    """An addendum changes dates and status; a corrigendum corrects one date."""
    import_table(knowledge_copy, SAMPLE, TODAY)
    report = import_table(knowledge_copy, FOLLOW_UPS, TODAY)
    assert report.updated == ["G/TBT/N/EU/1170/Add.1", "G/TBT/N/KOR/1290/Corr.1"]
    again = import_table(knowledge_copy, FOLLOW_UPS, TODAY)
    assert again.unchanged == report.updated and not again.written
    kb = load_or_raise(knowledge_copy)
    eu = kb.measures["g-tbt-n-eu-1170"]
    assert eu.status == "adopted"  # the addendum says the draft "was adopted"
    assert eu.entry_into_force == dt.date(2026, 4, 9)
    assert eu.history[0].note_en.startswith("G/TBT/N/EU/1170/Add.1: The draft notified")
    assert kb.measures["g-tbt-n-kor-1290"].entry_into_force == dt.date(2026, 9, 1)
    # the base row imported again does not undo what its follow-ups changed
    import_table(knowledge_copy, SAMPLE, TODAY)
    assert load_or_raise(knowledge_copy).measures["g-tbt-n-eu-1170"].status == "adopted"


def test_column_names_are_matched_tolerantly(knowledge_copy: Path, tmp_path: Path) -> None:
    header = ["Ký hiệu thông báo", "Nước thông báo", "Tên văn bản", "Sản phẩm", "Mã HS",
              "Ngày thông báo", "Hạn góp ý"]  # fmt: skip
    row = ["G/TBT/N/JPN/870", "Japan", "Revision of labelling standards for coffee",
           "Coffee", "0901", "15/10/2026", "14/12/2026"]  # fmt: skip
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    sheet.append([*row[:5], dt.datetime(2026, 10, 15), row[6]])  # an Excel date cell
    book.save(tmp_path / "bulletin.xlsx")
    report = import_table(knowledge_copy, tmp_path / "bulletin.xlsx", TODAY)
    assert report.kind == "notifications" and report.added == ["G/TBT/N/JPN/870"]
    measure = load_or_raise(knowledge_copy).measures["g-tbt-n-jpn-870"]
    assert (measure.notified_on, measure.comment_deadline) == (
        dt.date(2026, 10, 15),
        dt.date(2026, 12, 14),
    )


def test_bad_rows_are_reported_and_nothing_is_written(knowledge_copy: Path, tmp_path: Path) -> None:
    header = ["Document symbol", "Member", "Title", "Distribution date", "HS codes"]
    rows = [
        ["G/TBT/N/EU/2001", "European Union", "A good one", "2026-10-01", "0901"],
        ["G/TBT/N/EU/2002", "European Union", "Bad date", "31/13/2026", ""],
        ["G/TBT/N/EU/2001", "European Union", "Same symbol again", "2026-10-02", ""],
        ["G/TBT/N/THA/700", "Thailand", "Not a market we track", "2026-10-01", ""],
        ["TBT 12", "China", "No symbol", "2026-10-01", ""],
        ["G/TBT/N/EU/2003/Add.1", "European Union", "Follows nothing", "2026-10-01", ""],
        ["G/TBT/N/EU/2004", "European Union", "", "2026-10-01", ""],
        ["G/TBT/N/EU/2005", "European Union", "Odd code", "2026-10-01", "090; 0902"],
    ]
    sheet = _write_csv(tmp_path / "export.csv", header, rows)
    report = import_table(knowledge_copy, sheet, TODAY)
    assert report.rejected == [
        "row 3: distributed_on: not a date: '31/13/2026' (write it as 2026-12-31 or 31/12/2026)",
        "row 4: symbol: G/TBT/N/EU/2001 again (first in row 2)",
        "row 5: member: 'Thailand' is not a market we track (add it to tbt/markets.yaml, or "
        "leave the row out)",
        "row 6: symbol: not a WTO symbol: 'TBT 12' (like G/TBT/N/EU/953 or G/SPS/N/CHN/1324/Add.1)",
        "row 8: title: String should have at least 1 character",
        "row 7: symbol: G/TBT/N/EU/2003/Add.1 follows G/TBT/N/EU/2003, which is neither in this "
        "file nor imported",
    ]
    assert report.notes == ["row 9: hs_codes: not an HS code, left out: 090"]
    assert not report.written and not (knowledge_copy / STORE).exists()
    # staff can take the good rows once they have seen the report
    kept = import_table(knowledge_copy, sheet, TODAY, keep_good=True)
    assert kept.written and kept.added == ["G/TBT/N/EU/2001", "G/TBT/N/EU/2005"]
    assert load_or_raise(knowledge_copy).measures["g-tbt-n-eu-2005"].hs_codes == ["0902"]


def test_missing_columns_and_too_many_rows(
    knowledge_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_title = _write_csv(tmp_path / "a.csv", ["Symbol", "Member"], [["G/TBT/N/EU/1", "EU"]])
    report = import_table(knowledge_copy, no_title, TODAY)
    assert report.kind == "measures"  # without a title it is not a notification export
    assert report.rejected[0].startswith("a.csv:1: header: missing column(s)")
    monkeypatch.setattr(notify_import, "MAX_ROWS", 20)
    rows = [[f"G/TBT/N/EU/{n}", "European Union", f"Rule {n}"] for n in range(1, 30)]
    big = _write_csv(tmp_path / "big.csv", ["Symbol", "Member", "Title"], rows)
    report = import_table(knowledge_copy, big, TODAY)
    assert report.rejected == [
        "row 22: file: more than 20 rows; split the file and import the parts one by one"
    ]
    assert report.rows == 21 and not (knowledge_copy / STORE).exists()


def test_a_broken_database_or_write_keeps_the_working_one(
    knowledge_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_table(knowledge_copy, SAMPLE, TODAY)
    store = knowledge_copy / STORE
    good = store.read_bytes()

    def crash(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("assistant.knowledge.notifications.os.replace", crash)
    with pytest.raises(OSError, match="disk full"):
        import_table(knowledge_copy, FOLLOW_UPS, TODAY)
    monkeypatch.undo()
    assert store.read_bytes() == good
    store.write_text(good.decode() + '{"symbol": "G/TBT/N/EU/1", "title": 3}\n', "utf-8")
    report = import_table(knowledge_copy, FOLLOW_UPS, TODAY)
    line = len(good.splitlines()) + 1
    assert report.rejected[0].startswith(f"row 0: database: tbt/notifications.jsonl:{line}: ")
    _, problems = load_knowledge(knowledge_copy)
    assert [str(p).split(": ")[0] for p in problems][:1] == [f"tbt/notifications.jsonl:{line}"]


def test_dates_and_codes_in_the_forms_exports_use() -> None:
    assert parse_date("27 February 2023") == dt.date(2023, 2, 27)
    assert parse_date("May 28, 2023") == dt.date(2023, 5, 28)
    assert parse_date("2023-05-28T00:00:00") == dt.date(2023, 5, 28)
    assert parse_date("60 days from notification") is None
    assert parse_date("Not applicable") is None
    assert parse_date("First quarter of 2026") is None
    with pytest.raises(ValueError):
        parse_date("2026-02-30")
    assert parse_codes("0901.11.00; 2101, HS 09") == (["090111", "2101", "09"], [])
    assert parse_codes("4401.31 4407") == (["440131", "4407"], [])


def test_cli_tells_the_format_from_the_header(
    knowledge_copy: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ASSISTANT_KNOWLEDGE_DIR", str(knowledge_copy))
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    assert main(["tbt", "import", str(SAMPLE), "--dry-run"]) == 0
    assert "notifications: 6 row(s); added 6" in capsys.readouterr().out
    assert not (knowledge_copy / STORE).exists()
    assert main(["tbt", "import", str(SAMPLE)]) == 0
    assert "added 6, updated 0, unchanged 0, rejected 0" in capsys.readouterr().out
    bad = _write_csv(tmp_path / "b.csv", ["Symbol", "Title"], [["G/TBT/N/THA/1", "x"]])
    assert main(["tbt", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "rejected: row 2: member: 'THA' is not a market we track" in err
    assert "nothing was imported" in err
