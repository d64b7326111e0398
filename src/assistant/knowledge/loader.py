"""Load every knowledge file in one pass, collecting all problems as file:line: field: message."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistant.errors import KnowledgeError, Problem
from assistant.knowledge import notifications
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.body import Body, parse_body
from assistant.knowledge.models import (
    BODY_FILE,
    FILE_MODELS,
    REQUIRED_FILES,
    AgenciesFile,
    DeadlinesFile,
    FileModel,
    FundingFile,
    GuidanceFile,
    MarketsFile,
    MeasuresFile,
    PlacesFile,
    PlanFile,
    ProductsFile,
    SupportFile,
    TargetsFile,
    TasksFile,
)
from assistant.knowledge.notifications import NOTIFICATIONS_FILE
from assistant.knowledge.yamlio import LineMap, YamlProblem, line_for, parse_yaml

FRIENDLY = {
    "extra_forbidden": "unknown field (check the spelling; see knowledge/README.md)",
    "missing": "missing required field",
}


@dataclass
class _Parsed:
    rel: str
    model: FileModel
    lines: LineMap
    data: Any


def read_text(path: Path) -> str:
    """Read a knowledge file as NFC text, so composed and decomposed accents compare equal."""
    return unicodedata.normalize("NFC", path.read_bytes().decode("utf-8"))


def _known() -> str:
    return ", ".join([*FILE_MODELS, BODY_FILE])


def _parse_model(
    rel: str, text: str, model_cls: type[FileModel]
) -> tuple[_Parsed | None, list[Problem]]:
    try:
        data, lines, dups = parse_yaml(text)
    except YamlProblem as exc:
        return None, [Problem(rel, exc.line, "yaml", exc.message)]
    problems = [Problem(rel, line, key, "duplicate key") for line, key in dups]
    if not isinstance(data, dict):
        top = ", ".join(model_cls.model_fields)
        return None, [*problems, Problem(rel, 1, "file", f"expected top-level key(s): {top}")]
    try:
        model = model_cls.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            message = FRIENDLY.get(err["type"], err["msg"])
            problems.append(Problem(rel, line_for(lines, loc), _field_name(data, loc), message))
        return None, problems
    if problems:
        return None, problems
    return _Parsed(rel, model, lines, data), problems


def _field_name(data: Any, loc: Sequence[str | int]) -> str:
    """Readable field path; list items are named by their id where they have one."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and part < len(node) else None
            label = item.get("id") if isinstance(item, dict) else None
            out += f"[{label}]" if label is not None else f"[#{part + 1}]"
            node = item
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "file"


