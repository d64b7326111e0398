"""EntityExtractor: the named things of a question, found by their written forms and names.

Task numbers, groups, document numbers and years are matched by their written forms; agencies,
products, markets, measures and places by the names and aliases in the knowledge files. A
negation or contrast sets the entity right after it aside.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.loader import load_or_raise
from assistant.nlu.entities import Entities, EntityExtractor, doc_key

# the kinds of record matched by name, and the Entities field that holds each
NAMED_KINDS = ("agencies", "products", "markets", "measures", "places")


@pytest.fixture(scope="module")
def extractor(kb: KnowledgeBase) -> EntityExtractor:
    """One extractor over the repository's knowledge, shared by the module."""
    return EntityExtractor(kb)


def _extract(extractor: EntityExtractor, text: str) -> Entities:
    return extractor.extract(text)


# --- task numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "3.4",
        "3,4",
        "NV3.4",
        "nv 3.4",
        "nhiệm vụ số 3.4",
        "task 3.4",
        "3 . 4",
        "nhiem vu 34",
        "Ai chủ trì NV3.4?",
        "Who leads task 3.4?",
        "nhiệm vụ 3,4 làm trong bao lâu",
        "cho hỏi về mục 3.4 của phụ lục",
    ],
)
def test_written_forms_of_one_task(extractor: EntityExtractor, text: str) -> None:
    e = _extract(extractor, text)
    assert e.tasks == ["3.4"], text
    assert e.unknown_tasks == []
    assert e.groups == []


@pytest.mark.parametrize(
    ("text", "tasks"),
    [
        ("nhiệm vụ 3.2 và 3.3 do ai chủ trì?", ["3.2", "3.3"]),
        ("So sánh NV 2.1, 5.1 và 5.3", ["2.1", "5.1", "5.3"]),
        ("tasks 3.2 and 5.1: who coordinates?", ["3.2", "5.1"]),
        ("NV3.1;NV3.2", ["3.1", "3.2"]),
        ("nhiem vu 1 va nhiem vu 4", ["1", "4"]),
        ("nhiệm vụ 3.2 rồi lại nhiệm vụ 3.2", ["3.2"]),  # named twice, listed once
    ],
)
def test_several_tasks_in_one_question(
    extractor: EntityExtractor, text: str, tasks: list[str]
) -> None:
    assert _extract(extractor, text).tasks == tasks


@pytest.mark.parametrize(
    ("text", "unknown"),
    [
        ("Ai chủ trì nhiệm vụ 9.7?", ["9.7"]),
        ("nv 3.9 la gi", ["3.9"]),
        ("task 6.2", ["6.2"]),
        ("nhiệm vụ số 10", ["10"]),
    ],
)
def test_a_task_the_plan_lacks_is_unknown(
    extractor: EntityExtractor, text: str, unknown: list[str]
) -> None:
    e = _extract(extractor, text)
    assert e.tasks == []
    assert e.unknown_tasks == unknown


def test_a_bare_number_the_plan_lacks_is_not_a_task(extractor: EntityExtractor) -> None:
    # without a task word, "9.7" is just a number
    e = _extract(extractor, "tỷ lệ đạt 9.7 điểm")
    assert e.tasks == [] and e.unknown_tasks == []


@pytest.mark.parametrize(
    ("text", "groups"),
    [
        ("nhiệm vụ 2", ["2"]),  # there is no task 2, only group 2
        ("nhiệm vụ 2 gồm những gì?", ["2"]),
        ("nhóm 3", ["3"]),
        ("Nhóm 4 có mấy nhiệm vụ?", ["4"]),
        ("group 5", ["5"]),
        ("nhom nhiem vu so 1", ["1"]),
        ("các nhiệm vụ nhóm 1 và nhóm 4", ["1", "4"]),
    ],
)
def test_groups(extractor: EntityExtractor, text: str, groups: list[str]) -> None:
    e = _extract(extractor, text)
    assert e.groups == groups
    assert e.tasks == [] and e.unknown_tasks == []


