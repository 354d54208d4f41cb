"""Document vectors for classification: the stored one while neither the document nor the encoder
changed (reclassifying with a new model then costs no encoding), else encoded anew."""

from collections.abc import Sequence

import numpy as np

from classifier.chunking import DocumentText, encode_documents
from classifier.encoders.base import Encoder
from classifier.types import Readable
from library.models import DocumentEmbedding


def document_vectors(encoder: Encoder, documents: Sequence[Readable]) -> tuple[np.ndarray, list[int]]:
    """One unit vector per document (at least one), and the positions of those encoded anew, to be stored."""
    hashes = {d.id: d.content_hash for d in documents}
    stored = DocumentEmbedding.objects.filter(document_id__in=list(hashes), encoder=encoder.name)
    reusable = {
        document_id: vector
        for document_id, content_hash, vector in stored.values_list("document_id", "content_hash", "vector")
        if content_hash and content_hash == hashes[document_id]
    }
    fresh = [i for i, d in enumerate(documents) if d.id not in reusable]
    readings = [
        DocumentText(documents[i].title, documents[i].abstract, documents[i].full_text) for i in fresh
    ]
    encoded = iter(encode_documents(encoder, readings) if fresh else ())
    rows = [
        np.frombuffer(reusable[d.id], dtype=np.float32) if d.id in reusable else next(encoded)
        for d in documents
    ]
    return np.stack(rows).astype(np.float32, copy=False), fresh
