"""Take in WTO TBT/SPS notifications in bulk from an ePing or WTO export (CSV or XLSX).

Columns are matched by name, tolerantly: case, marks, spacing and punctuation do not matter, and
the names ePing, the WTO documents and Vietnamese TBT bulletins use are all known (the mapping
is `notify_columns.yaml`, shown in knowledge/README.md). A row whose symbol carries /Add.N, /Corr.N,
/Rev.N or /Suppl.N is a follow-up: it updates its notification, which must be in the same file
or already imported. Every row is checked first; with any rejected row nothing is written
unless the caller accepts the good rows, and the file is replaced atomically, so a broken or
interrupted import never leaves a half-written database.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from assistant.knowledge import notifications as store
from assistant.knowledge.models import Market, Status
from assistant.knowledge.notifications import FollowUp, Notification
from assistant.text import fold_plain

MAX_ROWS = 100_000
# the names of columns and status values exports use, kept as data (notify_columns.yaml)
_NAMES = yaml.safe_load((Path(__file__).with_name("notify_columns.yaml")).read_text("utf-8"))
# canonical field -> the column names it is known by (compared folded: no marks, lower case)
COLUMNS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _NAMES["columns"].items()}
REQUIRED = ("symbol", "title")
NO_DATE = re.compile(
    r"^(n/?a|none|not (applicable|stated|known)|to be determined|tbd|-+|"
    r"khong|chua xac dinh|khong ap dung)$"
)
RELATIVE = re.compile(r"\b(days?|months?|ngay|thang)\b")
STATUS_WORDS: tuple[tuple[re.Pattern[str], Status], ...] = (
    (re.compile(r"\bwithdr[ae]wn?\b|\bthu hoi\b|\bhuy bo\b"), "withdrawn"),
    (
        re.compile(r"entered into force|enters into force|\bcó hiệu lực\b|co hieu luc tu"),
        "in_force",
    ),
    (re.compile(r"\badopted\b|\bpublished\b|\bthong qua\b"), "adopted"),
)
STATUS_VALUES: dict[str, Status] = _NAMES["status"]


@dataclass(frozen=True)
class Rejected:
    """One row left out, and why."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.column}: {self.reason}"


@dataclass
class NotificationImport:
    """What an import found (per row) and did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    notes: list[Rejected] = field(default_factory=list)  # kept, with a remark (codes dropped)
    written: bool = False
    total: int = 0


def header_fields(header: list[str]) -> dict[str, str]:
    """Canonical field -> the header cell that holds it."""
    out: dict[str, str] = {}
    for cell in header:
        key = _fold(cell)
        for name, known in COLUMNS.items():
            if key in known and name not in out:
                out[name] = cell
    return out


def looks_like_notifications(header: list[str]) -> bool:
    """A notification export names a symbol and a title, and has no curated summary."""
    found = header_fields(header)
    return all(f in found for f in REQUIRED) and "summary_vi" not in {h.lower() for h in header}


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9/]+", " ", fold_plain(str(text))).split())


def parse_date(value: Any) -> dt.date | None:
    """A date in any common form; None for 'not applicable' or a period in words.

    Raises ValueError for something written as a date that is not one (31/13/2026).
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    folded = fold_plain(text).strip(" .")
    if not folded or NO_DATE.match(folded) or RELATIVE.search(folded):
        return None
    text = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text.split("T")[0].strip())
    for form in (
        "%Y-%m-%d",
        "%d/%m/%Y",
        "%d.%m.%Y",
        "%d-%m-%Y",
        "%d %B %Y",
        "%d %b %Y",
        "%B %d, %Y",
        "%b %d, %Y",
        "%Y/%m/%d",
    ):
        try:
            return dt.datetime.strptime(text, form).date()
        except ValueError:
            continue
    if re.fullmatch(r"[\d\s./-]+", text) or re.fullmatch(r"\d{1,2}\s+\w+\s+\d{4}", text):
        raise ValueError(f"not a date: {text[:40]!r} (write it as 2026-12-31 or 31/12/2026)")
    return None  # a period in words ("first quarter of 2026", "upon publication")


