"""Which products a measure concerns: by HS code (most specific) or by name, remembered."""

from __future__ import annotations

from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.coverage import ProductCoverage, hs_overlap
from assistant.knowledge.models import Measure


def _measure(kb: KnowledgeBase, **change: object) -> Measure:
    return next(iter(kb.measures.values())).model_copy(update=change)


def test_codes_and_names_decide(kb: KnowledgeBase) -> None:
    cover = ProductCoverage(kb.products.values())
    assert hs_overlap("0901", "090111") and hs_overlap("090111", "0901")
    assert not hs_overlap("0810", "0901")
    # durian is 081060: the 0810 heading it shares with passion fruit does not make it durian
    by_code = _measure(kb, hs_codes=["081060"], products="", title="Import conditions")
    assert cover.products_of(by_code) == {"durian"}
    heading = _measure(kb, hs_codes=["0810"], products="", title="Import conditions")
    assert {"durian", "passion_fruit"} <= cover.products_of(heading)
    by_name = _measure(kb, hs_codes=[], products="Cà phê nhân, hồ tiêu", title="Quy định")
    assert {"coffee", "pepper"} <= cover.products_of(by_name)


def test_matches_are_kept_while_the_products_are_unchanged(kb: KnowledgeBase) -> None:
    first = ProductCoverage(kb.products.values())
    m = _measure(kb, hs_codes=["0901"], products="green coffee", title="Residue limits")
    found = first.products_of(m)
    kept = ProductCoverage(kb.products.values(), previous=first)
    assert kept.products_of(m) is found  # taken from the previous generation, not matched again
    renamed = [
        p.model_copy(update={"aliases": [*p.aliases, "residue"]}) for p in kb.products.values()
    ]
    changed = ProductCoverage(renamed, previous=first)
    assert changed.products_of(m) is not found
    assert len(changed.products_of(m)) == len(kb.products)  # every product now names "residue"


def test_a_measure_gone_is_not_remembered_by_the_next_generations(kb: KnowledgeBase) -> None:
    first = ProductCoverage(kb.products.values())
    gone = _measure(kb, hs_codes=["0901"], products="roasted coffee", title="Gone")
    found = first.products_of(gone)
    second = ProductCoverage(kb.products.values(), previous=first)
    second.by_product(kb.measures.values())  # the generation's measures; `gone` is not one
    third = ProductCoverage(kb.products.values(), previous=second)
    assert third.products_of(gone) == found and third.products_of(gone) is not found
