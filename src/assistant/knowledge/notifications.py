"""WTO TBT and SPS notifications taken in bulk (from ePing or WTO exports), one JSON line each.

Curated measures live in `tbt/measures.yaml` and are written by hand; notifications live in
`tbt/notifications.jsonl` and are written only by `assistant tbt import`. A notification whose
symbol a curated measure also carries is that measure: the curated fields win, and the
notification only fills dates the curated record leaves empty and adds its addenda to the
history. Every other notification becomes a measure of its own, titled in the notifying
member's words, so answers, `/watch` and `/deadlines` treat both kinds the same way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal, NamedTuple

from pydantic import Field, StringConstraints, ValidationError

from assistant.errors import Problem
from assistant.knowledge.models import (
    FileModel,
    HsCode,
    MarketId,
    Measure,
    MeasureType,
    Status,
    StatusChange,
    Text,
    Url,
)

NOTIFICATIONS_FILE = "tbt/notifications.jsonl"
# G/TBT/N/EU/953, G/SPS/N/USA/3203; a follow-up adds /Add.1, /Corr.1, /Rev.1 or /Suppl.1
BASE_SYMBOL = r"G/(TBT|SPS)/N/([A-Z]{2,3})/(\d+)"
SYMBOL_RE = re.compile(rf"^{BASE_SYMBOL}((?:/(?:Rev|Add|Corr|Suppl)\.\d+)*)$", re.IGNORECASE)
BaseSymbol = Annotated[str, StringConstraints(pattern=rf"^{BASE_SYMBOL}$")]
DocSymbol = Annotated[
    str, StringConstraints(pattern=rf"^{BASE_SYMBOL}(/(Rev|Add|Corr|Suppl)\.\d+)+$")
]
Kind = Literal["addendum", "corrigendum", "revision", "supplement"]
KINDS: dict[str, Kind] = {
    "add": "addendum",
    "corr": "corrigendum",
    "rev": "revision",
    "suppl": "supplement",
}


class FollowUp(FileModel):
    """An addendum, corrigendum, revision or supplement to a notification."""

    symbol: DocSymbol
    kind: Kind
    distributed_on: dt.date | None = None
    status: Status | None = None  # what the follow-up says happened: adopted, withdrawn...
    text: str | None = None
    # what it changes in the notification (a revision may restate the whole of it)
    title: str | None = None
    products: str | None = None
    hs_codes: list[HsCode] = Field(default_factory=list)
    comment_deadline: dt.date | None = None
    adoption_proposed: dt.date | None = None
    entry_into_force_proposed: dt.date | None = None


class Notification(FileModel):
    """One notification to the WTO, with the follow-ups that changed it."""

    symbol: BaseSymbol
    market: MarketId
    member: Text
    title: Text
    description: str | None = None
    products: str | None = None
    hs_codes: list[HsCode] = Field(default_factory=list)
    ics_codes: list[str] = Field(default_factory=list)
    objective: str | None = None
    distributed_on: dt.date | None = None
    comment_deadline: dt.date | None = None
    adoption_proposed: dt.date | None = None
    entry_into_force_proposed: dt.date | None = None
    status: Status = "draft"
    link: Url | None = None
    follow_ups: list[FollowUp] = Field(default_factory=list)
    imported_on: dt.date

    @property
    def agreement(self) -> str:
        """TBT or SPS, from the symbol."""
        return self.symbol.split("/")[1]

    def current(self) -> Notification:
        """The notification as its follow-ups left it: later dates and status win.

        A corrigendum or addendum changes only what it states; a revision may restate the
        title, products and codes too.
        """
        update: dict[str, object] = {}
        for f in self.follow_ups:
            for name in (
                "comment_deadline",
                "adoption_proposed",
                "entry_into_force_proposed",
                "status",
            ):
                if getattr(f, name) is not None:
                    update[name] = getattr(f, name)
            if f.kind == "revision":
                for name in ("title", "products"):
                    if getattr(f, name):
                        update[name] = getattr(f, name)
                if f.hs_codes:
                    update["hs_codes"] = f.hs_codes
        return self.model_copy(update=update) if update else self


def split_symbol(text: str) -> tuple[str, list[tuple[Kind, str]]] | None:
    """'G/TBT/N/EU/953/Add.1' -> ('G/TBT/N/EU/953', [('addendum', 'Add.1')]); None if not one."""
    compact = re.sub(r"\s+", "", text or "")
    m = SYMBOL_RE.match(compact)
    if m is None:
        return None
    base = f"G/{m.group(1).upper()}/N/{m.group(2).upper()}/{int(m.group(3))}"
    parts = [p for p in m.group(4).split("/") if p]
    out: list[tuple[Kind, str]] = []
    for part in parts:
        name, number = part.split(".")
        canon = {"add": "Add", "corr": "Corr", "rev": "Rev", "suppl": "Suppl"}[name.lower()]
        out.append((KINDS[name.lower()], f"{canon}.{int(number)}"))
    return base, out


def measure_id(symbol: str) -> str:
    """The measure id of a notification: its symbol as a slug (g-tbt-n-eu-953)."""
    return re.sub(r"[^a-z0-9]+", "-", symbol.lower()).strip("-")


@dataclass
class Parsed:
    """The measures one load made from notification lines, for the next load to share.

    Records are immutable, so a line that has not changed since the last load (and that no
    curated record has since claimed) is the same Measure without being parsed again: a
    generation built beside the one in service holds only what changed (docs/PERFORMANCE.md).
    """

    lines: dict[bytes, Measure] = field(default_factory=dict)  # by the line's digest


class Line(NamedTuple):
    """One line of the file: where it is, its digest, and what it is."""

    number: int
    key: bytes
    item: Notification | Measure


def load(path: Path, rel: str = NOTIFICATIONS_FILE) -> tuple[list[Notification], list[Problem]]:
    """Every notification of the file, and a problem per bad line (file, line, field)."""
    lines, problems = load_lines(path, rel)
    return [line.item for line in lines if isinstance(line.item, Notification)], problems


def load_lines(
    path: Path,
    rel: str = NOTIFICATIONS_FILE,
    previous: Parsed | None = None,
    claimed: frozenset[str] = frozenset(),
) -> tuple[list[Line], list[Problem]]:
    """Each line as a Notification, or as the Measure `previous` made of that very line.

    `claimed` are the base symbols curated records carry: their lines are always parsed, to be
    merged into the curated record.
    """
    if not path.exists():
        return [], []
    known = previous.lines if previous else {}
    out: list[Line] = []
    problems: list[Problem] = []
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            key = hashlib.blake2b(raw, digest_size=16).digest()
            kept = known.get(key)
            if kept is not None and kept.symbol not in claimed:
                out.append(Line(number, key, kept))
                continue
            try:
                out.append(Line(number, key, Notification.model_validate_json(raw)))
            except ValidationError as exc:
                for err in exc.errors()[:3]:
                    loc = ".".join(str(p) for p in err["loc"]) or "line"
                    problems.append(Problem(rel, number, loc, err["msg"]))
    return out, problems


def curated_symbols(curated: Iterable[Measure]) -> dict[str, str]:
    """Base symbol -> id of the curated record that is that notification."""
    return {parts[0]: m.id for m in curated if (parts := split_symbol(m.symbol or "")) is not None}


def save(path: Path, notifications: Iterable[Notification]) -> None:
    """Write every notification, sorted by symbol, atomically (a reader never sees half a file)."""
    rows = sorted(notifications, key=_sort_key)
    staging = path.with_name(f".{path.name}.import")
    with staging.open("w", encoding="utf-8") as handle:
        for n in rows:
            handle.write(n.model_dump_json(exclude_defaults=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(staging, path)


def _sort_key(n: Notification) -> tuple[str, str, int]:
    _, agreement, _, member, number = n.symbol.split("/")
    return (member, agreement, int(number))


def _history(n: Notification) -> list[StatusChange]:
    out = []
    for f in n.follow_ups:
        if f.distributed_on is None:
            continue
        text = (f.text or "").strip()
        short = text if len(text) <= 300 else text[:297].rstrip() + "…"
        out.append(
            StatusChange(
                date=f.distributed_on,
                status=f.status or n.status,
                note_vi=f"{f.symbol} (văn bản gốc tiếng Anh){': ' + short if short else ''}",
                note_en=f"{f.symbol}{': ' + short if short else ''}",
                source=n.link,
            )
        )
    return out


def as_measure(original: Notification) -> Measure:
    """A notification no curated record covers, as a measure in its member's own words."""
    n = original.current()
    measure_type: MeasureType = (
        "sanitary_phytosanitary" if n.agreement == "SPS" else "technical_regulation"
    )
    return Measure(
        id=measure_id(n.symbol),
        market=n.market,
        symbol=n.symbol,
        title=n.title,
        products=n.products or n.title,
        hs_codes=n.hs_codes,
        measure_type=measure_type,
        status=n.status,
        notified_on=n.distributed_on,
        comment_deadline=n.comment_deadline,
        adopted_on=None,
        entry_into_force=n.entry_into_force_proposed,
        history=_history(n),
        summary_vi=None,
        summary_en=" ".join(p for p in (n.description, n.objective) if p) or None,
        source_url=n.link or "https://eping.wto.org/",
        reviewed_on=n.imported_on,
    )


