"""Pydantic models for every kind of knowledge file; unknown fields are rejected."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)]
TaskId = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]?(\.[1-9][0-9]?)?$")]
SectionId = Annotated[str, StringConstraints(pattern=r"^(I|II|III|IV|V)(\.[0-9a-z]+)*$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
MarketId = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,3}$")]
HsCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{2}([0-9]{2}){0,2}$")]

TIMEFRAME_RE = re.compile(r"^(Hàng năm|Giai đoạn (\d{4})-(\d{4}))$")


class FileModel(BaseModel):
    """Base of all file models: strict about unknown keys and immutable once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(FileModel):
    """A public source that confirms a fact not taken from the plan."""

    title: Text
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None
    ref: str | None = None


class Contact(FileModel):
    """Contact details, filled in by staff; empty until official values are known."""

    phone: str | None = None
    email: str | None = None
    address: str | None = None
    website: str | None = None


class Duty(FileModel):
    """One responsibility of an agency, pointing at the plan paragraph that states it."""

    section: SectionId
    summary_en: Text


class Agency(FileModel):
    """An agency or group of agencies named by the plan."""

    id: Slug
    kind: Literal["department", "sub_department", "group", "provincial", "ministry", "media"]
    name_vi: Text
    name_en: Text
    aliases: list[Text] = Field(default_factory=list)
    parent: Slug | None = None
    member_of: Slug | None = None
    duties: list[Duty] = Field(default_factory=list)
    contact: Contact | None = None


class TaskGroup(FileModel):
    """A numbered group of the appendix table (1 to 5)."""

    id: TaskId
    title_vi: Text
    title_en: Text


class Task(FileModel):
    """One row of the appendix table, copied as the table says."""

    id: TaskId
    group: TaskId
    title_vi: Text
    title_en: Text
    content_vi: list[Text] = Field(min_length=1)
    summary_en: Text
    lead: Slug
    lead_text: Text
    partners: list[Slug] = Field(min_length=1)
    partners_text: Text
    timeframe: Text
    targets: list[Slug] = Field(default_factory=list)
    section: SectionId
    keywords: list[Text] = Field(default_factory=list)

    @field_validator("timeframe")
    @classmethod
    def _timeframe(cls, value: str) -> str:
        match = TIMEFRAME_RE.match(value)
        if not match:
            raise ValueError("must be 'Hàng năm' or 'Giai đoạn YYYY-YYYY'")
        if match.group(2) and int(match.group(2)) > int(match.group(3)):
            raise ValueError("the period must not end before it starts")
        return value

    @property
    def annual(self) -> bool:
        """True when the task recurs every year."""
        return self.timeframe == "Hàng năm"

    @property
    def period(self) -> tuple[int, int] | None:
        """Start and end year for a task with a period, else None."""
        match = TIMEFRAME_RE.match(self.timeframe)
        if match and match.group(2):
            return int(match.group(2)), int(match.group(3))
        return None


class Target(FileModel):
    """A specific 2030 target of section II.2, linked to the tasks that carry it."""

    id: Slug
    section: SectionId
    year: int = Field(ge=2026, le=2035)
    text_vi: Text
    text_en: Text
    value: int | None = Field(default=None, ge=0)
    unit: Literal["enterprises", "standards", "percent"] | None = None
    at_least: bool = False
    tasks: list[TaskId] = Field(min_length=1)


class Deadline(FileModel):
    """A recurring or one-off deadline stated by the plan."""

    id: Slug
    title_vi: Text
    title_en: Text
    who: list[Slug] = Field(min_length=1)
    to: list[Slug] = Field(default_factory=list)
    recurrence: Literal["yearly", "once"]
    month: int | None = Field(default=None, ge=1, le=12)
    day: int | None = Field(default=None, ge=1, le=31)
    year: int | None = None
    before: bool = False
    section: SectionId
    remind_days: list[int] = Field(default_factory=list)
    note_en: str | None = None


SupportTag = Literal[
    "high_risk",
    "ocop",
    "key_product",
    "management_system",
    "traceability",
    "gap",
    "organic",
    "green",
    "digital",
    "productivity",
    "pilot_model",
    "training",
    "export",
    "any",
]


