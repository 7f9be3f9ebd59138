"""The Jinja2 environment of the pages: autoescaped, with the filters the templates share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from starlette.responses import HTMLResponse

from newsmon.search import MATCH_END, MATCH_START
from newsmon.web.params import is_filtered, query_string

TEMPLATES = Path(__file__).parent / "templates"


def highlight(snippet: str | None) -> Markup:
    """A search snippet with its matches in <mark>: escaped first, so the text cannot add markup."""
    escaped = str(escape(snippet or ""))
    return Markup(escaped.replace(MATCH_START, "<mark>").replace(MATCH_END, "</mark>"))


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=TEMPLATES)
    templates.env.filters["highlight"] = highlight
    templates.env.globals.update(query_string=query_string, is_filtered=is_filtered)
    templates.env.autoescape = True  # every template, whatever its name
    return templates


def render(
    templates: Jinja2Templates, request: Request, name: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code)
