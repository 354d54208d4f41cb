"""Actions of the classifier: predict subjects for documents and store them."""

from collections.abc import Sequence

from django.db import transaction

from classifier.chunking import DocumentText, encode_documents
from classifier.loading import load_classifier
from classifier.models import Classification, DocumentAssessment, DocumentEmbedding
from classifier.types import Readable
from taxonomy.models import Node, Taxonomy


def classify_documents(taxonomy: Taxonomy, documents: Sequence[Readable]) -> int:
    """Predict and store subjects of documents; replaces their earlier model predictions.

    Running it twice on the same documents leaves the same rows, so a retried task is harmless.
    Nodes a librarian gave the document keep the librarian's row and get no model row.
    """
    if not documents:
        return 0
    classifier = load_classifier(taxonomy)
    document_ids = [d.id for d in documents]
    readings = [DocumentText(d.title, d.abstract, d.full_text) for d in documents]
    vectors = encode_documents(classifier.encoder, readings)
    predictions = classifier.predict([r.text for r in readings], vectors)
    node_ids = dict(Node.objects.filter(taxonomy=taxonomy).values_list("code", "id"))
    librarian = set(
        Classification.objects.filter(
            document_id__in=document_ids, source=Classification.Source.LIBRARIAN
        ).values_list("document_id", "node_id")
    )
    with transaction.atomic():
        Classification.objects.filter(
            document_id__in=document_ids, source=Classification.Source.MODEL
        ).delete()
        Classification.objects.bulk_create(
            Classification(
                document_id=document_id,
                node_id=node_ids[p.code],
                score=p.score,
                rank=p.rank,
                is_leaf_prediction=p.is_leaf,
                model_version=classifier.version,
                source=Classification.Source.MODEL,
                status=Classification.Status.ACCEPTED
                if classifier.accepts(p)
                else Classification.Status.REVIEW,
            )
            for document_id, document_predictions in zip(document_ids, predictions)
            for p in document_predictions
            if (document_id, node_ids[p.code]) not in librarian  # a librarian's subject stands
        )
        DocumentAssessment.objects.filter(document_id__in=document_ids).delete()
        DocumentAssessment.objects.bulk_create(
            DocumentAssessment(
                document_id=d,
                model_version=classifier.version,
                classifiable=bool(ps),
                best_probability=max((p.score for p in ps), default=0.0),
            )
            for d, ps in zip(document_ids, predictions)
        )
        DocumentEmbedding.objects.filter(document_id__in=document_ids).delete()
        DocumentEmbedding.objects.bulk_create(
            DocumentEmbedding(document_id=d, encoder=classifier.encoder.name, vector=v.tobytes())
            for d, v in zip(document_ids, vectors, strict=False)
        )
    return len(document_ids)