class SupportProgramme(FileModel):
    """A kind of support an enterprise can be eligible for, derived from the plan."""

    id: Slug
    title_vi: Text
    title_en: Text
    what_en: Text
    for_vi: Text
    for_en: Text
    for_tags: list[SupportTag] = Field(min_length=1)
    target: Slug | None = None
    task: TaskId | None = None
    lead: Slug
    section: SectionId


class FundingSource(FileModel):
    """A funding source of section IV."""

    id: Slug
    section: SectionId
    title_vi: Text
    title_en: Text


class FundingRule(FileModel):
    """A rule on budgeting from section IV."""

    section: SectionId
    title_en: Text


class Signer(FileModel):
    """Who signed the plan and in what capacity."""

    name: Text
    title_vi: Text
    title_en: Text
    capacity_vi: Text


class LegalBasis(FileModel):
    """A legal basis cited in the plan's preamble."""

    id: Slug
    kind: Text
    text_vi: Text
    number: str | None = None
    date: dt.date | None = None
    issuer_vi: str | None = None
    issuer_en: str | None = None
    subject_vi: Text
    subject_en: Text
    source: Source | None = None


class PlanMeta(FileModel):
    """Metadata of the plan itself."""

    title_vi: Text
    title_en: Text
    number_text: Text
    number: str | None = None
    issuer: Slug
    place: Text
    date_text: Text
    year: int
    month: int | None = Field(default=None, ge=1, le=12)
    day: int | None = Field(default=None, ge=1, le=31)
    signer: Signer
    recipients: list[Text] = Field(default_factory=list)
    legal_bases: list[LegalBasis] = Field(min_length=1)


class GuidanceEntry(FileModel):
    """A bilingual TBT guidance or FAQ entry, each backed by public sources."""

    id: Slug
    topic: Literal["basics", "wto", "evfta", "cptpp", "vietnam", "province", "exporters", "faq"]
    title_vi: Text
    title_en: Text
    text_vi: Text
    text_en: Text
    sources: list[Source] = Field(min_length=1)
    plan_refs: list[str] = Field(default_factory=list)


class Product(FileModel):
    """A product of the province's exports, with names people type and HS codes."""

    id: Slug
    name_vi: Text
    name_en: Text
    aliases: list[Text] = Field(default_factory=list)
    hs_codes: list[HsCode] = Field(default_factory=list)
    # food for people or animals: a measure on all food (`all_food`) concerns it
    food: bool = False
    source: str | None = None


class Market(FileModel):
    """An export market the barrier database follows, with the names people type."""

    id: MarketId
    name_vi: Text
    name_en: Text
    aliases: list[Text] = Field(default_factory=list)
    # how WTO notifications name the member: the code in its symbols (G/TBT/N/USA/...) and
    # the member's name in ePing exports; bulk imports find the market by these
    wto_codes: list[Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,3}$")]] = Field(
        default_factory=list
    )
    wto_names: list[Text] = Field(default_factory=list)


class Place(FileModel):
    """A province or city, with former provinces merged into it, for scope checks; or a
    foreign country, with the tracked market whose rules apply there (an EU member: EU)."""

    id: Slug
    name_vi: Text
    former: list[Text] = Field(default_factory=list)
    aliases: list[Text] = Field(default_factory=list)
    name_en: Text | None = None
    market: MarketId | None = None

    @property
    def names(self) -> list[str]:
        """Every name the place goes by, current and former."""
        return [self.name_vi, *self.former, *self.aliases]

    def name(self, lang: str) -> str:
        """The name to show in the answer's language."""
        return self.name_en if lang == "en" and self.name_en else self.name_vi


Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]
Status = Literal["draft", "adopted", "in_force", "withdrawn"]
MeasureType = Literal[
    "technical_regulation", "conformity_assessment", "standard", "sanitary_phytosanitary"
]


class AppliesFrom(FileModel):
    """A date from which a measure's obligations apply, to everyone or to one group."""

    date: dt.date
    who_vi: Text | None = None  # "doanh nghiệp lớn và vừa"; empty: everyone the measure covers
    who_en: Text | None = None
    source: Url | None = None  # where the date is confirmed, when not the measure's source_url


class StatusChange(FileModel):
    """An event in a measure's life that its dates do not tell (a postponement, a withdrawal)."""

    date: dt.date
    status: Status
    note_vi: Text
    note_en: Text
    source: Url | None = None


