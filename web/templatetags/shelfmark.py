"""Template helpers: safe highlighting, LaTeX as text, search links that add or drop a filter, scores."""

import html
import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from library.models import ScoreKind
from web.latex import latex_to_text

register = template.Library()

MARK_TAG = re.compile(r"(</?mark>)")
MARKS = {"<mark>": "\ue000", "</mark>": "\ue001"}  # private-use characters hold the tags' places
TAGS = {mark: tag for tag, mark in MARKS.items()}
MARK_CHARACTER = re.compile("([\ue000\ue001])")
NO_MARKS = dict.fromkeys(map(ord, TAGS))


@register.filter
def highlight(snippet: str) -> SafeString:
    """Render a snippet whose only markup is <mark>: everything else is (re-)escaped, its LaTeX as text.

    Unescaping first keeps text the backend escaped from being escaped twice. The LaTeX is converted
    around the marks' places; where that loses one, the snippet keeps its LaTeX.
    """
    parts = MARK_TAG.split(snippet or "")
    marked = "".join(MARKS.get(p) or html.unescape(p).translate(NO_MARKS) for p in parts)
    text = latex_to_text(marked)
    if MARK_CHARACTER.findall(text) != MARK_CHARACTER.findall(marked):
        text = marked
    return mark_safe("".join(TAGS.get(p) or escape(p) for p in MARK_CHARACTER.split(text)))


register.filter("latex_text", latex_to_text)


@register.filter
def percent(value: float | None) -> str:
    """0.4567 → "46%"."""
    return "" if value is None else f"{round(value * 100)}%"


@register.filter
def score(value: float, kind: str) -> str:
    """A subject's score as what it is: a probability as a percentage, a similarity as a number."""
    return f"similarity {value:.2f}" if kind == ScoreKind.SIMILARITY else percent(value)


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