def load_knowledge(
    root: Path, previous: KnowledgeBase | None = None
) -> tuple[KnowledgeBase | None, list[Problem]]:
    """Validate every file under root; return the knowledge base only when nothing is wrong.

    `previous`, the knowledge base in service, lends its unchanged files and notification
    records.
    """
    problems: list[Problem] = []
    parsed: dict[str, _Parsed] = {}
    hashes: dict[str, str] = {}
    body: Body | None = None
    if not root.is_dir():
        return None, [Problem(str(root), None, "file", "knowledge folder not found")]
    present = {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}
    for rel in REQUIRED_FILES:
        if rel not in present:
            problems.append(Problem(rel, None, "file", "required file is missing"))
    notes_path: Path | None = None
    for rel, path in present.items():
        if rel == NOTIFICATIONS_FILE:
            hashes[rel] = _file_hash(path)
            notes_path = path  # read below, once the curated records are known
            continue
        if path.suffix in (".yml",):
            problems.append(Problem(rel, 1, "file", "use the .yaml extension"))
            continue
        if path.suffix != ".yaml" and rel != BODY_FILE:
            continue
        try:
            raw = path.read_bytes()
            text = read_text(path)
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(rel, None, "file", f"cannot read as UTF-8 text: {exc}"))
            continue
        hashes[rel] = hashlib.sha256(raw).hexdigest()
        if rel == BODY_FILE:
            body, found = parse_body(text, rel)
            problems.extend(found)
            continue
        model_cls = FILE_MODELS.get(rel)
        if model_cls is None:
            problems.append(Problem(rel, 1, "file", f"unknown knowledge file; known: {_known()}"))
            continue
        kept = previous.files_parsed.get(rel) if previous else None
        item: _Parsed | None
        if isinstance(kept, _Parsed) and previous and previous.file_hashes[rel] == hashes[rel]:
            item = kept  # unchanged since the knowledge in service: its records are frozen
        else:
            item, found = _parse_model(rel, text, model_cls)
            problems.extend(found)
        if item is not None:
            parsed[rel] = item
    curated = _get(parsed, "tbt/measures.yaml", MeasuresFile) or MeasuresFile()
    notified: list[notifications.Line] = []
    if notes_path is not None:
        notified, found = notifications.load_lines(
            notes_path,
            NOTIFICATIONS_FILE,
            previous.notifications_parsed if previous else None,
            frozenset(notifications.curated_symbols(curated.measures)),
        )
        problems.extend(found)
    if body is not None and not problems:
        problems.extend(_cross_check(parsed, body))
        problems.extend(_check_notified(parsed, notified))
    if problems or body is None:
        return None, problems
    return _assemble(parsed, body, hashes, notified), []


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_notified(
    parsed: dict[str, _Parsed], notified: Sequence[notifications.Line]
) -> list[Problem]:
    """Notifications name tracked markets, once each; curated measures carry both summaries."""
    problems: list[Problem] = []
    markets_f: MarketsFile | None = _get(parsed, "tbt/markets.yaml", MarketsFile)
    markets = {m.id for m in markets_f.markets} if markets_f else set()
    seen: set[str] = set()
    for number, _, n in notified:
        if n.market not in markets:
            problems.append(
                Problem(NOTIFICATIONS_FILE, number, "market", f"unknown market {n.market!r}")
            )
        symbol = n.symbol or ""
        if symbol in seen:
            problems.append(Problem(NOTIFICATIONS_FILE, number, "symbol", f"{symbol} twice"))
        seen.add(symbol)
    item = parsed.get("tbt/measures.yaml")
    if item is not None:
        for i, m in enumerate(item.model.measures):  # type: ignore[attr-defined]
            for key in ("summary_vi", "summary_en"):
                if not getattr(m, key):
                    line = line_for(item.lines, ("measures", i, "id"))
                    problems.append(
                        Problem(
                            "tbt/measures.yaml",
                            line,
                            f"measures[{m.id}].{key}",
                            FRIENDLY["missing"],
                        )
                    )
    return problems


def load_or_raise(root: Path, previous: KnowledgeBase | None = None) -> KnowledgeBase:
    """Load the knowledge base or raise KnowledgeError with every problem."""
    kb, problems = load_knowledge(root, previous)
    if kb is None:
        raise KnowledgeError(problems)
    return kb


def _get(parsed: dict[str, _Parsed], rel: str, cls: type[Any]) -> Any:
    item = parsed.get(rel)
    return item.model if item is not None and isinstance(item.model, cls) else None


class _Checker:
    """Collects cross-reference problems with the line of the offending field."""

    def __init__(self, parsed: dict[str, _Parsed]) -> None:
        self.parsed = parsed
        self.problems: list[Problem] = []

    def ref(
        self,
        rel: str,
        loc: tuple[str | int, ...],
        value: str | None,
        known: Iterable[str],
        what: str,
    ) -> None:
        if value is None or value in set(known):
            return
        item = self.parsed[rel]
        self.problems.append(
            Problem(
                rel,
                line_for(item.lines, loc),
                _field_name(item.data, loc),
                f"unknown {what} '{value}'",
            )
        )

    def unique(self, rel: str, key: str, ids: list[str], seen: dict[str, str]) -> None:
        item = self.parsed[rel]
        for i, value in enumerate(ids):
            if value in seen:
                self.problems.append(
                    Problem(
                        rel,
                        line_for(item.lines, (key, i, "id")),
                        f"{key}[{value}].id",
                        f"duplicate id (already used in {seen[value]})",
                    )
                )
            else:
                seen[value] = rel


