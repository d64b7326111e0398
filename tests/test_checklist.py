"""The exporter's checklist: product and market in, measures, next dates, actions, who to ask."""

from __future__ import annotations

import datetime as dt

from assistant.answer.render import render_text
from assistant.service import Assistant

TODAY = dt.date(2026, 12, 2)


def _text(assistant: Assistant, question: str) -> str:
    return render_text(assistant.ask(question, today=TODAY))


def test_checklist_for_a_product_and_market(fake_assistant: Assistant) -> None:
    text = _text(fake_assistant, "Xuất cà phê sang EU cần đáp ứng gì?")
    assert text.startswith("Xuất khẩu cà phê — Liên minh châu Âu (EU): ")
    head, _, rest = text.partition("Áp dụng cho mọi hàng hóa")
    # the product's own measures come first, each with its next date and what to do
    assert "Quy định chống phá rừng của EU (EUDR, 2023/1115)" in head
    assert (
        "• Mốc tiếp theo: 30/12/2026 (Bắt đầu áp dụng (nhà vận hành và thương nhân lớn, vừa), "
        "còn 28 ngày)" in head
    )
    assert "• Cần làm: Cung cấp thông tin cho nhà nhập khẩu EU để lập tuyên bố thẩm định" in head
    assert "ISPM 15" not in head and "PPWR" not in head
    # then what concerns every product, one line each, then who to ask
    assert "PPWR" in rest and "ISPM 15" in rest
    assert "Hỏi ai\n• Sở Khoa học và Công nghệ: chủ trì nhiệm vụ 5.3 của Kế hoạch" in rest


def test_checklist_without_marks_in_english_and_by_hs_code(fake_assistant: Assistant) -> None:
    plain = _text(fake_assistant, "xuat sau rieng sang trung quoc can dap ung gi")
    assert plain.startswith("Xuất khẩu sầu riêng — Trung Quốc: ")
    assert "Nghị định thư sầu riêng tươi" in plain and "cadimi" in plain
    english = _text(fake_assistant, "What must I meet to export pepper to China?")
    assert english.startswith("Exporting pepper (Piper) — China: ")
    assert (
        "To do: Register (or renew) as an overseas food manufacturer with China Customs" in english
    )
    assert "Who to ask\n• Department of Science and Technology: leads task 5.3" in english
    by_code = _text(fake_assistant, "Hàng HS 0901 xuất sang Nhật cần đáp ứng gì?")
    assert by_code.startswith("Xuất khẩu cà phê — Nhật Bản: ")


def test_a_fact_question_gets_the_cards(fake_assistant: Assistant) -> None:
    text = _text(
        fake_assistant, "Quy định gỗ hợp pháp của Hàn Quốc ban đầu áp dụng cho các mã HS nào?"
    )
    assert "Ngày thông báo WTO: 5/9/2017" in text  # the card, with every date


def test_what_the_database_does_not_hold_is_said(fake_assistant: Assistant) -> None:
    answer = fake_assistant.ask("Thuế nhập khẩu cà phê vào EU là bao nhiêu?", today=TODAY)
    assert not answer.confident
    assert render_text(answer).startswith(
        "Cơ sở dữ liệu chỉ có các biện pháp kỹ thuật và vệ sinh dịch tễ, không có thuế suất"
    )
    untracked = fake_assistant.ask("What does Australia require for cashew imports?", today=TODAY)
    assert not untracked.confident
    assert render_text(untracked).startswith(
        "Our database does not follow Australia yet; it follows: European Union (EU), "
    )
    # typed without marks, with a product the names miss ("go"): the country and "xk" suffice
    india = fake_assistant.ask("xk go sang An Do can chung nhan gi", today=TODAY)
    assert not india.confident
    assert render_text(india).startswith("Cơ sở dữ liệu chưa theo dõi thị trường Ấn Độ")
    for question in (
        "cho minh xin danh sach cong ty nhap khau ca phe o Han Quoc",
        "Tháng trước có bao nhiêu container sầu riêng bị Trung Quốc trả về?",
        "What was the export value of Gia Lai pepper to the EU last year?",
    ):
        stats = fake_assistant.ask(question, today=TODAY)
        assert not stats.confident, question
        assert "thống kê thương mại" in render_text(stats) or "trade statistics" in render_text(
            stats
        ), question


def test_a_member_state_gets_its_unions_measures(fake_assistant: Assistant) -> None:
    text = _text(fake_assistant, "xuất cà phê sang Đức cần đáp ứng gì?")
    assert text.startswith("Cộng hòa Liên bang Đức áp dụng quy định của Liên minh châu Âu (EU).")
    assert "EUDR" in text
    english = _text(fake_assistant, "What do I need to export pepper to the Netherlands?")
    assert english.startswith("The Netherlands applies the rules of the European Union (EU).")
    both = _text(fake_assistant, "Xuất cà phê sang Úc và EU cần gì?")
    assert "EUDR" in both
    assert "Cơ sở dữ liệu chưa theo dõi thị trường Úc." in both


def test_whom_to_ask_follows_the_cards_and_a_market_alone_reads_well(
    fake_assistant: Assistant,
) -> None:
    text = _text(fake_assistant, "Hỏi ai về quy định kiểm dịch sầu riêng sang Trung Quốc?")
    assert "Nghị định thư sầu riêng tươi (2022)" in text or "fresh durian" in text
    assert "Hỏi ai\n• Sở Khoa học và Công nghệ: chủ trì nhiệm vụ 5.3" in text
    assert _text(fake_assistant, "Xuất sang Nhật cần đáp ứng gì?").startswith(
        "Xuất khẩu sang Nhật Bản: "
    )


def test_a_measure_on_all_food_concerns_every_food_product(fake_assistant: Assistant) -> None:
    text = _text(fake_assistant, "Xuất hạt điều sang Hàn Quốc cần đáp ứng gì?")
    assert "MFDS" in text  # the Act names "nuts", not cashew: cashew is food
    wood = _text(fake_assistant, "Xuất gỗ xẻ sang Hàn Quốc cần đáp ứng gì?")
    assert "MFDS" not in wood


def test_whom_to_ask_about_a_measure(fake_assistant: Assistant) -> None:
    text = _text(fake_assistant, "Muốn hỏi về quy định EUDR thì liên hệ ai?")
    assert "Hỏi ai\n• Sở Khoa học và Công nghệ: chủ trì nhiệm vụ 5.3 của Kế hoạch" in text