class Measure(FileModel):
    """A technical barrier to trade in an export market.

    `entry_into_force` is the legal entry into force; `applies_from` is when the obligations
    apply, which for an EU regulation can be years later.
    """

    id: Slug
    market: MarketId
    aliases: list[Text] = Field(default_factory=list)
    # a WTO notification symbol, TBT or SPS: G/TBT/N/EU/1234, G/SPS/N/CHN/1324/Add.1
    symbol: (
        Annotated[str, StringConstraints(pattern=r"^G/(TBT|SPS)/N/[A-Z]{2,3}/\d+(/\S+)*$")] | None
    ) = None
    title: Text
    # how a list names it: "Nghị định thư sầu riêng tươi (2022)" rather than the full title
    short_vi: Text | None = None
    short_en: Text | None = None
    products: Text
    hs_codes: list[HsCode] = Field(default_factory=list)
    # a horizontal measure (all packaging, all products): it concerns every export product
    all_products: bool = False
    # a measure on all food (food facility registration, residues in every food): it concerns
    # every product marked `food`, and no other
    all_food: bool = False
    measure_type: MeasureType
    status: Status
    notified_on: dt.date | None = None
    comment_deadline: dt.date | None = None
    adopted_on: dt.date | None = None
    entry_into_force: dt.date | None = None
    applies_from: list[AppliesFrom] = Field(default_factory=list)
    history: list[StatusChange] = Field(default_factory=list)
    # required in measures.yaml (the loader checks); empty for a notification nobody has
    # summarised yet, which is then shown in its member's own words
    summary_vi: Text | None = None
    summary_en: Text | None = None
    # what an exporter should do, one step per item (the exporter's checklist)
    actions_vi: list[Text] = Field(default_factory=list)
    actions_en: list[Text] = Field(default_factory=list)
    source_url: Url
    reviewed_on: dt.date


# One wrapper model per file kind: the top-level keys each file must have.
class PlanFile(FileModel):
    plan: PlanMeta


class TasksFile(FileModel):
    groups: list[TaskGroup] = Field(min_length=1)
    tasks: list[Task] = Field(min_length=1)


class AgenciesFile(FileModel):
    agencies: list[Agency] = Field(min_length=1)


class TargetsFile(FileModel):
    targets: list[Target] = Field(min_length=1)


class DeadlinesFile(FileModel):
    deadlines: list[Deadline] = Field(default_factory=list)


class SupportFile(FileModel):
    programmes: list[SupportProgramme] = Field(default_factory=list)


class FundingFile(FileModel):
    sources: list[FundingSource] = Field(min_length=1)
    rules: list[FundingRule] = Field(default_factory=list)


class GuidanceFile(FileModel):
    entries: list[GuidanceEntry] = Field(default_factory=list)


class ProductsFile(FileModel):
    products: list[Product] = Field(default_factory=list)


class MarketsFile(FileModel):
    markets: list[Market] = Field(min_length=1)


class PlacesFile(FileModel):
    sources: list[Source] = Field(min_length=1)
    home: Place
    others: list[Place] = Field(default_factory=list)
    countries: list[Place] = Field(default_factory=list)


class MeasuresFile(FileModel):
    measures: list[Measure] = Field(default_factory=list)


FILE_MODELS: dict[str, type[FileModel]] = {
    "plan.yaml": PlanFile,
    "tasks.yaml": TasksFile,
    "agencies.yaml": AgenciesFile,
    "targets.yaml": TargetsFile,
    "deadlines.yaml": DeadlinesFile,
    "support.yaml": SupportFile,
    "funding.yaml": FundingFile,
    "tbt/guidance.yaml": GuidanceFile,
    "tbt/faq.yaml": GuidanceFile,
    "tbt/products.yaml": ProductsFile,
    "tbt/measures.yaml": MeasuresFile,
    "tbt/markets.yaml": MarketsFile,
    "places.yaml": PlacesFile,
}
REQUIRED_FILES = (
    "plan.yaml",
    "tasks.yaml",
    "agencies.yaml",
    "targets.yaml",
    "funding.yaml",
    "tbt/markets.yaml",
    "plan/body.md",
)
BODY_FILE = "plan/body.md"