@pytest.mark.parametrize(
    "text",
    [
        "30/11",
        "báo cáo trước ngày 30/11",
        "nhiệm vụ nào phải xong trước 30/11?",
        "15/5/2026",
        "Quyết định ký ngày 15/5/2026",
        "ngày 15.5.2026",
        "1.500",
        "hỗ trợ 1.500 doanh nghiệp",
        "ngân sách 1.500 triệu",
        "ngày 1.12 nộp báo cáo",
        "tăng 2,5%",
        "phiên bản 2.0",
        "ISO 9001:2015",
    ],
)
def test_dates_and_amounts_are_not_tasks(extractor: EntityExtractor, text: str) -> None:
    e = _extract(extractor, text)
    assert e.tasks == [] and e.unknown_tasks == [], text


def test_an_amount_beside_a_task_is_not_a_second_task(extractor: EntityExtractor) -> None:
    e = _extract(extractor, "Nhiệm vụ 3.2 hỗ trợ 1.500 doanh nghiệp, hạn 15/5/2026")
    assert e.tasks == ["3.2"] and e.unknown_tasks == []


def test_a_decimal_amount_in_a_task_question_is_not_a_task(extractor: EntityExtractor) -> None:
    e = _extract(extractor, "Nhiệm vụ nào hỗ trợ 1,5 nghìn doanh nghiệp?")
    assert e.unknown_tasks == []


# --- named records: agencies, products, markets, measures, places ----------------------------