def parse_codes(text: str) -> tuple[list[str], list[str]]:
    """HS codes as 2, 4 or 6 digits ('0901.11.00' -> '090111'); and the pieces dropped."""
    codes: list[str] = []
    dropped: list[str] = []
    for piece in re.split(r"[,;/\n]+", text or ""):
        words = re.sub(r"(?i)\b(hs|codes?|ex)\b|[:()]", " ", piece)
        tokens = re.findall(r"\d[\d.]*", words)
        if re.search(r"[^\d.\s]", words) or any(
            len(t.replace(".", "")) < 2 or len(t.replace(".", "")[:6]) % 2 for t in tokens
        ):
            if piece.strip():
                dropped.append(piece.strip())
            continue
        for token in tokens:
            code = token.replace(".", "")[:6]
            if code not in codes:
                codes.append(code)
    return codes, dropped


def market_of(symbol_member: str, member: str, markets: list[Market]) -> Market | None:
    """The tracked market a notification comes from: by the symbol's member code, or name."""
    for m in markets:
        if symbol_member in m.wto_codes:
            return m
    name = _fold(member)
    for m in markets:
        names = {_fold(n) for n in (m.name_vi, m.name_en, *m.aliases, *m.wto_names)}
        if name and name in names:
            return m
    return None


def _status(value: str, text: str) -> Status | None:
    given = STATUS_VALUES.get(_fold(value).replace("_", " "))
    if given or value:
        return given
    plain = fold_plain(text)
    for pattern, status in STATUS_WORDS:
        if pattern.search(plain):
            return status
    return None


@dataclass
class _Row:
    number: int
    cells: dict[str, Any]


def rows_of(raw: Iterator[tuple[int, dict[str, Any]]], columns: dict[str, str]) -> Iterator[_Row]:
    """Rows with canonical field names."""
    for number, row in raw:
        yield _Row(number, {name: row.get(cell) for name, cell in columns.items()})


def import_notifications(
    path: Path,
    raw: Iterator[tuple[int, dict[str, Any]]],
    header: list[str],
    markets: list[Market],
    today: dt.date,
    dry_run: bool = False,
    keep_good: bool = False,
) -> NotificationImport:
    """Check every row, then add or update notifications and write the file once."""
    result = NotificationImport()
    columns = header_fields(header)
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        result.rejected.append(Rejected(1, "header", f"missing column(s): {', '.join(missing)}"))
        return result
    current, problems = store.load(path)
    if problems:
        result.rejected.append(Rejected(0, "database", f"{problems[0]}; fix it before importing"))
        return result
    by_symbol = {n.symbol: n for n in current}
    fresh: dict[str, tuple[int, Notification]] = {}
    follow_rows: list[tuple[_Row, str, FollowUp]] = []
    for row in rows_of(raw, columns):
        result.total += 1
        if result.total > MAX_ROWS:
            result.rejected = [
                Rejected(
                    row.number,
                    "file",
                    f"more than {MAX_ROWS:,} rows; split the file and import the parts one by one",
                )
            ]
            return result
        _read_row(row, markets, today, fresh, follow_rows, result)
    for row, base, follow in follow_rows:
        if base not in fresh and base not in by_symbol:
            result.rejected.append(
                Rejected(
                    row.number,
                    "symbol",
                    f"{follow.symbol} follows {base}, which is neither in this file nor imported",
                )
            )
            follow_rows = [f for f in follow_rows if f[0] is not row]
    if result.rejected and not keep_good:
        return result
    changed = _apply(by_symbol, fresh, follow_rows, result)
    if changed and not dry_run:
        path.parent.mkdir(parents=True, exist_ok=True)
        store.save(path, by_symbol.values())
        result.written = True
    return result


def _cell(row: _Row, name: str) -> str:
    value = row.cells.get(name)
    return "" if value is None else str(value).strip()


