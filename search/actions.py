"""Actions of search: keep the index in step with the database."""

from collections.abc import Sequence

from library.models import Document
from search.backends import get_backend
from search.documents import build_index_documents

REINDEX_BATCH = 500


def index_documents(document_ids: Sequence[int]) -> int:
    """(Re)index these documents from the database; ids no longer stored are removed."""
    documents = build_index_documents(document_ids)
    backend = get_backend()
    gone = set(document_ids) - {d.id for d in documents}
    backend.delete(sorted(gone))
    return backend.index(documents)


def reindex_all(batch_size: int = REINDEX_BATCH) -> int:
    """Rebuild the whole index from the database."""
    backend = get_backend()
    backend.reset()
    ids = list(Document.objects.order_by("id").values_list("id", flat=True))
    return sum(index_documents(ids[i : i + batch_size]) for i in range(0, len(ids), batch_size))