def merge(curated: Measure, original: Notification) -> Measure:
    """A curated measure with the dates its notification adds; curated fields always win."""
    n = original.current()
    update: dict[str, object] = {}
    for mine, theirs in (
        ("notified_on", n.distributed_on),
        ("comment_deadline", n.comment_deadline),
        ("entry_into_force", n.entry_into_force_proposed),
    ):
        if getattr(curated, mine) is None and theirs is not None:
            update[mine] = theirs
    known = {(h.date, h.note_en) for h in curated.history}
    extra = [h for h in _history(n) if (h.date, h.note_en) not in known]
    if extra:
        update["history"] = sorted([*curated.history, *extra], key=lambda h: h.date)
    return curated.model_copy(update=update) if update else curated


def combine(
    curated: dict[str, Measure], lines: Iterable[Line], parsed: Parsed | None = None
) -> dict[str, Measure]:
    """Curated measures (enriched by their notifications) followed by every other notification.

    The measures made of lines no curated record claims are remembered in `parsed`.
    """
    by_symbol = curated_symbols(curated.values())
    out = dict(curated)
    for _, key, item in lines:
        if isinstance(item, Notification) and item.symbol in by_symbol:
            mid = by_symbol[item.symbol]
            out[mid] = merge(out[mid], item)
            continue
        measure = item if isinstance(item, Measure) else as_measure(item)
        if measure.id in out:
            continue
        out[measure.id] = measure
        if parsed is not None:
            parsed.lines[key] = measure
    return out
