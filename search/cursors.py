"""Cursors that walk every hit of a search, past the window page numbers reach: a cursor holds the
sort values of the last hit seen (``search_after``), so the next page starts right after it."""

import base64
import binascii
import json
import math

from search.errors import QueryError
from search.types import Hit

MAX_CURSOR_CHARS = 200
MAX_LONG = 2**63 - 1  # the largest integer both engines keep (Elasticsearch long, SQLite INTEGER)


def cursor_after(hit: Hit, by_score: bool) -> str:
    """An opaque cursor for the hits after ``hit``, in the search's order (by score then id, or by id)."""
    values = [hit.score, hit.id] if by_score else [hit.id]
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def sort_values(cursor: str, by_score: bool) -> tuple[float, int] | tuple[int]:
    """The sort values a cursor holds; QueryError unless a search of the same kind made it."""
    try:
        if len(cursor) > MAX_CURSOR_CHARS:
            raise ValueError
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error):
        values = None
    if by_score and _is_sort(values, 2) and _is_score(values[0]):
        return float(values[0]), values[1]
    if not by_score and _is_sort(values, 1):
        return (values[0],)
    raise QueryError("cursor", "not a cursor of this search: start again without one")


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
