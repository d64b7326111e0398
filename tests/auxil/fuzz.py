"""Generated questions for fuzzing: hostile fragments mixed with real ones.

Used by the suite (a few hundred inputs, seconds) and by `scripts/benchmark.py --fuzz N`.
"""

from __future__ import annotations

import random

FRAGMENTS = [
    "\x00",
    "\x00\x00\x00",
    "\u202e",  # right-to-left override
    "\u2066\u2067\u2068\u2069",  # bidi isolates
    "\u200b\u200d\ufeff",  # zero-width
    "\udcff",  # an undecodable byte under surrogateescape
    "<b>",
    "</i>",
    "<a href='javascript:alert(1)'>x</a>",
    "&amp;&lt;&#0;",
    "<tg-spoiler>",
    "**đậm** _nghiêng_ `mã`",
    "```\ncode\n```",
    "'; DROP TABLE questions; --",
    "../../etc/passwd",
    "%s%n{0}{}",
    "🙂🚀🇻🇳",
    "ai chủ trì nhiệm vụ 3.2",
    "ai chu tri nhiem vu",
    "hạn báo cáo",
    "What support can exporters get?",
    "xuất cà phê sang EU cần gì",
    "HS 0901",
    "G/TBT/N/EU/1234",
    "3.2.1.4.5",
    "   ",
    "\n\n\t",
    "/start",
    "@bot",
]


def questions(count: int, seed: int = 0) -> list[str]:
    """`count` questions; about one in fifty is a line of 100,000 characters."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        parts = [rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 8))]
        if rng.random() < 0.3:
            parts.append("".join(chr(rng.randint(1, 0x2FFF)) for _ in range(rng.randint(1, 60))))
        text = "".join(parts)
        if i % 50 == 7:
            text = (text or "x") * (100_000 // max(1, len(text)) + 1)
            text = text[:100_000]
        out.append(text)
    return out
