"""Build index documents from the database, the source of truth."""

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from library.models import Classification, Document, DocumentEmbedding
from search.types import IndexedDocument


def build_index_documents(document_ids: Sequence[int]) -> list[IndexedDocument]:
    """Index documents for these ids, with every stored subject, the accepted ones apart, and the
    document's vector."""
    documents = Document.objects.filter(id__in=document_ids).select_related("corpus")
    node_codes: dict[int, list[str]] = defaultdict(list)
    accepted_codes: dict[int, list[str]] = defaultdict(list)
    leaf_codes: dict[int, list[str]] = defaultdict(list)
    subjects = (
        Classification.objects.filter(document_id__in=document_ids)
        .order_by("document_id", "rank", "-score")
        .values_list("document_id", "node__code", "is_leaf_prediction", "status")
    )
    for document_id, code, is_leaf, status in subjects:
        for codes, holds in (
            (node_codes, True),
            (accepted_codes, status == Classification.Status.ACCEPTED),
            (leaf_codes, is_leaf),
        ):
            if holds and code not in codes[document_id]:
                codes[document_id].append(code)
    vectors = dict(
        DocumentEmbedding.objects.filter(document_id__in=document_ids).values_list("document_id", "vector")
    )
    return [
        IndexedDocument(
            id=d.id,
            corpus=d.corpus.name,
            taxonomy_id=d.corpus.taxonomy_id,
            external_id=d.external_id,
            title=d.title,
            abstract=d.abstract,
            node_codes=node_codes[d.id],
            accepted_codes=accepted_codes[d.id],
            leaf_codes=leaf_codes[d.id],
            version=int(d.updated.timestamp() * 1_000_000),
            vector=np.frombuffer(vectors[d.id], dtype=np.float32).tolist() if d.id in vectors else None,
        )
        for d in documents
    ]
