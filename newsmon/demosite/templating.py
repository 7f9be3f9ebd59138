"""The Jinja2 environment shared by the HTML pages and the XML feeds.

One environment, autoescaping both HTML and XML, so no template can emit an unescaped title; the
filters format dates the three ways the web needs them (RFC 822 for RSS and HTTP, ISO 8601 for
Atom, sitemaps and ``<time>``, German for readers).
"""

from __future__ import annotations

import json
from datetime import datetime
from email.utils import format_datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _german(moment: datetime) -> str:
    return moment.strftime("%d.%m.%Y, %H:%M Uhr")


def _json_ld(data: Any) -> Markup:
    # "</" would end the <script> element early; "<\/" is the same string to a JSON parser
    return Markup(json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/"))


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("newsmon.demosite", "templates"),
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(rfc822=format_datetime, iso=iso, german=_german, json_ld=_json_ld)
    return environment


def render(template: str, **context: Any) -> str:
    """Render one template of ``newsmon/demosite/templates``."""
    return _environment().get_template(template).render(**context)
