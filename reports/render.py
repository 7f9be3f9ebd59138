"""Templates to mail-ready HTML and plain text.

One Jinja2 environment: templates in ``reports/templates`` (partials named ``_x.html`` /
``_x.txt``), autoescaping on for HTML (a headline ``<script>`` arrives as text), undefined names
an error rather than an empty string. The HTML's stylesheet is inlined into ``style``
attributes with css-inline, because mail clients drop ``<style>`` blocks and never load external
CSS; remote stylesheets are never fetched.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import css_inline
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from reports.context import DigestContext

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEXT_WIDTH = 76


@dataclass(frozen=True)
class RenderedParts:
    html: str
    text: str


def wrap(text: str, indent: int = 0, hang: int | None = None, width: int = TEXT_WIDTH) -> str:
    """Fill ``text`` to ``width``; every line indented by ``indent``, continuation lines by ``hang``."""
    return textwrap.fill(
        " ".join(str(text).split()),
        width=width,
        initial_indent=" " * indent,
        subsequent_indent=" " * (indent if hang is None else hang),
        break_long_words=False,
        break_on_hyphens=False,
    )


@cache
def environment() -> Environment:
    """The shared environment (built once: template compilation is the costly part)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(
            enabled_extensions=("html",), disabled_extensions=("txt",), default_for_string=True, default=True
        ),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["wrap"] = wrap
    return env


@cache
def _inliner() -> css_inline.CSSInliner:
    return css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False, keep_link_tags=False)


def render(context: DigestContext) -> RenderedParts:
    """The HTML part (CSS inlined) and the plain-text part of a digest."""
    env = environment()
    html = env.get_template("digest.html").render(d=context)
    text = env.get_template("digest.txt").render(d=context)
    return RenderedParts(html=_inliner().inline(html), text=text)
