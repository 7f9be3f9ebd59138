"""The comparison form of text (newsmon.normalize)."""

from hypothesis import given
from hypothesis import strategies as st

from newsmon.normalize import normalize_text, words


def test_typographic_variants_compare_equal() -> None:
    fancy = "„KI‑Wettlauf“ – ‚China’s\u00ad Chips‘ … \u201cH200\u201d\u200b  zwischen\n\nUSA"
    plain = '"KI-Wettlauf" - \'China\'s Chips\' ... "H200" zwischen USA'
    assert normalize_text(fancy) == normalize_text(plain)


def test_case_width_and_whitespace_fold() -> None:
    assert normalize_text("  ＳＴＡＲＧＡＴＥ\tProjekt\r\n ") == "stargate projekt"
    assert normalize_text("Straße") == normalize_text("STRASSE")


def test_attribute_quotes_fold_to_ascii() -> None:
    assert normalize_text("width=”2015″") == normalize_text('width="2015"')


def test_words_keep_compounds() -> None:
    assert words(normalize_text("Die H200-Chips von Nvidia’s Partnern.")) == [
        "die",
        "h200-chips",
        "von",
        "nvidia's",
        "partnern",
    ]


@given(st.text())
def test_normalize_is_idempotent_and_total(value: str) -> None:
    once = normalize_text(value)
    assert normalize_text(once) == once
    assert "  " not in once
    assert once == once.strip()
