"""Template helpers: safe highlighting, search links that add or drop a filter, percentages."""

import html
import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

MARK_TAG = re.compile(r"(</?mark>)")


@register.filter
def highlight(snippet: str) -> SafeString:
    """Render a snippet whose only markup is <mark>: everything else is (re-)escaped.

    Unescaping first keeps text the backend escaped from being escaped twice.
    """
    parts = MARK_TAG.split(snippet or "")
    return mark_safe("".join(p if MARK_TAG.fullmatch(p) else escape(html.unescape(p)) for p in parts))


@register.filter
def percent(value: float | None) -> str:
    """0.4567 → "46%"."""
    return "" if value is None else f"{round(value * 100)}%"


@register.filter
def as_text(value: object) -> str:
    """A metadata value for reading: lists joined by commas, everything else as text."""
    if isinstance(value, list | tuple):
        return ", ".join(as_text(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {as_text(item)}" for key, item in value.items())
    return "" if value is None else str(value)


@register.simple_tag(takes_context=True)
def search_url(
    context: template.Context, add_node: str = "", remove_node: str = "", page: int | None = None
) -> str:
    """The current search's query string with a node filter added or removed, or another page."""
    params = context["request"].GET.copy()
    nodes = params.getlist("node")
    if add_node or remove_node:
        params.pop("page", None)
    if add_node and add_node not in nodes:
        nodes.append(add_node)
    nodes = [code for code in nodes if code != remove_node]
    params.setlist("node", nodes)
    if page is not None:
        params["page"] = str(page)
    return "?" + params.urlencode()
