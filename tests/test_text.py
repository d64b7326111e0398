"""Normalization: NFC, tone placement, diacritics and language detection."""

from __future__ import annotations

import unicodedata

import pytest

from assistant.text import clean, detect_lang, fold, fold_plain, has_diacritics, unify_tones


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hoá", "hóa"),
        ("Hoà", "Hòa"),
        ("thuỷ", "thủy"),
        ("khoẻ", "khỏe"),
        ("toàn", "toàn"),
        ("hóa", "hóa"),
    ],
)
def test_tone_placement_is_unified(old: str, new: str) -> None:
    assert unify_tones(old) == new


def test_decomposed_input_matches_composed() -> None:
    composed = "Sở Khoa học và Công nghệ"
    assert fold(unicodedata.normalize("NFD", composed)) == fold(composed)


def test_strip_and_detect() -> None:
    assert fold_plain("Đo lường chất lượng") == "do luong chat luong"
    assert has_diacritics("đo") and not has_diacritics("do luong")
    assert detect_lang("ai chu tri nhiem vu 3.2") == "vi"
    assert detect_lang("Who leads task 3.2?") == "en"
    assert detect_lang("hạn báo cáo") == "vi"


def test_clean_removes_controls_and_zero_width() -> None:
    assert clean("a\x00b\u200bc\n\n d") == "a b c d"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Who manages Viet Nam's TBT network?", "en"),  # a Vietnamese name in English
        ("Gia Lai plan targets", "en"),
        ("ocop la gi", "vi"),  # an acronym typed in lower case among Vietnamese words
        ("tieu chuan co so TCCS va quy chuan QCVN khac nhau the nao", "vi"),
        ("Lacey Act la gi", "vi"),
    ],
)
def test_words_no_vietnamese_syllable_is_spelt_like_count_for_english(text: str, lang: str) -> None:
    assert detect_lang(text) == lang
