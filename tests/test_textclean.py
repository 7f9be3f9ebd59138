"""Cleaning of pasted plain-text articles (newsmon.textclean), on constructed messy input."""

from zoneinfo import ZoneInfo

from newsmon.textclean import clean_plain_text, split_sentences

BERLIN = ZoneInfo("Europe/Berlin")
PARAGRAPH = (
    "Der chinesische Anbieter Zhipu hat ein neues Sprachmodell vorgestellt, das nach eigenen Angaben mit "
    "den besten amerikanischen Systemen mithalten kann. Trainiert wurde es vollständig auf heimischen Chips."
)
SECOND = (
    "Beobachter in Washington sehen darin ein Zeichen, dass die Exportkontrollen ihre Wirkung verfehlen "
    "könnten. Die Regierung prüft deshalb weitere Maßnahmen gegen den Export von Fertigungsanlagen."
)


def test_furniture_credits_and_reactions_are_removed() -> None:
    raw = "\n".join(
        [
            "Menü",
            "Zhipu legt nach: Neues Modell aus Peking",
            "Veröffentlicht am 3. Februar 2026, 14:30 Uhr",
            "Von: Anna Muster und Ben Beispiel",
            "Foto: dpa",
            '<img src="x.jpg" alt=“Chip”> Ein Chip auf einer Platine. Max Muster – Getty Images ' + PARAGRAPH,
            "👍 12 ❤️ 3",
            SECOND,
            "Teilen:",
            "Facebook",
            "WhatsApp",
            "Lesen Sie auch: Nvidia und die H20-Frage",
        ]
    )
    cleaned = clean_plain_text(raw, BERLIN)
    assert cleaned.title == "Zhipu legt nach: Neues Modell aus Peking"
    assert cleaned.date is not None
    assert cleaned.date.precision == "minute"
    assert cleaned.authors == ["Anna Muster", "Ben Beispiel"]
    assert cleaned.paragraphs == [PARAGRAPH, SECOND]


def test_text_pasted_twice_keeps_one_copy() -> None:
    raw = f"{PARAGRAPH} {SECOND}\n\n{PARAGRAPH.replace('  ', ' ')}\n{SECOND}"
    cleaned = clean_plain_text(raw, BERLIN)
    assert cleaned.body.count("Trainiert wurde es") == 1
    assert cleaned.body.count("Fertigungsanlagen") == 1


def test_short_sentences_may_repeat() -> None:
    raw = f"{PARAGRAPH}\nDas ist alles.\n{SECOND}\nDas ist alles."
    assert clean_plain_text(raw, BERLIN).body.count("Das ist alles.") == 2


def test_without_title_line_the_first_sentence_names_the_article() -> None:
    cleaned = clean_plain_text(PARAGRAPH + "\n" + SECOND, BERLIN)
    assert cleaned.title_origin == "first-sentence"
    assert cleaned.title is not None
    assert cleaned.title.startswith("Der chinesische Anbieter Zhipu")


def test_ordinals_and_abbreviations_do_not_split_sentences() -> None:
    assert split_sentences("Am 18. März stellte Tencent z. B. neue Tools vor. Dr. Lin widersprach.") == [
        "Am 18. März stellte Tencent z. B. neue Tools vor.",
        "Dr. Lin widersprach.",
    ]


def test_odd_input_never_raises() -> None:
    for raw in ("", "\x00\x01", "width=”1″>", "a\n" * 1000, "„“" * 50):
        clean_plain_text(raw, BERLIN)


def test_markdown_heading_marks_are_not_part_of_the_title() -> None:
    heading = "# Zhipu legt nach: Neues Modell aus Peking"
    raw = f"{heading}\n\n{PARAGRAPH}\n\n## Reaktionen in Washington ##\n\n{SECOND}"
    cleaned = clean_plain_text(raw, BERLIN)
    assert cleaned.title == "Zhipu legt nach: Neues Modell aus Peking"
    assert "#" not in cleaned.body
    assert "#hashtag" in clean_plain_text(f"{PARAGRAPH} Mehr unter\n#hashtag", BERLIN).body
