"""The search backend interface: public methods wrap the hooks each engine implements."""

from collections.abc import Sequence

from search.types import Hit, IndexedDocument, SearchQuery, SearchResult

MAX_PAGE_SIZE = 100


class SearchBackend:
    """Base class of search engines. Subclasses implement the ``_`` hooks."""

    name = ""

    def index(self, documents: Sequence[IndexedDocument]) -> int:
        """Add or replace documents; returns how many the index accepted."""
        return self._index(list(documents)) if documents else 0

    def delete(self, document_ids: Sequence[int]) -> None:
        """Remove documents from the index (missing ones are ignored)."""
        if document_ids:
            self._delete(list(document_ids))

    def search(self, query: SearchQuery) -> SearchResult:
        """Full-text search with node filters, one page of hits and node facet counts."""
        size = max(1, min(query.size, MAX_PAGE_SIZE))
        page = max(1, query.page)
        return self._search(query, page, size)

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

    def _search(self, query: SearchQuery, page: int, size: int) -> SearchResult:
        raise NotImplementedError

    def _similar(self, vector: list[float], k: int, query: SearchQuery) -> list[Hit]:
        raise NotImplementedError

    def _count(self) -> int:
        raise NotImplementedError

    def _reset(self) -> None:
        raise NotImplementedError
