"""Cursors that walk every hit of a search, past the window page numbers reach: a cursor holds the
sort values of the last hit seen (``search_after``), so the next page starts right after it, and a
digest of the search that made it, so that it is refused by any other (the page size may change)."""

import base64
import binascii
import hashlib
import json
import math

from search.errors import QueryError
from search.types import Hit, SearchQuery

MAX_CURSOR_CHARS = 200
MAX_LONG = 2**63 - 1  # the largest integer both engines keep (Elasticsearch long, SQLite INTEGER)


def cursor_after(hit: Hit, query: SearchQuery) -> str:
    """An opaque cursor for the query's hits after ``hit``, in its order (by score then id, or by id)."""
    values = [hit.score, hit.id] if by_score(query) else [hit.id]
    return base64.urlsafe_b64encode(json.dumps([digest(query), *values]).encode()).decode().rstrip("=")


def sort_values(query: SearchQuery) -> tuple[float, int] | tuple[int]:
    """The sort values the query's cursor holds; QueryError unless the same search made it."""
    cursor = query.cursor or ""
    try:
        if len(cursor) > MAX_CURSOR_CHARS:
            raise ValueError
        made_by, *values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError, binascii.Error):
        made_by, values = None, None
    if made_by == digest(query):
        if by_score(query) and _is_sort(values, 2) and _is_score(values[0]):
            return float(values[0]), values[1]
        if not by_score(query) and _is_sort(values, 1):
            return (values[0],)
    raise QueryError("cursor", "not a cursor of this search: start again without one")


def by_score(query: SearchQuery) -> bool:
    """Whether the query's hits are sorted by score (then id), as a query with text is; else by id."""
    return bool(query.text.strip())


def digest(query: SearchQuery) -> str:
    """A short digest of what decides the query's hits and their order."""
    made_of = [query.text, sorted(query.nodes), query.corpus, query.taxonomy_id, query.suggested]
    return hashlib.sha256(json.dumps(made_of).encode()).hexdigest()[:12]


def _is_sort(values: object, length: int) -> bool:
    """A list of ``length`` values ending in a document id."""
    return (
        isinstance(values, list)
        and len(values) == length
        and type(values[-1]) is int
        and 0 <= values[-1] <= MAX_LONG
    )


def _is_score(value: object) -> bool:
    return type(value) in (int, float) and math.isfinite(value)
