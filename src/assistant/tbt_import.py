"""Import foreign TBT measures from a staff spreadsheet (CSV or XLSX) into tbt/measures.yaml."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from assistant.errors import InputError
from assistant.knowledge.loader import read_text
from assistant.knowledge.models import MarketsFile, Measure, MeasuresFile

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
OPTIONAL = ("id", "adopted_on", "reviewed_on", "all_products", "applies_from")
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


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV or XLSX file as (spreadsheet row number, column -> text)."""
    if path.suffix.lower() == ".csv":
        text = path.read_bytes().decode("utf-8-sig")
        reader = csv.DictReader(io.StringIO(text))
        return [(i, _clean(r)) for i, r in enumerate(reader, start=2)]
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        values = list(sheet.iter_rows(values_only=True))
        if not values:
            return []
        header = [str(h or "").strip() for h in values[0]]
        return [
            (i, _clean(dict(zip(header, row, strict=False))))
            for i, row in enumerate(values[1:], start=2)
            if any(c is not None for c in row)
        ]
    raise InputError(f"{path.name}: only .csv and .xlsx files can be imported")


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
    current = (
        MeasuresFile.model_validate(yaml.safe_load(read_text(path)) or {}).measures
        if (path.exists())
        else []
    )
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


def _known_markets(knowledge_dir: Path) -> list[str]:
    """The market ids of the knowledge's markets file (empty if it cannot be read)."""
    path = knowledge_dir / MARKETS_FILE
    try:
        return [m.id for m in MarketsFile.model_validate(yaml.safe_load(read_text(path))).markets]
    except (OSError, ValidationError, yaml.YAMLError):
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
