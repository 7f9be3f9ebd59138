"""Recognisers for page furniture that survives copy-and-paste into plain text.

Kept apart from the cleaning algorithm so the lists can grow without touching it. Every pattern
is matched against one stripped line (``fullmatch``, case-insensitive) unless noted.
"""

from __future__ import annotations

import re

_LINE_PATTERNS = (
    # share widgets
    r"(?:jetzt |artikel )?(?:teilen|share|drucken|print|e-?mail|mail|twitter|x|facebook|whatsapp|linkedin|xing|"
    r"pinterest|telegram|reddit|flipboard|link kopieren|kopieren|merken|speichern|vorlesen)\s*:?",
    r"(?:teilen|share)\s*(?:auf|on|via)\s*:?.{0,40}|(?:teilen|share)\s*:\s*.{0,40}",
    # comment widgets
    r"\(?\d*\)?\s*kommentare?\s*(?:\(\d+\))?\s*:?",
    r"kommentare? (?:werden|wird) geladen.*",
    r"(?:einen |jetzt |neuen )?kommentar(?:e)? (?:hinterlassen|schreiben|verfassen|abgeben|anzeigen|lesen).*",
    r"jetzt kommentieren.*|zu den kommentaren.*|kommentieren",
    # recommendation and navigation blocks
    r"das könnte (?:sie|dich) auch interessieren.*|(?:auch|ebenfalls) interessant:?.*|mehr zum thema:?.*",
    r"(?:lesen sie|lies) (?:auch|mehr|weiter)\b.{0,100}|weitere (?:artikel|nachrichten|news|themen):?.*",
    r"(?:empfohlene|ähnliche|verwandte|beliebte|neueste) (?:artikel|beiträge|nachrichten):?.*",
    r"kategorien|kategorie:.{0,80}|tags?:.{0,200}|schlagw(?:ö|oe)rter:?.{0,200}|themen:.{0,200}|rubrik:?.{0,80}",
    r"(?:folge|folgen sie|folgt) uns.{0,80}|follow us.{0,80}",
    r"zur(?:ück)? (?:startseite|übersicht).*|nach oben|top|menü|menu|suche|search|login|anmelden|registrieren",
    # newsletters, apps, subscriptions
    r".{0,120}(?:abonnieren sie|abonniere|bestellen sie) (?:unseren|den|jetzt) newsletter.*",
    r"newsletter(?: abonnieren| bestellen| anmelden)?:?.{0,60}",
    r".{0,40}\bapp\b.{0,20}(?:herunterladen|laden|download).{0,40}|[\w-]+ app",
    r".{0,60}\b(?:laden|holen|installieren) sie (?:sich )?(?:jetzt )?(?:unsere|die) [\w-]*app\b.{0,40}",
    # loading placeholders (also the Turkish one from a German portal's theme)
    r"(?:yükleniyor|loading|wird geladen|lädt|laden)\s*(?:\.{2,}|…)?",
    # ads and legal
    r"werbung|anzeige|advertisement|sponsored|gesponsert|\*?affiliate-?link.{0,120}",
    r"(?:haftungsausschluss|disclaimer|rechtlicher hinweis)\s*:.*",
    r"(?:©|\(c\)|copyright)\s*.{0,80}|alle rechte vorbehalten.{0,80}",
    r"original anzeigen|zum original|quelle anzeigen|mehr anzeigen|weiterlesen|mehr lesen|read more",
    r".{1,40}\s+logo",
    # reading time, and the teaser of a video: its text ends in its date and running time
    r"[-–•]?\s*(?:lesedauer|lesezeit)\s*:?\s*(?:ca\.\s*)?\d+\s*min(?:uten|\.)?",
    r"[-–•]?\s*\d+\s*min(?:uten|\.)?\s*lesezeit",
    r".{0,400}\b\d{1,2}\.\d{1,2}\.\d{2,4}\s*\|\s*\d{1,3}:\d{2}\s*min",
    # image credits on their own line
    r"(?:foto|fotos|bild|bilder|bildquelle|quelle|image|photo|credit|grafik|illustration|video)\s*:.{0,100}",
)
LINE = re.compile("|".join(f"(?:{pattern})" for pattern in _LINE_PATTERNS), re.IGNORECASE)

# A row of reactions, counters and separators: no letters at all ("👍 12", "0", "| | |").
REACTION_ROW = re.compile(r"[^\w]*[\d\W]*", re.UNICODE)

# "16.01.2026 16:07|0 Kommentare|180": short fields joined by pipes or bullets.
META_ROW = re.compile(r"[^|•·]{0,40}(?:\s*[|•·]\s*[^|•·]{0,40}){2,}")

# Picture agencies that appear as an inline credit, e.g. "Ink Drop – shutterstock.com".
_AGENCIES = (
    r"shutterstock(?:\.com)?|getty ?images|imago(?: images)?|i?stock(?:photo)?(?:\.com)?|adobe ?stock|dpa|"
    r"picture[ -]alliance|reuters|afp|ap photo|unsplash(?:\.com)?|pixabay(?:\.com)?|keystone|epa|ddp"
)
INLINE_CREDIT = re.compile(
    r"(?:(?<=[.!?])|\s)(?:[\w.&'-]+ ){0,4}[\w.&'-]+\s*[–—/|-]\s*(?:" + _AGENCIES + r")\b(?:\.com)?",
    re.IGNORECASE,
)
# Remains of HTML attributes pasted as text, straight or typographic quotes:
# width=”2015″ height=”1133″ sizes=”(max-width: 2015px) 100vw, 2015px”>
_QUOTE = "\"'\u201c\u201d\u201e\u2033\u2032\u00ab\u00bb"
ATTRIBUTE_DEBRIS = re.compile(
    rf"(?:<[a-zA-Z][\w-]*\s+)?(?:[a-zA-Z][\w:-]*\s*=\s*[{_QUOTE}][^{_QUOTE}<>]*[{_QUOTE}]\s*)+(?:/?>)?"
)
# The caption that directly follows pasted image markup and ends in a picture credit.
DEBRIS_CAPTION = re.compile(
    r"[^.!?]{0,300}[.!?]?\s*(?:[\w.&'-]+ ){0,4}[\w.&'-]+\s*[–—|-]\s*(?:" + _AGENCIES + r")\b(?:\.com)?",
    re.IGNORECASE,
)
# Screen-reader hints on links: "(öffnet im neuen Fenster)", "Link wird in einem neuen Tab geöffnet".
ACCESSIBILITY_HINT = re.compile(
    r"\s*\(?(?:link )?(?:öffnet|wird) (?:sich )?(?:in|im) (?:einem )?neue[nm] (?:fenster|tab)(?: geöffnet)?\)?",
    re.IGNORECASE,
)
HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,500}>")


def is_boilerplate_line(line: str) -> bool:
    """True when a whole (stripped) line is page furniture rather than article text."""
    if not line:
        return True
    if LINE.fullmatch(line) or REACTION_ROW.fullmatch(line):
        return True
    return bool(META_ROW.fullmatch(line)) and len(line) < 120