def _cross_check(parsed: dict[str, _Parsed], body: Body) -> list[Problem]:
    c = _Checker(parsed)
    sections = body.ids()
    plan: PlanFile | None = _get(parsed, "plan.yaml", PlanFile)
    tasks_f: TasksFile | None = _get(parsed, "tasks.yaml", TasksFile)
    agencies_f: AgenciesFile | None = _get(parsed, "agencies.yaml", AgenciesFile)
    targets_f: TargetsFile | None = _get(parsed, "targets.yaml", TargetsFile)
    if not (plan and tasks_f and agencies_f and targets_f):
        return []
    agencies = [a.id for a in agencies_f.agencies]
    tasks = [t.id for t in tasks_f.tasks]
    groups = [g.id for g in tasks_f.groups]
    targets = {t.id: t for t in targets_f.targets}
    c.unique("agencies.yaml", "agencies", agencies, {})
    c.unique("tasks.yaml", "tasks", tasks, {})
    c.unique("tasks.yaml", "groups", groups, {})
    c.unique("targets.yaml", "targets", [t.id for t in targets_f.targets], {})
    c.ref("plan.yaml", ("plan", "issuer"), plan.plan.issuer, agencies, "agency")
    for i, a in enumerate(agencies_f.agencies):
        c.ref("agencies.yaml", ("agencies", i, "parent"), a.parent, agencies, "agency")
        c.ref("agencies.yaml", ("agencies", i, "member_of"), a.member_of, agencies, "agency")
        for j, duty in enumerate(a.duties):
            c.ref(
                "agencies.yaml",
                ("agencies", i, "duties", j, "section"),
                duty.section,
                sections,
                "plan section",
            )
    for i, t in enumerate(tasks_f.tasks):
        loc = ("tasks", i)
        c.ref("tasks.yaml", (*loc, "group"), t.group, groups, "group")
        c.ref("tasks.yaml", (*loc, "lead"), t.lead, agencies, "agency")
        c.ref("tasks.yaml", (*loc, "section"), t.section, sections, "plan section")
        for j, p in enumerate(t.partners):
            c.ref("tasks.yaml", (*loc, "partners", j), p, agencies, "agency")
        for j, tg in enumerate(t.targets):
            c.ref("tasks.yaml", (*loc, "targets", j), tg, targets, "target")
            if tg in targets and t.id not in targets[tg].tasks:
                c.problems.append(
                    Problem(
                        "tasks.yaml",
                        line_for(parsed["tasks.yaml"].lines, (*loc, "targets", j)),
                        f"tasks[{t.id}].targets",
                        f"target '{tg}' does not list task {t.id}",
                    )
                )
    for i, target in enumerate(targets_f.targets):
        c.ref("targets.yaml", ("targets", i, "section"), target.section, sections, "plan section")
        for j, tid in enumerate(target.tasks):
            c.ref("targets.yaml", ("targets", i, "tasks", j), tid, tasks, "task")
    deadlines: DeadlinesFile | None = _get(parsed, "deadlines.yaml", DeadlinesFile)
    if deadlines:
        c.unique("deadlines.yaml", "deadlines", [d.id for d in deadlines.deadlines], {})
        for i, d in enumerate(deadlines.deadlines):
            for key in ("who", "to"):
                for j, a_id in enumerate(getattr(d, key)):
                    c.ref("deadlines.yaml", ("deadlines", i, key, j), a_id, agencies, "agency")
            c.ref(
                "deadlines.yaml", ("deadlines", i, "section"), d.section, sections, "plan section"
            )
    support: SupportFile | None = _get(parsed, "support.yaml", SupportFile)
    if support:
        c.unique("support.yaml", "programmes", [p.id for p in support.programmes], {})
        for i, prog in enumerate(support.programmes):
            loc = ("programmes", i)
            c.ref("support.yaml", (*loc, "target"), prog.target, targets, "target")
            c.ref("support.yaml", (*loc, "task"), prog.task, tasks, "task")
            c.ref("support.yaml", (*loc, "lead"), prog.lead, agencies, "agency")
            c.ref("support.yaml", (*loc, "section"), prog.section, sections, "plan section")
    funding: FundingFile | None = _get(parsed, "funding.yaml", FundingFile)
    if funding:
        for i, s in enumerate(funding.sources):
            c.ref("funding.yaml", ("sources", i, "section"), s.section, sections, "plan section")
        for i, r in enumerate(funding.rules):
            c.ref("funding.yaml", ("rules", i, "section"), r.section, sections, "plan section")
    seen_guidance: dict[str, str] = {}
    for rel in ("tbt/guidance.yaml", "tbt/faq.yaml"):
        g: GuidanceFile | None = _get(parsed, rel, GuidanceFile)
        if g is None:
            continue
        c.unique(rel, "entries", [e.id for e in g.entries], seen_guidance)
        for i, e in enumerate(g.entries):
            for j, ref in enumerate(e.plan_refs):
                c.ref(
                    rel,
                    ("entries", i, "plan_refs", j),
                    ref,
                    sections | set(tasks),
                    "plan section or task",
                )
    products: ProductsFile | None = _get(parsed, "tbt/products.yaml", ProductsFile)
    if products:
        c.unique("tbt/products.yaml", "products", [p.id for p in products.products], {})
    measures: MeasuresFile | None = _get(parsed, "tbt/measures.yaml", MeasuresFile)
    markets_f: MarketsFile | None = _get(parsed, "tbt/markets.yaml", MarketsFile)
    markets = [m.id for m in markets_f.markets] if markets_f else []
    if markets_f:
        c.unique("tbt/markets.yaml", "markets", markets, {})
    if measures:
        c.unique("tbt/measures.yaml", "measures", [m.id for m in measures.measures], {})
        for i, m in enumerate(measures.measures):
            c.ref("tbt/measures.yaml", ("measures", i, "market"), m.market, markets, "market")
    places: PlacesFile | None = _get(parsed, "places.yaml", PlacesFile)
    for i, country in enumerate(places.countries if places else []):
        if country.market is not None:
            c.ref("places.yaml", ("countries", i, "market"), country.market, markets, "market")
    return c.problems


