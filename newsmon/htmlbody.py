"""The body text of an HTML article: trafilatura on a pruned tree, then the repairs it needs.

trafilatura finds the main text block well, but on news pages it keeps a few things that are not
the article and drops one thing that is:

- lists of links inside the article container ("Mehr zum Thema" teasers) come through as list
  items; they are pruned from the tree first (a list whose text is mostly link text), and so are
  picture captions and credits;
- the headline (often with its kicker) is repeated as the first lines of the text, and the rest
  of the page header comes along: the kicker (Dachzeile) on its own line, a variant of the
  headline, the byline, a date or reading-time label. Above the first line of prose a short
  line that is not a sentence is such a label, never story text;
- an author box (the author's name, then a line about them) ends the text;
- widgets repeated down the page (consent placeholders for every embed, the same credit line
  under every picture) survive: a line that occurs more than once is furniture, every copy goes;
- calls to action and widget lead-ins trail the story ("Fehler gefunden? Jetzt melden.");
- the lead (standfirst) printed above the body is often outside the block trafilatura picks. A
  page declares it as its description, or prints it as the first sentence-like block below the
  headline; when that text is missing from the extraction, it is put back in front.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from lxml.html import HtmlElement

from newsmon.dates import find_dates
from newsmon.normalize import strip_invisible
from newsmon.textclean import STRONG_PROSE_CHARS, clean_extracted_text, is_sentence

CAPTION_MAX_WORDS = 80  # more text than a caption: the class name is on a container
LINK_LIST_SHARE = 0.7  # a list whose text is at least this much link text is navigation
TITLE_ZONE_LINES = 5  # the headline is repeated, if at all, in the first lines
KICKER_MAX_WORDS = 6  # "Premier League Rückschlag im Titelkampf …": kicker words before the headline
HEADLINE_MIN_WORDS = 4  # shorter titles (or title tails) are too common to match a line by affix
TAIL_SHORT_WORDS = 4  # shorter lines at the very end are bylines, sources and widget labels
LABEL_MAX_WORDS = 3  # "Finanzmärkte", "Lesedauer: 4 Minuten": a label; a subheading has more words
BYLINE_MAX_WORDS = 8  # "Von Anna Muster und Ben Beispiel, Berlin"; longer is a sentence about someone
TITLE_ECHO_SHARE = 0.6  # a header line made this much of headline words is another form of it
AUTHOR_BOX_MAX_WORDS = 80  # an author box is a line or two, not a closing paragraph
AUTHOR_BOX_NAME_OFFSET = 2  # "Korrespondent Ulrich Exner ist …": the name comes after a word or two
STANDFIRST_MIN_WORDS = 8
STANDFIRST_SEARCH_ELEMENTS = 40  # the lead follows the headline closely, after byline and picture
UNIQUE_MIN_SHARE = 0.25  # less text than this outside repeated lines: the article came twice
DEDUP_CACHE_SIZE = 4096
_WORD = re.compile(r"\w+")
_CAPTIONS = (
    "//body//figcaption | //body//*[contains(@class, 'caption') or contains(@class, 'credit')"
    " or contains(@class, 'copyright')]"
)
_CALL_TO_ACTION = re.compile(
    r"\b(?:fehler gefunden|jetzt (?:melden|unterstützen|spenden|abonnieren|anmelden|bestellen)"
    r"|unterstützen sie (?:uns|unsere)|ihre meinung ist uns wichtig|newsletter"
    r"|weiterlesen mit|jederzeit kündbar|bereits abonnent)\b",
    re.IGNORECASE,
)
UTC = ZoneInfo("UTC")  # any zone will do: only whether a line holds a date matters
_INVISIBLE = {"script", "style", "noscript", "template", "head"}
_BYLINE = re.compile(r"[-–•·]?\s*(?:von|by|text|autor(?:in)?|autoren)\b\s*:?\s+\w", re.IGNORECASE)
_AUTHOR_BOX_VERBS = ("ist", "war", "schreibt", "berichtet", "arbeitet", "leitet", "lebt")
_BLOCKS = {"p", "div", "section", "article", "ul", "ol", "li", "h1", "h2", "h3", "h4", "table", "figure"}


def _key(text: str) -> str:
    """Words only, lower case, soft hyphens and other invisible characters gone."""
    return " ".join(_WORD.findall(strip_invisible(text).casefold()))


def _text_length(element: HtmlElement) -> int:
    """Words of text in the element and its descendants."""
    return len(" ".join(element.itertext()).split())


def prune_captions(tree: HtmlElement) -> None:
    """Remove picture captions and credits: they describe the pictures, not the story."""
    for element in tree.xpath(_CAPTIONS):
        if element.getparent() is not None and _text_length(element) <= CAPTION_MAX_WORDS:
            element.drop_tree()


def prune_link_lists(tree: HtmlElement) -> None:
    """Remove lists made mostly of links: related-article teasers, tag clouds, menus."""
    # outermost lists only: nested ones go with their parent, and each list is measured once
    for element in tree.xpath("//body//*[self::ul or self::ol][not(ancestor::ul or ancestor::ol)]"):
        words = _text_length(element)
        if not words or element.getparent() is None:
            continue
        linked = sum(_text_length(link) for link in element.iter("a"))
        if linked >= LINK_LIST_SHARE * words:
            element.drop_tree()


def visible_text_key(tree: HtmlElement) -> str:
    """The normalised text a reader sees in the page body, to test whether a text is printed."""
    body = tree.find("body")
    if body is None:
        return ""
    pieces = []
    for element in body.iter():
        if isinstance(element.tag, str) and element.tag not in _INVISIBLE and element.text:
            pieces.append(element.text)
        if element.tail:
            pieces.append(element.tail)
    return _key(" ".join(pieces))


def _is_title_line(line: str, title_keys: set[str]) -> bool:
    """The headline as it opens the text: whole, with a kicker in front, or without its kicker."""
    key = _key(line)
    if key in title_keys:
        return True
    words = len(key.split())
    return any(
        len(title.split()) >= HEADLINE_MIN_WORDS
        and (
            (key.endswith(" " + title) and words - len(title.split()) <= KICKER_MAX_WORDS)
            or (title.endswith(" " + key) and words >= HEADLINE_MIN_WORDS)
        )
        for title in title_keys
    )


def drop_title_lines(lines: list[str], titles: list[str]) -> list[str]:
    """Remove the headline (and a kicker glued in front of it) where it opens the text."""
    title_keys = {_key(title) for title in titles if _key(title)}
    head = [line for line in lines[:TITLE_ZONE_LINES] if not _is_title_line(line, title_keys)]
    return head + lines[TITLE_ZONE_LINES:]


def _is_byline(line: str) -> bool:
    return bool(_BYLINE.match(line)) and len(line.split()) <= BYLINE_MAX_WORDS and not is_sentence(line)


def _echoes_title(line: str, title_keys: set[str]) -> bool:
    """A header line that says the headline again in other words ("Spionagedrehscheibe Schweiz:
    Ein großer Tummelplatz …" for "Die Schweiz ist ein großer Tummelplatz …")."""
    words = _key(line).split()
    return any(
        len(words) <= len(title.split()) + KICKER_MAX_WORDS
        and len(set(words) & set(title.split())) >= TITLE_ECHO_SHARE * len(words)
        for title in title_keys
        if len(title.split()) >= HEADLINE_MIN_WORDS
    )


def _is_label(line: str) -> bool:
    """A kicker, section name, date or reading time: a few words that are no sentence. A line
    ending in a colon is kept: it introduces what follows ("Das Wichtigste in Kürze:")."""
    if is_sentence(line) or line.endswith(":"):
        return False
    words = len(line.split())
    return words <= LABEL_MAX_WORDS or (words <= BYLINE_MAX_WORDS and _has_date(line))


def _has_date(line: str) -> bool:
    return bool(find_dates(line, UTC))


def drop_header_furniture(lines: list[str], titles: list[str]) -> list[str]:
    """Remove what the page header adds to the top of the text: bylines in the first lines, and
    above the first prose, labels (kicker, date, reading time) and variants of the headline.

    Below prose such a line is kept: there it is a subheading of the story.
    """
    title_keys = {_key(title) for title in titles if _key(title)}
    kept: list[str] = []
    prose_seen = False
    for line in lines[:TITLE_ZONE_LINES]:
        if _is_byline(line) or (not prose_seen and (_is_label(line) or _echoes_title(line, title_keys))):
            continue
        prose_seen = prose_seen or is_sentence(line) or len(line) >= STRONG_PROSE_CHARS
        kept.append(line)
    return kept + lines[TITLE_ZONE_LINES:]


def _introduces_author(line: str, names: list[str]) -> bool:
    """The line presents an author within its first words ("Anna Muster ist …", "Korrespondent
    Anna Muster berichtet …") or is a short credit naming one ("dpa (Anna Muster, Ben Beispiel)").
    A name alone in a sentence is not enough: a story may end with a quote of its author."""
    key = _key(line)
    if not is_sentence(line) and len(key.split()) <= BYLINE_MAX_WORDS:
        return any(f" {name} " in f" {key} " for name in names)
    longest = max((len(name.split()) for name in names), default=0)
    opening = " " + " ".join(key.split()[: AUTHOR_BOX_NAME_OFFSET + longest + 1]) + " "
    return any(f" {name} {verb} " in opening for name in names for verb in _AUTHOR_BOX_VERBS)


def drop_author_box(lines: list[str], authors: list[str]) -> list[str]:
    """Cut trailing lines that introduce or credit the article's authors."""
    names = [_key(author) for author in authors if len(_key(author).split()) >= 2]
    end = len(lines)
    while (
        end > 1
        and len(lines[end - 1].split()) <= AUTHOR_BOX_MAX_WORDS
        and _introduces_author(lines[end - 1], names)
    ):
        end -= 1
    return lines[:end]


def drop_repeated_lines(lines: list[str]) -> list[str]:
    """Remove every copy of a line that occurs more than once, unless that would gut the text."""
    keys = [_key(line) for line in lines]
    counts: dict[str, int] = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    unique = sum(len(line) for line, key in zip(lines, keys, strict=True) if counts[key] == 1)
    if unique < UNIQUE_MIN_SHARE * sum(len(line) for line in lines):
        return lines  # the article itself came twice; the sentence-level collapse keeps one copy
    return [line for line, key in zip(lines, keys, strict=True) if counts[key] == 1]


def drop_tail_furniture(lines: list[str]) -> list[str]:
    """Cut what trails the last paragraph of the story: calls to action ("Fehler gefunden? Jetzt
    melden."), lead-ins to a widget that was not extracted ("… in unserem Liveblog:") and short
    labels ("mit dpa", "Vielen Dank!")."""
    end = len(lines)
    while end > 1:
        line = lines[end - 1]
        if not (line.endswith(":") or len(line.split()) < TAIL_SHORT_WORDS or _CALL_TO_ACTION.search(line)):
            break
        end -= 1
    return lines[:end]


def _own_block_text(element: HtmlElement) -> str | None:
    """The text of an element that holds no other block (a paragraph, not its container)."""
    if any(isinstance(child.tag, str) and child.tag in _BLOCKS for child in element.iterdescendants()):
        return None
    return " ".join(" ".join(element.itertext()).split())


def headline_element(tree: HtmlElement, titles: list[str]) -> HtmlElement | None:
    """The ``<h1>`` that prints one of the declared titles, else the first one."""
    title_keys = {_key(title) for title in titles}
    headings = tree.xpath("//body//h1")
    matching = [heading for heading in headings if _key(heading.text_content()) in title_keys]
    return (matching or headings or [None])[0]


def prune_kickers(tree: HtmlElement, titles: list[str]) -> None:
    """Remove the labels printed just above the headline (kicker, section): trafilatura may
    place them anywhere in its text, even glued to the lead."""
    heading = headline_element(tree, titles)
    if heading is None:
        return
    for element in list(heading.itersiblings(preceding=True)):
        text = " ".join(" ".join(element.itertext()).split())
        if isinstance(element.tag, str) and text and _is_label(text):
            element.drop_tree()


def printed_standfirst(tree: HtmlElement, titles: list[str]) -> str | None:
    """The first block of prose below the headline: where pages print their lead.

    Bylines, dates and (already pruned) captions are skipped; the first longer block decides:
    it is the lead only if it is made of sentences.
    """
    heading = headline_element(tree, titles)
    if heading is None:
        return None
    for element in heading.xpath(f"following::*[position() <= {STANDFIRST_SEARCH_ELEMENTS}]"):
        if element.tag in _INVISIBLE or element.tag not in _BLOCKS | {"span", "strong", "b"}:
            continue
        text = _own_block_text(element)
        if text and len(text.split()) >= STANDFIRST_MIN_WORDS:
            return text if is_sentence(text) else None
    return None


def restore_lead(lines: list[str], leads: list[str], page_text: str) -> list[str]:
    """Put a lead in front when the page prints it and the extraction lost it.

    ``leads`` are the declared descriptions, then the standfirst printed below the headline.
    Nothing is added when one of them is already in the text: the others are then other texts
    (some sites declare a picture caption as the description).
    """
    text = _key("\n".join(lines))
    keys = [(lead, _key(lead)) for lead in leads if _key(lead)]
    if any(key in text for _, key in keys):
        return lines
    printed = [lead for lead, key in keys if key in page_text]
    return [printed[0], *lines] if printed else lines


def extract_body(
    tree: HtmlElement, url: str | None, titles: list[str], leads: list[str], authors: list[str]
) -> list[str]:
    """Clean paragraphs of the article in ``tree`` (which is pruned in place); [] if none found.

    ``titles`` are the page's declarations of its headline, ``leads`` its declared descriptions,
    ``authors`` the names found for the byline.
    """
    # imported lazily: trafilatura pulls in its settings and justext, which plain-text work never needs
    from trafilatura import bare_extraction
    from trafilatura.deduplication import LRUCache
    from trafilatura.settings import Document

    page_text = visible_text_key(tree)
    prune_link_lists(tree)
    prune_captions(tree)
    prune_kickers(tree, titles)
    standfirst = printed_standfirst(tree, titles)
    result = bare_extraction(
        tree,
        url=url,
        include_comments=False,
        deduplicate=LRUCache(maxsize=DEDUP_CACHE_SIZE),  # in-document only, not trafilatura's global cache
    )
    if not isinstance(result, Document) or not result.text:
        return []
    lines = [line.strip() for line in result.text.split("\n") if line.strip()]
    lines = drop_header_furniture(drop_title_lines(lines, titles), titles)
    lines = drop_author_box(drop_tail_furniture(drop_repeated_lines(lines)), authors)
    lines = restore_lead(lines, [*leads, *([standfirst] if standfirst else [])], page_text)
    return clean_extracted_text("\n".join(lines))
