"""Which of the province's products each measure concerns, by HS code or by name."""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.knowledge.models import Measure, Product
from assistant.text import fold_plain


def hs_overlap(a: str, b: str) -> bool:
    """Two HS codes overlap when one is the other or a heading of it (0901 and 090111)."""
    return a.startswith(b) or b.startswith(a)


def specific_codes(codes: list[str]) -> list[str]:
    """A product's codes at their most specific: durian's 081060, not the 0810 heading it
    shares with passion fruit."""
    return [c for c in codes if not any(o != c and o.startswith(c) for o in codes)]


def phrase_words(text: str) -> str:
    """Diacritic-free lower-case words, punctuation dropped, for phrase containment."""
    return " ".join(re.sub(r"[^\w\s]", " ", fold_plain(text)).split())


class ProductCoverage:
    """Products a measure concerns: a measure's HS code overlapping a product's, a product's
    name among the measure's product words or title, or any food product for a measure on all
    food.

    A product's own codes are taken at their most specific: durian is 081060, not the 0810
    heading it shares with passion fruit. What one measure concerns depends only on that measure
    and the products, so it is remembered, and handed to the next generation of the knowledge
    while the products are unchanged: after an import only the new notifications are matched.
    """

    def __init__(self, products: Iterable[Product], previous: ProductCoverage | None = None):
        items = list(products)
        self.names = {
            p.id: [f" {phrase_words(n)} " for n in (p.name_vi, p.name_en, *p.aliases) if len(n) > 2]
            for p in items
        }
        self.codes = {p.id: specific_codes(p.hs_codes) for p in items}
        self.food = frozenset(p.id for p in items if p.food)
        self.key = (tuple(self.names.items()), tuple(self.codes.items()), self.food)
        self._memo: dict[tuple[str, str, tuple[str, ...], bool], frozenset[str]] = {}
        # what the previous generation matched, until by_product has taken what is still used
        self._lent = previous._memo if previous is not None and previous.key == self.key else {}

    def products_of(self, m: Measure) -> frozenset[str]:
        """The ids of the products the measure concerns."""
        key = (m.products, m.title, tuple(m.hs_codes), m.all_food)
        found = self._memo.get(key)
        if found is None:
            found = self._lent.get(key)
        if found is None:
            text = f" {phrase_words(m.products + ' ' + m.title)} "
            found = frozenset(
                pid
                for pid, names in self.names.items()
                if (m.all_food and pid in self.food)
                or any(hs_overlap(a, b) for a in m.hs_codes for b in self.codes[pid])
                or any(n in text for n in names)
            )
        self._memo[key] = found  # the same for every generation with these products
        return found

    def by_product(self, measures: Iterable[Measure]) -> dict[str, set[str]]:
        """Product id -> ids of the measures that concern it."""
        out: dict[str, set[str]] = {pid: set() for pid in self.names}
        for m in measures:
            for pid in self.products_of(m):
                out[pid].add(m.id)
        self._lent = {}  # measures since removed are not remembered from one import to the next
        return out
