"""Knowledge records to retrievable chunks, each with a stable id that answers cite."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.models import Measure
from assistant.text import fold_plain

# what of a measure is embedded: the model reads ~512 tokens, a notification's description more
MEASURE_TEXT_CHARS = 2400


class Chunk(BaseModel):
    """One retrievable unit: what is indexed, what is shown, and where it comes from."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: str
    title_vi: str
    title_en: str
    text: str
    quote_vi: str
    quote_en: str = ""
    file: str
    cite: str

    @functools.cached_property
    def digest(self) -> str:
        """Hash of the indexed text, so unchanged chunks keep their vectors (computed once)."""
        return hashlib.sha256(self.text.encode()).hexdigest()[:20]

    def title(self, lang: str) -> str:
        """Title in the requested language."""
        return self.title_en if lang == "en" else self.title_vi


def build_chunks(
    kb: KnowledgeBase,
    previous: KnowledgeBase | None = None,
    previous_chunks: Sequence[Chunk] = (),
) -> list[Chunk]:
    """Every chunk of the knowledge base, in a stable order.

    A measure that is the very record of the `previous` knowledge base, whose names have not
    changed, keeps its chunk from `previous_chunks`: a new generation shares what it can.
    """
    out: list[Chunk] = []
    sections = kb.sections
    for p in kb.body.paragraphs:
        heading = sections.get(p.section)
        head = heading.title if heading else ""
        out.append(
            Chunk(
                id=f"plan:{p.id}",
                kind="plan",
                title_vi=f"Mục {p.id}. {head}".strip(),
                title_en=f"Plan section {p.id}",
                text=f"{head}. {p.text}",
                quote_vi=p.text,
                file="knowledge/plan/body.md",
                cite=f"Kế hoạch, mục {p.id}",
            )
        )
    for t in kb.tasks.values():
        lead = kb.agencies[t.lead]
        partners = kb.agency_names(t.partners, "en")
        content = " ".join(t.content_vi)
        out.append(
            Chunk(
                id=f"task:{t.id}",
                kind="task",
                title_vi=f"Nhiệm vụ {t.id}: {t.title_vi}",
                title_en=f"Task {t.id}: {t.title_en}",
                text=(
                    f"Nhiệm vụ {t.id}. {t.title_vi}. {content} Chủ trì: {t.lead_text}. "
                    f"Phối hợp: {t.partners_text}. Thời gian: {t.timeframe}. Task {t.id}: "
                    f"{t.title_en}. {t.summary_en} Lead: {lead.name_en}. Partners: "
                    f"{', '.join(partners)}. Keywords: {', '.join(t.keywords)}."
                ),
                quote_vi=content,
                quote_en=t.summary_en,
                file="knowledge/tasks.yaml",
                cite=f"Phụ lục, nhiệm vụ {t.id}",
            )
        )
    for a in kb.agencies.values():
        duties_vi = " ".join(kb.section_text(d.section) for d in a.duties)
        duties_en = " ".join(d.summary_en for d in a.duties)
        out.append(
            Chunk(
                id=f"agency:{a.id}",
                kind="agency",
                title_vi=a.name_vi,
                title_en=a.name_en,
                text=f"{a.name_vi} ({', '.join(a.aliases)}). {duties_vi} {a.name_en}. {duties_en}",
                quote_vi=duties_vi,
                quote_en=duties_en,
                file="knowledge/agencies.yaml",
                cite=", ".join(f"mục {d.section}" for d in a.duties) or "agencies.yaml",
            )
        )
    for tg in kb.targets.values():
        out.append(
            Chunk(
                id=f"target:{tg.id}",
                kind="target",
                title_vi=f"Mục tiêu đến năm {tg.year}",
                title_en=f"Target for {tg.year}",
                text=f"Mục tiêu đến năm {tg.year}: {tg.text_vi} Target by {tg.year}: {tg.text_en}",
                quote_vi=tg.text_vi,
                quote_en=tg.text_en,
                file="knowledge/targets.yaml",
                cite=f"Kế hoạch, mục {tg.section}",
            )
        )
    for d in kb.deadlines.values():
        out.append(
            Chunk(
                id=f"deadline:{d.id}",
                kind="deadline",
                title_vi=d.title_vi,
                title_en=d.title_en,
                text=f"Thời hạn: {d.title_vi}. {kb.section_text(d.section)} "
                f"Deadline: {d.title_en}. {d.note_en or ''}",
                quote_vi=kb.section_text(d.section),
                quote_en=d.note_en or "",
                file="knowledge/deadlines.yaml",
                cite=f"Kế hoạch, mục {d.section}",
            )
        )
    for s in kb.programmes.values():
        out.append(
            Chunk(
                id=f"support:{s.id}",
                kind="support",
                title_vi=s.title_vi,
                title_en=s.title_en,
                text=f"Hỗ trợ doanh nghiệp: {s.title_vi}. Đối tượng: {s.for_vi}. "
                f"{kb.section_text(s.section)} Support: {s.title_en}. For: {s.for_en}. {s.what_en}",
                quote_vi=kb.section_text(s.section),
                quote_en=s.what_en,
                file="knowledge/support.yaml",
                cite=f"Kế hoạch, mục {s.section}",
            )
        )
    for f in kb.funding.sources:
        out.append(
            Chunk(
                id=f"funding:{f.id}",
                kind="funding",
                title_vi=f"Nguồn kinh phí: {f.title_vi}",
                title_en=f"Funding source: {f.title_en}",
                text=f"Kinh phí thực hiện kế hoạch, nguồn kinh phí: {kb.section_text(f.section)} "
                f"Funding source: {f.title_en}",
                quote_vi=kb.section_text(f.section),
                quote_en=f.title_en,
                file="knowledge/funding.yaml",
                cite=f"Kế hoạch, mục {f.section}",
            )
        )
    for lb in kb.plan.legal_bases:
        out.append(
            Chunk(
                id=f"legal:{lb.id}",
                kind="legal",
                title_vi=lb.text_vi,
                title_en=lb.subject_en,
                text=f"Căn cứ pháp lý của Kế hoạch: {lb.text_vi} {lb.number or ''}. Legal basis: "
                f"{lb.subject_en}",
                quote_vi=lb.text_vi,
                quote_en=lb.subject_en,
                file="knowledge/plan.yaml",
                cite="Kế hoạch, phần căn cứ",
            )
        )
    meta = kb.plan
    out.append(
        Chunk(
            id="meta:plan",
            kind="meta",
            title_vi=meta.title_vi,
            title_en=meta.title_en,
            text=f"{meta.title_vi}. {meta.number_text}, {meta.place}, {meta.date_text}. Người ký: "
            f"{meta.signer.capacity_vi}, {meta.signer.title_vi} {meta.signer.name}. "
            f"{meta.title_en}. Signed by {meta.signer.title_en} {meta.signer.name}.",
            quote_vi=f"{meta.signer.capacity_vi}, {meta.signer.title_vi} {meta.signer.name}",
            quote_en=f"Signed by {meta.signer.name}, {meta.signer.title_en}",
            file="knowledge/plan.yaml",
            cite="Kế hoạch, phần ký",
        )
    )
    for e in kb.guidance.values():
        rel = kb.record_files.get(f"guidance:{e.id}", "tbt/guidance.yaml")
        out.append(
            Chunk(
                id=f"tbt:{e.id}",
                kind="tbt",
                title_vi=e.title_vi,
                title_en=e.title_en,
                text=f"{e.title_vi} {e.text_vi} {e.title_en} {e.text_en}",
                quote_vi=e.text_vi,
                quote_en=e.text_en,
                file=f"knowledge/{rel}",
                cite="; ".join(s.title + (f", {s.ref}" if s.ref else "") for s in e.sources),
            )
        )
    same_names = previous is not None and previous.names_hash == kb.names_hash
    old = previous.measures if previous is not None and same_names else {}
    kept = {c.id: c for c in previous_chunks if c.kind == "measure"} if old else {}
    for m in kb.measures.values():
        chunk = kept.get(f"measure:{m.id}") if old.get(m.id) is m else None
        out.append(measure_chunk(kb, m) if chunk is None else chunk)
    return out


def measure_chunk(kb: KnowledgeBase, m: Measure) -> Chunk:
    """A foreign measure, curated or a notification as imported (then in English only)."""
    market_vi, market_en = kb.market_name(m.market), kb.market_name(m.market, "en")
    summary_en = m.summary_en or ""
    # an alias typed with and without marks is one name: counted twice it would outweigh the rest
    aliases = {fold_plain(a): a for a in reversed(m.aliases)}
    text = (
        f"{m.symbol or ''} Thị trường {market_vi}. {m.title}. "
        f"{' '.join(reversed(aliases.values()))}. "
        f"Sản phẩm: {m.products}. "
        f"HS {' '.join(m.hs_codes)}. {m.summary_vi or ''} Market {market_en}. {summary_en}"
    )
    return Chunk(
        id=f"measure:{m.id}",
        kind="measure",
        title_vi=f"{market_vi}: {m.title}",
        title_en=f"{market_en}: {m.title}",
        text=text[:MEASURE_TEXT_CHARS],
        quote_vi=m.summary_vi or summary_en,
        quote_en=summary_en,
        file=f"knowledge/{kb.measure_file(m.id)}",
        cite=m.symbol or m.source_url,
    )
