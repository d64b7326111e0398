"""Import foreign TBT measures from a staff spreadsheet (CSV or XLSX) into tbt/measures.yaml."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from assistant.errors import InputError
from assistant.knowledge.loader import read_text
from assistant.knowledge.models import Market, MarketsFile, Measure, MeasuresFile
from assistant.knowledge.notifications import NOTIFICATIONS_FILE
from assistant.knowledge.yamlio import YamlProblem, parse_yaml

COLUMNS = (
    "market",
    "symbol",
    "title",
    "products",
    "hs_codes",
    "measure_type",
    "status",
    "notified_on",
    "comment_deadline",
    "entry_into_force",
    "summary_vi",
    "summary_en",
    "source_url",
)
OPTIONAL = ("id", "adopted_on", "reviewed_on", "all_products", "all_food", "applies_from")
YES = ("x", "1", "yes", "true", "có", "co")
MEASURES_FILE = "tbt/measures.yaml"
MARKETS_FILE = "tbt/markets.yaml"
HEADER = (
    "# Foreign measures (technical barriers to trade) for Gia Lai's export products.\n"
    "# Every field is checked against its source; leave a field empty rather than guess it.\n"
    "# Research notes: docs/sources/tbt-measures.md. Import from a spreadsheet with\n"
    "# `assistant tbt import FILE.csv` (columns: see knowledge/README.md).\n"
)


@dataclass
class ImportResult:
    """What an import found and did."""

    problems: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def open_table(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    """The header of a CSV or XLSX file and its rows, read lazily as (row number, cells).

    Cells keep their type (an Excel date stays a date); keys are the header cells, stripped.
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        handle = path.open(encoding="utf-8-sig", newline="")
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader, [])]

        def csv_rows() -> Iterator[tuple[int, dict[str, Any]]]:
            with handle:
                for i, cells in enumerate(reader, start=2):
                    if any(c.strip() for c in cells):
                        yield i, dict(zip(header, cells, strict=False))

        return header, csv_rows()
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        values = book.worksheets[0].iter_rows(values_only=True)
        header = [str(h or "").strip() for h in next(values, ())]

        def xlsx_rows() -> Iterator[tuple[int, dict[str, Any]]]:
            try:
                for i, row in enumerate(values, start=2):
                    if any(c is not None and str(c).strip() for c in row):
                        yield i, dict(zip(header, row, strict=False))
            finally:
                book.close()

        return header, xlsx_rows()
    raise InputError(f"{path.name}: only .csv and .xlsx files can be imported")


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV or XLSX file as (spreadsheet row number, column -> text)."""
    _, rows = open_table(path)
    return [(i, _clean(r)) for i, r in rows]


def _clean(row: dict[Any, Any]) -> dict[str, str]:
    out = {}
    for key, value in row.items():
        if key is None:
            continue
        if isinstance(value, dt.datetime):
            value = value.date().isoformat()
        elif isinstance(value, dt.date):
            value = value.isoformat()
        out[str(key).strip().lower()] = "" if value is None else str(value).strip()
    return out


def _slug(text: str) -> str:
    from assistant.text import fold_plain

    return re.sub(r"[^a-z0-9]+", "-", fold_plain(text)).strip("-")[:60].strip("-")


def row_to_record(row: dict[str, str], today: dt.date) -> dict[str, Any]:
    """A spreadsheet row as the fields of a Measure (validation happens afterwards)."""
    record: dict[str, Any] = {k: (row.get(k) or None) for k in COLUMNS}
    record["hs_codes"] = [c for c in re.split(r"[\s,;]+", row.get("hs_codes", "")) if c]
    record["market"] = (row.get("market") or "").upper() or None
    for key in ("adopted_on", "reviewed_on"):
        record[key] = row.get(key) or None
    record["reviewed_on"] = record["reviewed_on"] or today.isoformat()
    record["all_products"] = (row.get("all_products") or "").lower() in YES
    record["all_food"] = (row.get("all_food") or "").lower() in YES
    applies = row.get("applies_from") or ""
    record["applies_from"] = [{"date": applies}] if applies else []
    given = row.get("id") or ""
    basis = record["symbol"] or f"{record['market'] or ''} {record['title'] or ''}"
    record["id"] = given or _slug(basis)
    return record


def import_measures(
    knowledge_dir: Path, sheet: Path, today: dt.date, dry_run: bool = False
) -> ImportResult:
    """Validate every row; if all are good, add or update measures and write the file once."""
    result = ImportResult()
    rows = read_rows(sheet)
    if rows:
        missing = [c for c in COLUMNS if c not in rows[0][1]]
        if missing:
            result.problems.append(
                f"{sheet.name}:1: header: missing column(s) {', '.join(missing)}"
            )
            return result
    parsed: list[Measure] = []
    markets = _known_markets(knowledge_dir)
    for number, row in rows:
        record = row_to_record(row, today)
        if markets and record["market"] not in markets:
            result.problems.append(
                f"{sheet.name}:{number}: market: unknown market {record['market']!r} "
                f"(known: {', '.join(markets)}; add one to {MARKETS_FILE})"
            )
        try:
            parsed.append(Measure.model_validate(record))
        except ValidationError as exc:
            for err in exc.errors():
                column = str(err["loc"][0]) if err["loc"] else "row"
                result.problems.append(f"{sheet.name}:{number}: {column}: {err['msg']}")
    seen: dict[str, int] = {}
    for (number, _), measure in zip(rows, parsed, strict=False):
        if measure.id in seen:
            result.problems.append(
                f"{sheet.name}:{number}: id: duplicate of row {seen[measure.id]} ({measure.id})"
            )
        seen[measure.id] = number
    if result.problems:
        return result
    path = knowledge_dir / MEASURES_FILE
    current = MeasuresFile.model_validate(_read_yaml(path) or {}).measures if path.exists() else []
    by_id = {m.id: m for m in current}
    for measure in parsed:
        old = by_id.get(measure.id)
        if old is not None:  # dates kept by hand (per group, postponements) survive a re-import
            measure = measure.model_copy(
                update={
                    "history": old.history,
                    "applies_from": measure.applies_from or old.applies_from,
                }
            )
        if old is None:
            result.added.append(measure.id)
        elif old.model_dump(exclude={"reviewed_on"}) == measure.model_dump(exclude={"reviewed_on"}):
            result.unchanged.append(measure.id)
            continue
        else:
            result.updated.append(measure.id)
        by_id[measure.id] = measure
    if (result.added or result.updated) and not dry_run:
        write_measures(path, list(by_id.values()))
    return result


def _read_yaml(path: Path) -> Any:
    """A knowledge file's data, parsed within the knowledge files' bounds (no aliases)."""
    try:
        return parse_yaml(read_text(path))[0]
    except YamlProblem as exc:
        where = f"{path.name}:{exc.line}" if exc.line else path.name
        raise InputError(f"{where}: {exc.message}") from exc


def _known_markets(knowledge_dir: Path) -> list[str]:
    """The market ids of the knowledge's markets file (empty if it is missing or invalid).

    A file the YAML parser refuses (a bomb, say) raises InputError naming it: every row would
    otherwise be reported as an unknown market, which is not the problem.
    """
    path = knowledge_dir / MARKETS_FILE
    try:
        return [m.id for m in MarketsFile.model_validate(_read_yaml(path)).markets]
    except (OSError, ValidationError):
        return []


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value or len(value) > 90 else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def write_measures(path: Path, measures: list[Measure]) -> None:
    """Write the measures file atomically, in a stable layout."""
    data = {"measures": [m.model_dump(mode="python") for m in measures]}
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    staging = path.with_name(f".{path.name}.import")
    staging.write_text(HEADER + body, encoding="utf-8")
    staging.replace(path)


@dataclass
class TableReport:
    """The outcome of `assistant tbt import FILE`, whichever kind of table the file holds."""

    kind: str  # "notifications" (an ePing/WTO export) or "measures" (the curated sheet)
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: bool = False
    rows: int = 0


def import_table(
    knowledge_dir: Path, path: Path, today: dt.date, dry_run: bool = False, keep_good: bool = False
) -> TableReport:
    """Import a staff sheet of measures or an export of WTO notifications, told by its header.

    With any rejected row nothing is written, unless `keep_good` asks to write the good rows.
    """
    from assistant.notify_import import import_notifications, looks_like_notifications

    header, rows = open_table(path)
    if not looks_like_notifications(header):
        close = getattr(rows, "close", None)
        if close is not None:
            close()
        curated = import_measures(knowledge_dir, path, today, dry_run)
        written = bool(curated.added or curated.updated) and not curated.problems and not dry_run
        return TableReport(
            "measures",
            curated.added,
            curated.updated,
            curated.unchanged,
            curated.problems,
            written=written,
            rows=len(curated.added) + len(curated.updated) + len(curated.unchanged),
        )
    result = import_notifications(
        knowledge_dir / NOTIFICATIONS_FILE,
        rows,
        header,
        list(_markets(knowledge_dir)),
        today,
        dry_run=dry_run,
        keep_good=keep_good,
    )
    return TableReport(
        "notifications",
        result.added,
        result.updated,
        result.unchanged,
        [str(r) for r in result.rejected],
        [str(r) for r in result.notes],
        result.written,
        result.total,
    )


def _markets(knowledge_dir: Path) -> list[Market]:
    path = knowledge_dir / MARKETS_FILE
    try:
        return MarketsFile.model_validate(_read_yaml(path)).markets
    except (OSError, ValidationError, InputError) as exc:
        raise InputError(f"{MARKETS_FILE}: cannot be read ({exc})") from exc


def summary_line(report: TableReport, dry_run: bool = False) -> str:
    """'notifications: 5 rows; added 3, updated 1, unchanged 1, rejected 0' and what next."""
    what = "notifications" if report.kind == "notifications" else "measures"
    line = (
        f"{what}: {report.rows} row(s); added {len(report.added)}, updated "
        f"{len(report.updated)}, unchanged {len(report.unchanged)}, rejected {len(report.rejected)}"
    )
    if dry_run:
        return line + " (dry run: nothing written)"
    if report.written:
        return line + "; run `assistant index` (or /reload in the bot) to use them"
    return line
