"""Bounds on one search, whichever engine runs it: the query's length and terms, the node filters,
how deep page numbers go, and how much of a document's text is indexed.

A query over a bound is refused (``QueryError``) rather than cut short, so that nobody reads the
hits of a query other than the one they typed.
"""

import re
from dataclasses import replace

from django.conf import settings

from search.cursors import sort_values
from search.errors import QueryError
from search.types import IndexedDocument, SearchQuery

MAX_NODE_FILTERS = 32  # the facet tree adds one node per click; many more is not a person browsing
WORD = re.compile(r"\w+")


def query_words(text: str) -> list[str]:
    """The distinct words of user text in their first order: the terms the engines look up. Both
    engines ignore case, so "Graph graph" is one word."""
    return _distinct(WORD.findall(text))


def collapsed(text: str) -> str:
    """User text with every repeated word (in any case) kept once: "a a A b" becomes "a b"."""
    return " ".join(_distinct(text.split()))


def _distinct(words: list[str]) -> list[str]:
    first: dict[str, str] = {}
    for word in words:
        first.setdefault(word.casefold(), word)
    return list(first.values())


def bounded(query: SearchQuery) -> SearchQuery:
    """The query as the engines run it, its repeated words collapsed; QueryError when a bound is passed.

    Bounds: ``SEARCH_MAX_QUERY_CHARS`` characters and ``SEARCH_MAX_QUERY_TERMS`` distinct words of
    text, ``MAX_NODE_FILTERS`` nodes, and pages that end within ``SEARCH_MAX_WINDOW`` hits (deeper
    hits are reached with a cursor).
    """
    if len(query.text) > settings.SEARCH_MAX_QUERY_CHARS:
        raise QueryError("q", f"a search may have at most {settings.SEARCH_MAX_QUERY_CHARS} characters")
    words = query_words(query.text)
    if len(words) > settings.SEARCH_MAX_QUERY_TERMS:
        raise QueryError(
            "q",
            f"a search may have at most {settings.SEARCH_MAX_QUERY_TERMS} different words, not {len(words)}",
        )
    if len(query.nodes) > MAX_NODE_FILTERS:
        raise QueryError("node", f"a search may filter by at most {MAX_NODE_FILTERS} nodes")
    query = replace(query, text=collapsed(query.text))
    if query.cursor is not None:
        if query.page != 1:
            raise QueryError("cursor", "a page follows a cursor or has a number, not both")
        sort_values(query)
    elif query.page * query.size > settings.SEARCH_MAX_WINDOW:
        raise QueryError(
            "page",
            f"pages stop at hit {settings.SEARCH_MAX_WINDOW}: narrow the search (the API's cursor goes on)",
        )
    return query


def reachable_pages(size: int) -> int:
    """How many pages of ``size`` hits page numbers reach, within ``SEARCH_MAX_WINDOW``."""
    return max(1, settings.SEARCH_MAX_WINDOW // size)


def indexed_text(document: IndexedDocument) -> IndexedDocument:
    """The document with its title and abstract cut to ``SEARCH_MAX_INDEXED_CHARS`` each: a search
    then costs the same on a megabyte "abstract" as on a long real one."""
    limit = settings.SEARCH_MAX_INDEXED_CHARS
    if len(document.title) <= limit and len(document.abstract) <= limit:
        return document
    return replace(document, title=document.title[:limit], abstract=document.abstract[:limit])