@pytest.mark.parametrize(
    ("text", "kind", "ref"),
    [
        # agencies by name and alias, with and without marks, in English
        ("Sở Khoa học và Công nghệ làm gì?", "agencies", "so-khcn"),
        ("so khoa hoc va cong nghe lam gi", "agencies", "so-khcn"),
        ("Sở KH&CN", "agencies", "so-khcn"),
        ("so khcn", "agencies", "so-khcn"),
        ("SKHCN", "agencies", "so-khcn"),
        ("What does DOST do?", "agencies", "so-khcn"),
        ("the Department of Science and Technology", "agencies", "so-khcn"),
        ("Sở Tài chính", "agencies", "so-tai-chinh"),
        ("so tai chinh", "agencies", "so-tai-chinh"),
        ("STC", "agencies", "so-tai-chinh"),
        ("Department of Finance", "agencies", "so-tai-chinh"),
        ("Chi cục TĐC", "agencies", "chi-cuc-tdc"),
        ("chi cuc tdc", "agencies", "chi-cuc-tdc"),
        ("the SMQ sub-department", "agencies", "chi-cuc-tdc"),
        ("UBND xã", "agencies", "ubnd-xa-phuong"),
        ("communes and wards", "agencies", "ubnd-xa-phuong"),
        ("UBND tỉnh", "agencies", "ubnd-tinh"),
        ("Provincial People's Committee", "agencies", "ubnd-tinh"),
        ("Bộ KH&CN", "agencies", "bo-khcn"),
        ("Ministry of Science and Technology", "agencies", "bo-khcn"),
        ("các sở ngành", "agencies", "cac-so-nganh"),
        ("Đài PTTH", "agencies", "bao-ptth"),
        ("bao dai", "agencies", "bao-ptth"),
        # products
        ("cà phê", "products", "coffee"),
        ("ca phe nhan", "products", "coffee"),
        ("coffee beans", "products", "coffee"),
        ("hồ tiêu", "products", "pepper"),
        ("ho tieu", "products", "pepper"),
        ("sầu riêng", "products", "durian"),
        ("fresh durian", "products", "durian"),
        ("trà xanh", "products", "tea"),
        ("hạt điều", "products", "cashew"),
        ("ván ép", "products", "wood"),
        ("plywood", "products", "wood"),
        ("tinh bột sắn", "products", "cassava_starch"),
        # markets
        ("EU", "markets", "EU"),
        ("châu Âu", "markets", "EU"),
        ("chau au", "markets", "EU"),
        ("European Union", "markets", "EU"),
        ("Nhật Bản", "markets", "JP"),
        ("nhat ban", "markets", "JP"),
        ("Japan", "markets", "JP"),
        ("Hàn Quốc", "markets", "KR"),
        ("sang Hàn", "markets", "KR"),
        ("South Korea", "markets", "KR"),
        ("Mỹ", "markets", "US"),
        ("hoa ky", "markets", "US"),
        ("to the US", "markets", "US"),
        ("Trung Quốc", "markets", "CN"),
        ("TQ", "markets", "CN"),
        ("China", "markets", "CN"),
        # measures: acronym, Vietnamese nickname, English name, WTO symbol
        ("EUDR", "measures", "eu-eudr"),
        ("eudr ap dung khi nao", "measures", "eu-eudr"),
        ("luật chống phá rừng", "measures", "eu-eudr"),
        ("luat chong pha rung", "measures", "eu-eudr"),
        ("EU deforestation regulation", "measures", "eu-eudr"),
        ("PPWR", "measures", "eu-ppwr"),
        ("quy định bao bì", "measures", "eu-ppwr"),
        ("G/TBT/N/CHN/1964", "measures", "cn-gacc-decree-280"),
        ("Lệnh 280", "measures", "cn-gacc-decree-280"),
        ("G/TBT/N/KOR/726", "measures", "kr-timber-legality"),
        ("Lacey Act", "measures", "us-lacey-act-declaration"),
        ("luật gỗ sạch", "measures", "jp-clean-wood-act-2023"),
        # other provinces
        ("Đắk Lắk", "places", "dak-lak"),
        ("Dak Lak", "places", "dak-lak"),
        ("Hà Nội", "places", "ha-noi"),
        ("Hanoi", "places", "ha-noi"),
        ("TP.HCM", "places", "ho-chi-minh"),
        ("Sài Gòn", "places", "ho-chi-minh"),
        ("Kon Tum", "places", "quang-ngai"),  # a former province counts as its new one
        ("Huế", "places", "hue"),
    ],
)
def test_named_records(extractor: EntityExtractor, text: str, kind: str, ref: str) -> None:
    e = _extract(extractor, text)
    assert getattr(e, kind) == [ref], (text, e)
    for other in NAMED_KINDS:
        if other != kind:
            assert getattr(e, other) == [], (text, other, e)
    assert e.excluded == {}


def test_product_and_market_together(extractor: EntityExtractor) -> None:
    e = _extract(extractor, "Xuất hồ tiêu sang Mỹ và châu Âu cần gì?")
    assert e.products == ["pepper"]
    assert e.markets == ["US", "EU"]


@pytest.mark.parametrize(
    "text",
    [
        "cập nhật cơ sở dữ liệu",
        "cap nhat co so du lieu",
        "it nhat 40 doanh nghiep",
        "ít nhất 40 doanh nghiệp",
        "hạn báo cáo",  # "hạn" is not "Hàn"
        "han bao cao",
        "my company",  # "my" is not "Mỹ"
        "bao nhieu tien",
    ],
)
def test_common_words_are_not_markets(extractor: EntityExtractor, text: str) -> None:
    assert _extract(extractor, text).markets == [], text


@pytest.mark.parametrize(
    ("text", "products"),
    [
        ("Mã HS 081060 xuất Trung Quốc cần gì?", ["durian"]),  # not passion fruit's 0810
        ("HS 0810 sang Trung Quốc", ["durian", "passion_fruit", "jackfruit"]),
        ("HS 0901 to Japan", ["coffee"]),
    ],
)
def test_a_product_by_its_hs_code(
    extractor: EntityExtractor, text: str, products: list[str]
) -> None:
    assert sorted(_extract(extractor, text).products) == sorted(products), text


