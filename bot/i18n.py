"""The bot's own phrases in Vietnamese and English."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "intro": (
        "Xin chào! Tôi là <b>Trợ lý Tiêu chuẩn Gia Lai</b>. Tôi trả lời về Kế hoạch triển khai "
        "Chiến lược tiêu chuẩn quốc gia 2026–2035 của tỉnh (ai chủ trì, phối hợp, thời hạn, mục "
        "tiêu, hỗ trợ doanh nghiệp) và về hàng rào kỹ thuật trong thương mại (TBT). "
        "Gõ câu hỏi, có dấu hoặc không dấu, hoặc chọn một ví dụ:",
        "Hello! I am the <b>Gia Lai Standards Assistant</b>. I answer questions on the "
        "province's plan for the National Standards Strategy 2026–2035 (who leads what, "
        "deadlines, targets, support for enterprises) and on technical barriers to trade (TBT). "
        "Type a question, or pick an example:",
    ),
    "help": (
        "<b>Các lệnh</b>\n/task 3.2 — thẻ một nhiệm vụ\n/tasks — danh sách nhiệm vụ\n"
        "/agency Sở Tài chính — cơ quan chủ trì, phối hợp gì\n/deadlines — các thời hạn\n"
        "/deadlines cà phê EU — các mốc của biện pháp TBT\n"
        "/eligibility — doanh nghiệp được hỗ trợ gì\n/tbt — hướng dẫn TBT, tìm theo sản phẩm, "
        "thị trường\n/watch cà phê EU — theo dõi biện pháp mới\n/subscribe — nhận nhắc hạn\n"
        "/lang vi|en — ngôn ngữ\n\nTrong nhóm, hãy nhắc tên tôi hoặc trả lời tin nhắn của tôi.",
        "<b>Commands</b>\n/task 3.2 — one task's card\n/tasks — the list of tasks\n"
        "/agency Department of Finance — what an agency leads and coordinates\n"
        "/deadlines — deadlines\n/deadlines coffee EU — dates of TBT measures\n"
        "/eligibility — what support fits your enterprise\n"
        "/tbt — TBT guidance, search by product and market\n/watch coffee EU — alerts on new "
        "measures\n/subscribe — deadline reminders\n/lang vi|en — language\n\n"
        "In groups, mention me or reply to my message.",
    ),
    "error": (
        "Xin lỗi, đã có lỗi khi xử lý câu hỏi. Vui lòng thử lại sau ít phút.",
        "Sorry, something went wrong with that question. Please try again in a moment.",
    ),
    "slow_down": (
        "Bạn gửi hơi nhanh, xin đợi vài giây rồi hỏi tiếp nhé.",
        "You are sending messages a little fast; please wait a few seconds.",
    ),
    "thanks": ("Cảm ơn góp ý của bạn!", "Thanks for your feedback!"),
    "stale_button": ("Nút này không còn hiệu lực.", "This button is no longer valid."),
    "late_answer": (
        "⏱ Trả lời muộn: trợ lý đã khởi động lại khi bạn hỏi.",
        "⏱ A late answer: the assistant restarted while you were asking.",
    ),
    "no_task": ("Không có nhiệm vụ {id}. Chọn một nhiệm vụ:", "There is no task {id}. Pick one:"),
    "pick_task": ("Chọn một nhiệm vụ:", "Pick a task:"),
    "pick_agency": ("Chọn một cơ quan:", "Pick an agency:"),
    "no_agency": ("Không tìm thấy cơ quan «{name}». Chọn:", "No agency called «{name}». Pick:"),
    "lang_set": ("Đã chuyển sang tiếng Việt.", "Switched to English."),
    "lang_usage": ("Dùng: /lang vi hoặc /lang en", "Use: /lang vi or /lang en"),
    "subscribed": (
        "Đã đăng ký nhắc hạn{scope}. Bạn sẽ được nhắc trước các thời hạn {days} ngày.",
        "Subscribed to reminders{scope}. You will be reminded {days} days before deadlines.",
    ),
    "already_subscribed": ("Bạn đã đăng ký nhắc hạn{scope} rồi.", "Already subscribed{scope}."),
    "unsubscribed": ("Đã hủy {n} đăng ký nhắc hạn.", "Removed {n} reminder subscription(s)."),
    "reminder": (
        "⏰ <b>Nhắc hạn</b>: {title} — hạn {due} (còn {days} ngày).",
        "⏰ <b>Reminder</b>: {title} — due {due} ({days} day{s} left).",
    ),
    "reminder_today": ("⏰ <b>Hôm nay là hạn</b>: {title}.", "⏰ <b>Due today</b>: {title}."),
    "not_admin": (
        "Lệnh này chỉ dành cho cán bộ quản trị.",
        "This command is for administrators only.",
    ),
    "reloading": ("Đang kiểm tra và nạp lại dữ liệu…", "Validating and reloading the knowledge…"),
    "reload_ok": (
        "Đã nạp lại: {embedded} đoạn được tính lại, {added} thêm, {changed} sửa, {removed} xóa.",
        "Reloaded: {embedded} chunk(s) embedded, {added} added, {changed} changed, "
        "{removed} removed.",
    ),
    "reload_failed": (
        "Dữ liệu có lỗi, vẫn dùng bản cũ:\n{problems}",
        "The knowledge has errors; the previous version stays in use:\n{problems}",
    ),
    "upload_rejected": (
        "Tệp {name} bị từ chối, tệp cũ được giữ nguyên:\n{problems}",
        "File {name} was rejected; the old file stays:\n{problems}",
    ),
    "upload_bad_name": (
        "Tên tệp «{name}» không phải tệp tri thức. Tên hợp lệ: {names}; hoặc gửi tệp .csv/.xlsx "
        "để nhập biện pháp hay thông báo WTO.",
        "«{name}» is not a knowledge file name. Valid names: {names}; or send a .csv/.xlsx "
        "file to import measures or WTO notifications.",
    ),
    "upload_too_big": ("Tệp quá lớn (tối đa {kb} KB).", "File too large (at most {kb} KB)."),
    "upload_ok": (
        "Đã thay {name} (bản cũ lưu tại {backup}). ",
        "Replaced {name} (old copy kept as {backup}). ",
    ),
    "import_report": (
        "Nhập {kind} từ {name}: {rows} dòng — thêm {added}, cập nhật {updated}, "
        "không đổi {unchanged}, bị từ chối {rejected}.",
        "Imported {kind} from {name}: {rows} row(s) — added {added}, updated {updated}, "
        "unchanged {unchanged}, rejected {rejected}.",
    ),
    "import_kind_notifications": ("thông báo WTO", "WTO notifications"),
    "import_kind_measures": ("biện pháp", "measures"),
    "import_rejected_rows": ("Các dòng bị từ chối:\n{rows}", "Rejected rows:\n{rows}"),
    "import_notes": ("Ghi chú:\n{rows}", "Notes:\n{rows}"),
    "import_nothing_written": (
        "Chưa ghi gì vào cơ sở dữ liệu. Sửa các dòng trên rồi gửi lại tệp, hoặc bấm nút dưới "
        "đây để chỉ nhập các dòng hợp lệ.",
        "Nothing was written. Fix the rows above and send the file again, or press the button "
        "to import only the good rows.",
    ),
    "import_good_button": ("Nhập các dòng hợp lệ", "Import the good rows"),
    "import_failed": ("Không nhập được tệp: {why}", "The file could not be imported: {why}"),
    "unanswered_none": ("Chưa có câu hỏi nào bị bỏ ngỏ.", "No unanswered questions yet."),
    "eligibility_kind": (
        "<b>Bước 1/3.</b> Bạn là loại hình nào?",
        "<b>Step 1/3.</b> What kind of business are you?",
    ),
    "eligibility_products": (
        "<b>Bước 2/3.</b> Sản phẩm của bạn (chọn nhiều, rồi bấm Tiếp):",
        "<b>Step 2/3.</b> Your products (pick any, then Next):",
    ),
    "eligibility_interests": (
        "<b>Bước 3/3.</b> Bạn quan tâm điều gì (chọn nhiều, rồi bấm Xem kết quả):",
        "<b>Step 3/3.</b> What are you interested in (pick any, then See results):",
    ),
    "next": ("Tiếp ›", "Next ›"),
    "results": ("Xem kết quả ✓", "See results ✓"),
    "restart": ("Làm lại", "Start over"),
    "tbt_menu": (
        "<b>Hàng rào kỹ thuật trong thương mại (TBT)</b>\nChọn chủ đề, hoặc tìm biện pháp theo "
        "sản phẩm và thị trường: <code>/tbt cà phê EU</code>",
        "<b>Technical barriers to trade (TBT)</b>\nPick a topic, or search measures by product "
        "and market: <code>/tbt coffee EU</code>",
    ),
    "watch_usage": (
        "Dùng: /watch &lt;sản phẩm&gt; [thị trường], ví dụ /watch cà phê EU",
        "Use: /watch &lt;product&gt; [market], e.g. /watch coffee EU",
    ),
    "deadlines_more": (
        "Theo sản phẩm: <code>/deadlines cà phê EU</code>; mọi biện pháp: "
        "<code>/deadlines tbt</code>; nhận cảnh báo: <code>/watch cà phê EU</code>; thời hạn "
        "của Kế hoạch: <code>/deadlines kế hoạch</code>.",
        "By product: <code>/deadlines coffee EU</code>; every measure: "
        "<code>/deadlines tbt</code>; alerts: <code>/watch coffee EU</code>; the plan's "
        "deadlines: <code>/deadlines plan</code>.",
    ),
    "watch_ok": ("Đã theo dõi: {what}.", "Watching: {what}."),
    "watch_exists": ("Bạn đã theo dõi {what}.", "You already watch {what}."),
    "watch_none": ("Bạn chưa theo dõi gì. {usage}", "You watch nothing yet. {usage}"),
    "unwatch_ok": ("Đã bỏ {n} mục theo dõi.", "Removed {n} watch(es)."),
    "measure_alert": (
        "🔔 <b>Biện pháp mới/cập nhật</b> cho {what}:",
        "🔔 <b>New or changed measure</b> for {what}:",
    ),
    "forward_button": ("📨 Hỏi cán bộ Sở", "📨 Ask the Department's staff"),
    "forwarded": (
        "Đã chuyển câu hỏi của bạn (số #{id}) tới cán bộ Sở Khoa học và Công nghệ. Câu trả lời "
        "sẽ được gửi cho bạn tại đây.",
        "Your question (#{id}) went to the staff of the Department of Science and Technology. "
        "Their reply will come to you here.",
    ),
    "forward_again": (
        "Câu hỏi này đã được chuyển (số #{id}); cán bộ Sở sẽ trả lời bạn tại đây.",
        "This question was already forwarded (#{id}); the staff will reply here.",
    ),
    "forward_not_yours": (
        "Chỉ người hỏi mới chuyển được câu hỏi này.",
        "Only the asker can forward it.",
    ),
    "forward_staff": (
        "📨 <b>Câu hỏi chuyển tới cán bộ #{id}</b> (người hỏi: {who}, {asked_in})\n«{question}»\n\n"
        "<b>Trợ lý đã tìm:</b>\n<code>{searched}</code>\n\n"
        "Trả lời tin nhắn này (reply) hoặc gõ <code>/reply {id} nội dung</code>.",
        "📨 <b>Question forwarded to staff #{id}</b> (asked by {who}, {asked_in})\n«{question}»\n\n"
        "<b>The assistant searched:</b>\n<code>{searched}</code>\n\n"
        "Reply to this message, or type <code>/reply {id} your answer</code>.",
    ),
    "staff_answer": (
        "📬 <b>Sở Khoa học và Công nghệ trả lời câu hỏi #{id}</b>\n«{question}»\n\n{reply}",
        "📬 <b>The Department of Science and Technology answers question #{id}</b>\n"
        "«{question}»\n\n{reply}",
    ),
    "reply_sent": (
        "Đã gửi trả lời #{id} cho người hỏi. Lưu thành câu hỏi thường gặp để trợ lý tự trả lời "
        "từ nay?",
        "Reply #{id} was delivered. Save it as an FAQ entry so the assistant answers it from now "
        "on?",
    ),
    "reply_usage": (
        "Dùng: <code>/reply số nội dung</code>, ví dụ <code>/reply 12 Hồ sơ nộp tại …</code>",
        "Use: <code>/reply number text</code>, e.g. <code>/reply 12 Applications go to …</code>",
    ),
    "reply_unknown": (
        "Không có câu hỏi chuyển tiếp #{id}.",
        "There is no forwarded question #{id}.",
    ),
    "save_faq_button": ("💾 Lưu thành FAQ", "💾 Save as FAQ"),
    "faq_saved": (
        "Đã lưu thành mục {faq} trong tbt/faq.yaml (đã kiểm tra và nạp lại chỉ mục).",
        "Saved as entry {faq} in tbt/faq.yaml (validated and re-indexed).",
    ),
    "faq_failed": ("Không lưu được:\n{problems}", "Could not save it:\n{problems}"),
    "forwards_waiting": (
        "📨 Câu hỏi chuyển tới cán bộ đang chờ: {n}{oldest}",
        "📨 Forwarded questions waiting for staff: {n}{oldest}",
    ),
    "measure_reminder": (
        "⏰ {title}: {due} ({left}).",
        "⏰ {title}: {due} ({left}).",
    ),
}


def t(key: str, lang: str, **values: object) -> str:
    """A phrase in the user's language, with values already escaped by the caller."""
    vi, en = TEXTS[key]
    text = en if lang == "en" else vi
    if "days" in values:
        values = {**values, "s": "" if values["days"] == 1 else "s"}
    return text.format(**values) if values else text
