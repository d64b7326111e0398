"""The loaded knowledge base: every record, indexed by id, with small lookups."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from assistant.knowledge.body import Body, Paragraph, Section
from assistant.knowledge.models import (
    Agency,
    Deadline,
    FundingFile,
    GuidanceEntry,
    Market,
    Measure,
    Place,
    PlanMeta,
    Product,
    SupportProgramme,
    Target,
    Task,
    TaskGroup,
)
from assistant.knowledge.notifications import NOTIFICATIONS_FILE, Parsed


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything the assistant knows, validated and cross-checked."""

    plan: PlanMeta
    body: Body
    groups: dict[str, TaskGroup]
    tasks: dict[str, Task]
    agencies: dict[str, Agency]
    targets: dict[str, Target]
    deadlines: dict[str, Deadline]
    programmes: dict[str, SupportProgramme]
    funding: FundingFile
    guidance: dict[str, GuidanceEntry]
    products: dict[str, Product]
    measures: dict[str, Measure]
    markets: dict[str, Market] = field(default_factory=dict)
    home: Place | None = None
    places: dict[str, Place] = field(default_factory=dict)
    countries: dict[str, Place] = field(default_factory=dict)
    file_hashes: dict[str, str] = field(default_factory=dict)
    record_files: dict[str, str] = field(default_factory=dict)
    # measures known only from an imported WTO notification (no curated record)
    notified_only: frozenset[str] = frozenset()
    # the notifications as parsed, so the next load shares what has not changed
    notifications_parsed: Parsed | None = field(default=None, compare=False, repr=False)
    # each YAML file as parsed (frozen models), for the next load to reuse while its hash in
    # `file_hashes` is unchanged
    files_parsed: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    @property
    def paragraphs(self) -> dict[str, Paragraph]:
        """Plan paragraphs by id."""
        return {p.id: p for p in self.body.paragraphs}

    @property
    def sections(self) -> dict[str, Section]:
        """Plan headings by id."""
        return {s.id: s for s in self.body.sections}

    def section_text(self, section_id: str) -> str:
        """The text of a paragraph id, or all paragraphs under a heading id."""
        paras = self.paragraphs
        if section_id in paras:
            return paras[section_id].text
        return "\n".join(
            p.text
            for p in self.body.paragraphs
            if p.id == section_id or p.id.startswith(section_id + ".")
        )

    def tasks_led_by(self, agency_id: str) -> list[Task]:
        """Tasks whose lead agency is the given one."""
        return [t for t in self.tasks.values() if t.lead == agency_id]

    def tasks_partnered_by(self, agency_id: str) -> list[Task]:
        """Tasks where the given agency coordinates."""
        return [t for t in self.tasks.values() if agency_id in t.partners]

    def targets_of(self, task: Task) -> list[Target]:
        """The targets a task carries, in file order."""
        return [self.targets[t] for t in task.targets if t in self.targets]

    def measure_file(self, measure_id: str) -> str:
        """The knowledge file a measure comes from."""
        if measure_id in self.notified_only:
            return NOTIFICATIONS_FILE
        return "tbt/measures.yaml"

    def market_name(self, market_id: str, lang: str = "vi") -> str:
        """A market's display name in the given language (its id if unknown)."""
        market = self.markets.get(market_id)
        if market is None:
            return market_id
        return market.name_en if lang == "en" else market.name_vi

    def untracked_countries(self, ids: Iterable[str]) -> list[Place]:
        """The named countries no followed market covers (Australia; not Germany, in the EU)."""
        return [self.countries[c] for c in ids if self.countries[c].market is None]

    def agency_names(self, ids: Iterable[str], lang: str = "vi") -> list[str]:
        """Display names of agencies in the given language."""
        out = []
        for agency_id in ids:
            agency = self.agencies.get(agency_id)
            if agency is not None:
                out.append(agency.name_en if lang == "en" else agency.name_vi)
        return out

    @property
    def knowledge_hash(self) -> str:
        """A stable hash over all knowledge files, for the index manifest."""
        return self._files_hash()

    @property
    def names_hash(self) -> str:
        """A hash over the files that name things (all but the imported notifications).

        The intent model reads names, not notifications: importing 1,000 of them must not
        retrain it.
        """
        return self._files_hash(leave_out=NOTIFICATIONS_FILE)

    def _files_hash(self, leave_out: str | None = None) -> str:
        import hashlib

        digest = hashlib.sha256()
        for name in sorted(self.file_hashes):
            if name != leave_out:
                digest.update(name.encode())
                digest.update(self.file_hashes[name].encode())
        return digest.hexdigest()[:16]

    @property
    def entry_count(self) -> int:
        """How many records and paragraphs the knowledge holds."""
        return (
            len(self.tasks)
            + len(self.agencies)
            + len(self.targets)
            + len(self.deadlines)
            + len(self.programmes)
            + len(self.guidance)
            + len(self.products)
            + len(self.measures)
            + len(self.body.paragraphs)
            + len(self.funding.sources)
            + len(self.plan.legal_bases)
        )
