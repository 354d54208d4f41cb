"""The search backend interface: public methods wrap the hooks each engine implements."""

from collections.abc import Sequence
from dataclasses import replace

from search.cursors import cursor_after, sort_values
from search.limits import bounded, indexed_text
from search.types import Hit, IndexedDocument, SearchQuery, SearchResult

MAX_PAGE_SIZE = 100


class SearchBackend:
    """Base class of search engines. Subclasses implement the ``_`` hooks."""

    name = ""

    def index(self, documents: Sequence[IndexedDocument]) -> int:
        """Add or replace documents; returns how many the index accepted."""
        return self._index([indexed_text(d) for d in documents]) if documents else 0

    def delete(self, document_ids: Sequence[int]) -> None:
        """Remove documents from the index (missing ones are ignored)."""
        if document_ids:
            self._delete(list(document_ids))

    def search(self, query: SearchQuery) -> SearchResult:
        """Full-text search with node filters, one page of hits and node facet counts, and the
        cursor of the next page. Raises ``QueryError`` for a query past the bounds (``limits``)."""
        query = bounded(replace(query, size=max(1, min(query.size, MAX_PAGE_SIZE)), page=max(1, query.page)))
        after = None if query.cursor is None else sort_values(query)
        result = self._search(query, after)
        full = len(result.hits) == query.size
        more = full and (after is not None or query.page * query.size < result.total)
        return replace(result, next=cursor_after(result.hits[-1], query) if more else None)

    def similar(self, vector: Sequence[float], k: int = 10, query: SearchQuery | None = None) -> list[Hit]:
        """The ``k`` documents whose vectors are nearest (cosine) to ``vector``, filtered by ``query``."""
        return self._similar(list(vector), max(1, min(k, MAX_PAGE_SIZE)), query or SearchQuery())

    def count(self) -> int:
        """Number of documents in the index."""
        return self._count()

    def reset(self) -> None:
        """Drop everything and start an empty index."""
        self._reset()

    def _index(self, documents: list[IndexedDocument]) -> int:
        raise NotImplementedError

    def _delete(self, document_ids: list[int]) -> None:
        raise NotImplementedError

    def _search(self, query: SearchQuery, after: tuple | None) -> SearchResult:
        """One page of ``query`` (``query.page``, or the hits after the sort values ``after``),
        by score then id when it has text, else by id."""
        raise NotImplementedError

    def _similar(self, vector: list[float], k: int, query: SearchQuery) -> list[Hit]:
        raise NotImplementedError

    def _count(self) -> int:
        raise NotImplementedError

    def _reset(self) -> None:
        raise NotImplementedError