def _assemble(
    parsed: dict[str, _Parsed],
    body: Body,
    hashes: dict[str, str],
    notified: list[notifications.Line],
) -> KnowledgeBase:
    plan: PlanFile = _get(parsed, "plan.yaml", PlanFile)
    tasks_f: TasksFile = _get(parsed, "tasks.yaml", TasksFile)
    agencies_f: AgenciesFile = _get(parsed, "agencies.yaml", AgenciesFile)
    targets_f: TargetsFile = _get(parsed, "targets.yaml", TargetsFile)
    deadlines = _get(parsed, "deadlines.yaml", DeadlinesFile) or DeadlinesFile()
    support = _get(parsed, "support.yaml", SupportFile) or SupportFile()
    funding = _get(parsed, "funding.yaml", FundingFile)
    products = _get(parsed, "tbt/products.yaml", ProductsFile) or ProductsFile()
    measures = _get(parsed, "tbt/measures.yaml", MeasuresFile) or MeasuresFile()
    markets = _get(parsed, "tbt/markets.yaml", MarketsFile)
    places: PlacesFile | None = _get(parsed, "places.yaml", PlacesFile)
    guidance = {}
    record_files: dict[str, str] = {}
    for rel in ("tbt/guidance.yaml", "tbt/faq.yaml"):
        g = _get(parsed, rel, GuidanceFile)
        for e in g.entries if g else []:
            guidance[e.id] = e
            record_files[f"guidance:{e.id}"] = rel
    curated = {m.id: m for m in measures.measures}
    parsed_notes = notifications.Parsed()
    combined = notifications.combine(curated, notified, parsed_notes)
    return KnowledgeBase(
        plan=plan.plan,
        body=body,
        groups={g.id: g for g in tasks_f.groups},
        tasks={t.id: t for t in tasks_f.tasks},
        agencies={a.id: a for a in agencies_f.agencies},
        targets={t.id: t for t in targets_f.targets},
        deadlines={d.id: d for d in deadlines.deadlines},
        programmes={p.id: p for p in support.programmes},
        funding=funding if funding is not None else FundingFile(sources=[], rules=[]),
        guidance=guidance,
        products={p.id: p for p in products.products},
        measures=combined,
        notified_only=frozenset(combined) - {m.id for m in measures.measures},
        markets={m.id: m for m in markets.markets},
        home=places.home if places else None,
        places={p.id: p for p in places.others} if places else {},
        countries={c.id: c for c in places.countries} if places else {},
        file_hashes=hashes,
        record_files=record_files,
        notifications_parsed=parsed_notes,
        files_parsed=dict(parsed),
    )
