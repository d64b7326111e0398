"""Realistic synthetic WTO notifications, for the scale benchmark only (never into knowledge/).

Rows look like an ePing export: a symbol per member and agreement, a title built from what
members notify (residue limits, labelling, import conditions...) for a product with its HS code,
a two-sentence description, dates, and about one row in twenty an addendum to an earlier row.
Symbols start at 50,000 so they never collide with real ones in the knowledge.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

HEADER = [
    "Document Symbol",
    "Notifying Member",
    "Title",
    "Description",
    "Products covered",
    "HS Code(s)",
    "Objective",
    "Distribution date",
    "Final date for comments",
    "Proposed date of adoption",
    "Proposed date of entry into force",
]
MEMBERS = [
    ("EU", "European Union"),
    ("USA", "United States of America"),
    ("CHN", "China"),
    ("JPN", "Japan"),
    ("KOR", "Korea, Republic of"),
]
PRODUCTS = [
    ("green coffee beans", "0901"),
    ("roasted coffee", "090121"),
    ("instant coffee", "210111"),
    ("black pepper", "090411"),
    ("cashew nuts", "080132"),
    ("macadamia nuts", "080262"),
    ("fresh durian", "081060"),
    ("fresh bananas", "0803"),
    ("mangoes", "080450"),
    ("natural rubber", "4001"),
    ("sawn wood", "4407"),
    ("plywood", "4412"),
    ("wooden furniture", "9403"),
    ("cassava starch", "110814"),
    ("natural honey", "0409"),
    ("green tea", "0902"),
    ("rice", "1006"),
    ("frozen fish fillets", "0304"),
    ("plastic food contact materials", "3923"),
    ("toys", "9503"),
    ("household electrical appliances", "8516"),
    ("cosmetic products", "3304"),
    ("medical devices", "9018"),
    ("motor vehicle tyres", "4011"),
    ("lithium batteries", "8507"),
]
SUBJECTS = [
    ("Maximum residue limits for {pest} in {p}", "SPS", "Food safety"),
    ("Labelling requirements for prepackaged {p}", "TBT", "Consumer information"),
    ("Import conditions for {p}", "SPS", "Protection of plant health"),
    ("Conformity assessment procedures for {p}", "TBT", "Quality requirements"),
    ("Phytosanitary requirements for the import of {p}", "SPS", "Protection from pests"),
    ("Maximum levels of contaminants in {p}", "SPS", "Food safety"),
    ("Packaging and marking requirements for {p}", "TBT", "Protection of the environment"),
    ("Registration of overseas producers of {p}", "SPS", "Food safety"),
    ("Technical regulation on the safety of {p}", "TBT", "Protection of human health"),
    (
        "Energy efficiency and eco-design requirements for {p}",
        "TBT",
        "Protection of the environment",
    ),
]
PESTS = [
    "fluxapyroxad",
    "chlorpyrifos",
    "glyphosate",
    "imidacloprid",
    "acetamiprid",
    "carbendazim",
    "thiamethoxam",
    "cypermethrin",
    "difenoconazole",
    "propiconazole",
]


def rows(count: int, seed: int = 7, start: int = 50_000) -> list[list[str]]:
    """`count` rows; the same seed gives the same rows."""
    rng = random.Random(seed)
    numbers = {(code, agreement): start for code, _ in MEMBERS for agreement in ("TBT", "SPS")}
    out: list[list[str]] = []
    made: list[tuple[str, str, dt.date]] = []
    while len(out) < count:
        if made and rng.random() < 0.05:  # an addendum to an earlier notification
            symbol, member, on = rng.choice(made)
            later = on + dt.timedelta(days=rng.randint(30, 400))
            out.append([
                f"{symbol}/Add.1", member, "Addendum: the measure was adopted",
                f"The measure notified in {symbol} was adopted and published on "
                f"{later:%d %B %Y}.", "", "", "", later.isoformat(), "", "",
                (later + dt.timedelta(days=90)).isoformat(),
            ])  # fmt: skip
            continue
        code, member = rng.choice(MEMBERS)
        template, agreement, objective = rng.choice(SUBJECTS)
        product, hs = rng.choice(PRODUCTS)
        numbers[(code, agreement)] += 1
        symbol = f"G/{agreement}/N/{code}/{numbers[(code, agreement)]}"
        title = template.format(p=product, pest=rng.choice(PESTS))
        on = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randint(0, 4300))
        description = (
            f"The notified draft sets requirements for {product} placed on the market of "
            f"{member}, including {objective.lower()} provisions, sampling and testing methods, "
            f"and the documents importers must keep. It replaces earlier provisions and applies "
            f"to domestic and imported products alike."
        )
        out.append([
            symbol, member, title, description, f"{product} (HS {hs})", hs, objective,
            on.isoformat(), (on + dt.timedelta(days=60)).isoformat(), "To be determined",
            (on + dt.timedelta(days=rng.randint(180, 720))).isoformat(),
        ])  # fmt: skip
        made.append((symbol, member, on))
    return out


def write(path: Path, count: int, seed: int = 7, start: int = 50_000) -> Path:
    """Write `count` rows as an ePing-style CSV file."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows(count, seed, start))
    return path