def _read_row(
    row: _Row,
    markets: list[Market],
    today: dt.date,
    fresh: dict[str, tuple[int, Notification]],
    follow_rows: list[tuple[_Row, str, FollowUp]],
    result: NotificationImport,
) -> None:
    parts = store.split_symbol(_cell(row, "symbol"))
    if parts is None:
        shown = _cell(row, "symbol")[:40] or "(empty)"
        result.rejected.append(
            Rejected(
                row.number,
                "symbol",
                f"not a WTO symbol: {shown!r} (like G/TBT/N/EU/953 or G/SPS/N/CHN/1324/Add.1)",
            )
        )
        return
    base, steps = parts
    dates: dict[str, dt.date | None] = {}
    for name in (
        "distributed_on",
        "comment_deadline",
        "adoption_proposed",
        "entry_into_force_proposed",
    ):
        try:
            dates[name] = parse_date(row.cells.get(name))
        except ValueError as exc:
            result.rejected.append(Rejected(row.number, name, str(exc)))
            return
    codes, dropped = parse_codes(_cell(row, "hs_codes"))
    if not codes and not _cell(row, "hs_codes"):
        inline = re.findall(r"(?i)\bHS(?:\s*codes?)?\s*:?\s*([\d.;,\s]+)", _cell(row, "products"))
        codes, _ = parse_codes(";".join(inline))
    if dropped:
        result.notes.append(
            Rejected(row.number, "hs_codes", f"not an HS code, left out: {', '.join(dropped)[:80]}")
        )
    text = _cell(row, "description") or _cell(row, "title")
    status = _status(_cell(row, "status"), text)
    if steps:
        kind, suffix = steps[-1]
        try:
            follow = FollowUp(
                symbol=f"{base}/{'/'.join(s for _, s in steps)}",
                kind=kind,
                status=status,
                text=text or None,
                hs_codes=codes,
                title=_cell(row, "title") or None,
                products=_cell(row, "products") or None,
                **dates,
            )
        except ValidationError as exc:
            err = exc.errors()[0]
            result.rejected.append(Rejected(row.number, str(err["loc"][0]), err["msg"]))
            return
        follow_rows.append((row, base, follow))
        return
    market = market_of(base.split("/")[3], _cell(row, "member"), markets)
    if market is None:
        who = _cell(row, "member") or base.split("/")[3]
        result.rejected.append(
            Rejected(
                row.number,
                "member",
                f"{who[:40]!r} is not a market we "
                "track (add it to tbt/markets.yaml, or leave the row out)",
            )
        )
        return
    if base in fresh:
        result.rejected.append(
            Rejected(row.number, "symbol", f"{base} again (first in row {fresh[base][0]})")
        )
        return
    record = {
        "symbol": base,
        "market": market.id,
        "member": _cell(row, "member") or market.name_en,
        "title": _cell(row, "title"),
        "description": _cell(row, "description") or None,
        "products": _cell(row, "products") or None,
        "hs_codes": codes,
        "ics_codes": [c for c in re.split(r"[,;\s]+", _cell(row, "ics_codes")) if c],
        "objective": _cell(row, "objective") or None,
        "status": status or "draft",
        "link": _cell(row, "link") or None,
        "imported_on": today,
        **dates,
    }
    try:
        fresh[base] = (row.number, Notification.model_validate(record))
    except ValidationError as exc:
        err = exc.errors()[0]
        column = str(err["loc"][0]) if err["loc"] else "row"
        result.rejected.append(Rejected(row.number, column, err["msg"]))


def _apply(
    by_symbol: dict[str, Notification],
    fresh: dict[str, tuple[int, Notification]],
    follow_rows: list[tuple[_Row, str, FollowUp]],
    result: NotificationImport,
) -> bool:
    """Merge the file's rows into the database; True if anything changed."""
    changed = False
    for base, (_, new) in fresh.items():
        old = by_symbol.get(base)
        if old is None:
            by_symbol[base] = new
            result.added.append(base)
            changed = True
            continue
        kept = new.model_copy(update={"follow_ups": old.follow_ups})
        if kept.model_dump(exclude={"imported_on"}) == old.model_dump(exclude={"imported_on"}):
            result.unchanged.append(base)
        else:
            by_symbol[base] = kept
            result.updated.append(base)
            changed = True
    for _, base, follow in follow_rows:
        target = by_symbol[base]
        if follow in target.follow_ups:
            result.unchanged.append(follow.symbol)
            continue
        others = [f for f in target.follow_ups if f.symbol != follow.symbol]
        ordered = sorted(
            [*others, follow], key=lambda f: (f.distributed_on or dt.date.min, f.symbol)
        )
        by_symbol[base] = target.model_copy(update={"follow_ups": ordered})
        first = base in result.added and len(others) == len(target.follow_ups)
        (result.added if first else result.updated).append(follow.symbol)
        changed = True
    return changed