@pytest.mark.parametrize(
    ("text", "markets", "countries"),
    [
        ("Xuất cà phê sang Đức cần gì?", ["EU"], ["de"]),  # an EU member: the EU's rules
        ("export pepper to the Netherlands", ["EU"], ["nl"]),
        ("xuat ca phe sang Phap", ["EU"], ["fr"]),
        ("Xuất cà phê sang Úc cần gì?", [], ["au"]),  # a country no market covers
        ("tieu chuan halal o UAE va Trung Dong", [], ["ae", "middle-east"]),
        ("Quy định của Nhật về dư lượng", ["JP"], []),
        ("hàng nhập vào Mỹ phải báo trước", ["US"], []),
        ("thông báo của GACC", ["CN"], []),
        ("ý kiến của Sở về áo mưa", [], []),  # "Ý" and "Áo" alone are common words
    ],
)
def test_countries_and_the_markets_that_cover_them(
    extractor: EntityExtractor, text: str, markets: list[str], countries: list[str]
) -> None:
    e = _extract(extractor, text)
    assert (e.markets, e.countries) == (markets, countries), text


@pytest.mark.parametrize(
    ("text", "lang", "products"),
    [
        ("bien phap nao ap dung cho go", None, ["wood"]),  # detected as Vietnamese
        ("xuat khau go sang EU", "vi", ["wood"]),
        ("How do I go about exporting to the EU?", None, []),  # the English verb
        ("go", "en", []),
        ("san pham go", None, ["wood"]),
    ],
)
def test_unmarked_one_word_alias_is_vietnamese_only(
    extractor: EntityExtractor, text: str, lang: str | None, products: list[str]
) -> None:
    assert extractor.extract(text, lang).products == products, text


@pytest.mark.parametrize("text", ["Gia Lai", "tỉnh Gia Lai", "gia lai", "Bình Định", "Pleiku"])
def test_home_province_is_not_another_place(extractor: EntityExtractor, text: str) -> None:
    e = _extract(extractor, text)
    assert e.home is True
    assert e.places == []


def test_home_and_another_province(extractor: EntityExtractor) -> None:
    e = _extract(extractor, "Kế hoạch của Gia Lai khác gì kế hoạch của Lâm Đồng?")
    assert e.home is True
    assert e.places == ["lam-dong"]


# --- documents and years --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Quyết định 876/QĐ-TTg", "876/qd-ttg"),
        ("qd 876/qd-ttg", "876/qd-ttg"),
        ("Decision 876/QD-TTg", "876/qd-ttg"),
        ("Nghị quyết 57-NQ/TW", "57-nq/tw"),
        ("nq 57-nq/tw", "57-nq/tw"),
        ("Chỉ thị 38-CT/TW", "38-ct/tw"),
        ("Luật 70/2025/QH15", "70/2025/qh15"),
    ],
)
def test_known_documents(extractor: EntityExtractor, text: str, key: str) -> None:
    e = _extract(extractor, text)
    assert e.documents == [key]
    assert e.unknown_documents == []


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Quyết định 1234/QĐ-UBND", "1234/qd-ubnd"),
        ("Kế hoạch 99/KH-UBND", "99/kh-ubnd"),
        ("Nghị quyết 12-NQ/TW", "12-nq/tw"),
        ("Luật 99/2025/QH15", "99/2025/qh15"),
    ],
)
def test_unknown_documents(extractor: EntityExtractor, text: str, key: str) -> None:
    e = _extract(extractor, text)
    assert e.documents == []
    assert e.unknown_documents == [key]


