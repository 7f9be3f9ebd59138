"""Language of an article's text.

py3langid is small, fast and needs no model download; it is reliable on article-length text,
which is all we ask of it. Very short texts get no language rather than a guess.
"""

from __future__ import annotations

from functools import cache
from typing import Any

MIN_CHARS = 40


@cache
def _identifier() -> Any:
    # the model loads in a fraction of a second, once per process, only when first needed
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_DIR / MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when the text is too short to tell."""
    sample = text[:5000]
    if len(sample.strip()) < MIN_CHARS:
        return None
    language, probability = _identifier().classify(sample)
    return str(language) if probability >= 0.5 else None
