"""BM25: bm25s's scores, built in array passes, and analysis carried across generations."""

from __future__ import annotations

import bm25s
import numpy as np
import pytest

from assistant.index.bm25 import BM25, Analyzer, DualBM25, analyze_marked, analyze_plain

TEXTS = [
    "Sở Khoa học và Công nghệ chủ trì nhiệm vụ 2.1, báo cáo trước ngày 30 tháng 11.",
    "Doanh nghiệp xuất khẩu cà phê sang EU cần đáp ứng quy định chống phá rừng EUDR.",
    "G/SPS/N/CHN/1234 Maximum residue limits for pesticides in fresh durian.",
    "Cà phê, hồ tiêu, điều: mã số vùng trồng và cơ sở đóng gói cho thị trường Trung Quốc.",
    "Xuất khẩu cà phê cà phê cà phê.",
    "",
]
QUESTIONS = [
    "xuất khẩu cà phê sang EU",
    "xuat khau ca phe",
    "durian pesticides residue",
    "ai chủ trì nhiệm vụ 2.1",
    "không có từ nào ở đây zzz",
]


@pytest.mark.parametrize("analyzer", [analyze_marked, analyze_plain])
def test_scores_are_bm25s_lucene_scores(analyzer: Analyzer) -> None:
    ours = BM25(TEXTS, analyzer)
    stock = bm25s.BM25(k1=1.4, b=0.75, method="lucene")
    stock.index([analyzer(t) for t in TEXTS], show_progress=False)
    for question in QUESTIONS:
        terms = [t for t in analyzer(question) if t in stock.vocab_dict]
        expected = stock.get_scores(terms) * 2.4 if terms else np.zeros(len(TEXTS))
        assert np.allclose(ours.scores(question), expected, atol=1e-5), question
    assert ours.scores("xuất khẩu cà phê")[4] > ours.scores("xuất khẩu cà phê")[1] > 0


def test_next_generation_reuses_analysis_and_forgets_removed_words() -> None:
    first = DualBM25(TEXTS)
    changed = [*TEXTS[:2], "Korea plywood formaldehyde standard", *TEXTS[3:]]
    fresh, carried = DualBM25(changed), DualBM25(changed, previous=first)
    for question in [*QUESTIONS, "plywood", "durian"]:
        for plain in (False, True):
            assert np.allclose(
                fresh.pick(plain).scores(question), carried.pick(plain).scores(question)
            ), question
    # an unchanged text is not analysed again: its token ids are the previous generation's
    assert carried.plain._ids[TEXTS[0]] is first.plain._ids[TEXTS[0]]
    # "durian" was in the first corpus only: known to its vocabulary, not to the new corpus
    assert carried.marked.known("durian plywood") == ["plywood"]
    assert first.marked.known("durian plywood") == ["durian"]
    # the old generation still answers while the new one is built beside it
    assert first.marked.scores("durian")[2] > 0


def test_empty_corpus_scores_nothing() -> None:
    empty = BM25(["", "và của"], analyze_marked)
    assert empty.known("và cà phê") == []
    assert not empty.scores("cà phê").any()