def test_doc_key_is_one_comparable_form() -> None:
    assert doc_key("876/QĐ-TTg") == doc_key("876 / qd-ttg") == "876/qd-ttg"


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("đến năm 2030", [2030]),
        ("giai đoạn 2026-2030", [2026, 2030]),
        ("giai đoạn 2026 - 2030", [2026, 2030]),
        ("orientation to 2035", [2035]),
        ("năm 1999", []),
        ("30/11", []),
        ("Quyết định 876/QĐ-TTg", []),
    ],
)
def test_years(extractor: EntityExtractor, text: str, years: list[int]) -> None:
    assert _extract(extractor, text).years == years


# --- negation and contrast ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "excluded"),
    [
        ("Nhiệm vụ nào không do Sở KH&CN chủ trì?", "so-khcn"),
        ("nv nao khong do so khcn chu tri", "so-khcn"),
        ("Những nhiệm vụ không phải Sở Tài chính phối hợp", "so-tai-chinh"),
        ("Ngoài Sở Tài chính, cơ quan nào phối hợp?", "so-tai-chinh"),
        ("tất cả nhiệm vụ trừ Sở KHCN chủ trì", "so-khcn"),
        ("tasks led by an agency other than the Department of Science and Technology", "so-khcn"),
        ("Which tasks are not led by DOST?", "so-khcn"),
        ("every task except the Department of Finance ones", "so-tai-chinh"),
        ("apart from the Department of Science and Technology, who leads tasks?", "so-khcn"),
        ("Ngoại trừ Sở Tài chính, ai phối hợp?", "so-tai-chinh"),
        ("ngoai tru so tai chinh thi ai phoi hop", "so-tai-chinh"),
        pytest.param("Nhiệm vụ nào khong do Sở KHCN chủ trì?", "so-khcn"),
        pytest.param("nv nao ko do so khcn chu tri", "so-khcn"),
    ],
)
def test_negated_agency_is_excluded(extractor: EntityExtractor, text: str, excluded: str) -> None:
    e = _extract(extractor, text)
    assert e.excluded_agencies == [excluded], text
    assert excluded not in e.agencies
    assert e.negated is True


@pytest.mark.parametrize(
    ("text", "excluded", "kept"),
    [
        # a comma that ends the list ends the exclusion: the next agency is the subject
        ("Ngoài Bộ KHCN, Sở KHCN còn phải báo cáo kết quả cho ai?", ["bo-khcn"], ["so-khcn"]),
        # a list that goes on after the comma is excluded whole
        (
            "Nhiệm vụ nào không do Sở KHCN, Sở Tài chính hoặc UBND tỉnh chủ trì?",
            ["so-khcn", "so-tai-chinh", "ubnd-tinh"],
            [],
        ),
        ("Nhiệm vụ không do Sở KHCN hay Sở Tài chính chủ trì", ["so-khcn", "so-tai-chinh"], []),
    ],
)
def test_where_a_list_of_excluded_agencies_ends(
    extractor: EntityExtractor, text: str, excluded: list[str], kept: list[str]
) -> None:
    e = _extract(extractor, text)
    assert e.excluded_agencies == excluded, text
    assert e.agencies == kept, text


@pytest.mark.parametrize(
    ("text", "recipients", "agencies"),
    [
        ("báo cáo hằng năm gửi Sở KHCN trước ngày nào?", ["so-khcn"], ["so-khcn"]),
        ("bao cao gui ve so khcn truoc ngay may", ["so-khcn"], ["so-khcn"]),
        ("When must departments report to the DOST?", ["so-khcn"], ["cac-so-nganh", "so-khcn"]),
        ("Sở KHCN báo cáo khi nào?", [], ["so-khcn"]),
    ],
)
def test_an_agency_something_is_sent_to_is_a_recipient(
    extractor: EntityExtractor, text: str, recipients: list[str], agencies: list[str]
) -> None:
    e = _extract(extractor, text)
    assert e.recipients == recipients, text
    assert e.agencies == agencies, text


def test_only_the_agency_after_the_negation_is_excluded(extractor: EntityExtractor) -> None:
    e = _extract(extractor, "Nhiệm vụ nào Sở Tài chính phối hợp mà không do Sở KH&CN chủ trì?")
    assert e.agencies == ["so-tai-chinh"]
    assert e.excluded_agencies == ["so-khcn"]


@pytest.mark.parametrize(
    "text",
    [
        "Which tasks are not the yearly ones?",
        "tasks not carried out every year",
        "Những nhiệm vụ nào không thực hiện hằng năm?",
        "nv nao khong lam hang nam",
    ],
)
def test_negated_annual(extractor: EntityExtractor, text: str) -> None:
    assert _extract(extractor, text).excluded_annual is True


@pytest.mark.parametrize(
    "text", ["Nhiệm vụ nào thực hiện hằng năm?", "which tasks run every year", "annual tasks"]
)
def test_plain_annual_is_not_excluded(extractor: EntityExtractor, text: str) -> None:
    assert _extract(extractor, text).excluded_annual is False


@pytest.mark.parametrize(
    ("text", "kind", "ref"),
    [
        ("Sở Tài chính có chủ trì nhiệm vụ nào không?", "agencies", "so-tai-chinh"),
        ("so khcn co phoi hop nhiem vu 3.2 khong?", "agencies", "so-khcn"),
        ("Cà phê xuất sang EU có phải tuân thủ EUDR không?", "measures", "eu-eudr"),
        ("Xuất hồ tiêu sang Nhật Bản được không?", "markets", "JP"),
    ],
)
def test_a_closing_question_particle_excludes_nothing(
    extractor: EntityExtractor, text: str, kind: str, ref: str
) -> None:
    e = _extract(extractor, text)
    assert ref in getattr(e, kind)
    assert e.excluded == {}
    assert e.excluded_annual is False


@pytest.mark.parametrize(
    "text",
    [
        "Trụ sở Sở Tài chính ở đâu?",
        pytest.param("tru so so tai chinh o dau"),
    ],
)
def test_head_office_is_not_a_negation(extractor: EntityExtractor, text: str) -> None:
    e = _extract(extractor, text)
    assert e.agencies == ["so-tai-chinh"]
    assert e.excluded == {}


@pytest.mark.parametrize(
    "text",
    [
        "Quy định của nước ngoài như EU về cà phê là gì?",
        "quy dinh cua nuoc ngoai nhu EU ve ca phe la gi",
    ],
)
def test_foreign_is_not_a_negation(extractor: EntityExtractor, text: str) -> None:
    e = _extract(extractor, text)
    assert e.markets == ["EU"] and e.products == ["coffee"]
    assert e.excluded == {}


# --- names come from the knowledge files ------------------------------------------------------


NEW_ALIAS = "Sở Đổi mới Sáng tạo"


def test_alias_added_to_the_knowledge_is_found(kb: KnowledgeBase, knowledge_copy: Path) -> None:
    question = "So Doi moi Sang tao chu tri nhung nhiem vu nao?"
    assert EntityExtractor(kb).extract(question).agencies == []  # not a name yet

    agencies = knowledge_copy / "agencies.yaml"
    text = agencies.read_text(encoding="utf-8")
    anchor = "aliases: [Sở KH&CN,"
    assert text.count(anchor) == 1
    agencies.write_text(text.replace(anchor, f"aliases: [{NEW_ALIAS}, Sở KH&CN,"), "utf-8")

    edited = load_or_raise(knowledge_copy)
    assert NEW_ALIAS in edited.agencies["so-khcn"].aliases
    found = EntityExtractor(edited)
    assert found.extract(question).agencies == ["so-khcn"]
    assert found.extract(f"{NEW_ALIAS} làm gì?").agencies == ["so-khcn"]
    assert found.extract(f"Nhiệm vụ nào không do {NEW_ALIAS} chủ trì?").excluded_agencies == [
        "so-khcn"
    ]
