"""Actions of the classifier: predict subjects for documents and store them."""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from classifier import decisions
from classifier.chunking import DocumentText
from classifier.loading import LoadedClassifier, load_classifier
from classifier.types import Prediction, Readable
from classifier.vectors import document_vectors
from library.actions import lock_documents
from library.models import Classification, Document, DocumentAssessment, DocumentEmbedding
from taxonomy.models import Node, Taxonomy
from taxonomy.tree import Tree

PREDICTED_FIELDS = ("score", "score_kind", "rank", "is_leaf_prediction", "model_version", "status")


def classify_documents(
    taxonomy: Taxonomy, documents: Sequence[Readable], classifier: LoadedClassifier | None = None
) -> int:
    """Predict and store subjects of documents with ``classifier`` (default: the taxonomy's active
    model); the new predictions replace the earlier model predictions.

    Librarians' decisions stand: a node a librarian gave the document, or whose model subject a
    librarian accepted, keeps its row as it is; a subject a librarian rejected is not proposed
    again (``classifier.decisions``). A row whose subject the model proposes again is updated in
    place, keeping its id and age, so running it twice leaves the same rows and a retried task is
    harmless. Documents whose subjects changed get a newer ``updated``, so their index version grows.

    The documents' rows are locked before anything of theirs is read (``lock_documents``): two runs
    of one batch, or a run beside a librarian's decision, take turns; documents deleted meanwhile
    are passed over.
    """
    if not documents:
        return 0
    classifier = classifier or load_classifier(taxonomy)
    document_ids = [d.id for d in documents]
    texts = [DocumentText(d.title, d.abstract, d.full_text).text for d in documents]
    vectors, fresh = document_vectors(classifier.encoder, documents)
    predictions = classifier.predict(texts, vectors)
    node_ids = dict(Node.objects.filter(taxonomy=taxonomy).values_list("code", "id"))
    with transaction.atomic():
        present = lock_documents(document_ids)
        if len(present) < len(document_ids):  # deleted since they were read
            keep = [i for i, document_id in enumerate(document_ids) if document_id in present]
            documents, vectors = [documents[i] for i in keep], vectors[keep]
            predictions, fresh = [predictions[i] for i in keep], [keep.index(i) for i in fresh if i in keep]
            document_ids = [d.id for d in documents]
        proposals = predictions
        if rejected := decisions.rejected_codes(document_ids):
            tree = Tree.from_taxonomy(taxonomy)
            proposals = [
                decisions.without_rejected(tree, ps, rejected.get(d, set()))
                for d, ps in zip(document_ids, predictions)
            ]
        changed = _store_subjects(document_ids, proposals, classifier, node_ids)
        _store_assessments(document_ids, predictions, classifier.version)
        DocumentEmbedding.objects.filter(document_id__in=[document_ids[i] for i in fresh]).delete()
        DocumentEmbedding.objects.bulk_create(
            DocumentEmbedding(
                document_id=documents[i].id,
                encoder=classifier.encoder.name,
                vector=vectors[i].tobytes(),
                content_hash=documents[i].content_hash,
            )
            for i in fresh
        )
        Document.objects.filter(id__in=changed).update(updated=timezone.now())
    return len(document_ids)


def _store_subjects(
    document_ids: list[int],
    predictions: list[list[Prediction]],
    classifier: LoadedClassifier,
    node_ids: dict[str, int],
) -> set[int]:
    """Bring the documents' model rows in line with the predictions, leaving librarians' decisions
    as they are; returns the documents whose rows changed."""
    rows = list(Classification.objects.select_for_update().filter(document_id__in=document_ids))
    kept = {(row.document_id, row.node_id) for row in rows if decisions.stands(row)}
    existing = {(row.document_id, row.node_id): row for row in rows if not decisions.stands(row)}
    created, updated = [], []
    for document_id, document_predictions in zip(document_ids, predictions):
        accepted = classifier.accepted(document_predictions)
        for p in document_predictions:
            key = (document_id, node_ids[p.code])
            if key in kept:  # a librarian's decision stands
                continue
            values = {
                "score": p.score,
                "score_kind": classifier.score_kind,
                "rank": p.rank,
                "is_leaf_prediction": p.is_leaf,
                "model_version": classifier.version,
                "status": Classification.Status.ACCEPTED
                if p.code in accepted
                else Classification.Status.REVIEW,
            }
            row = existing.pop(key, None)
            if row is None:
                created.append(Classification(document_id=document_id, node_id=key[1], **values))
            elif any(getattr(row, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(row, name, value)
                updated.append(row)
    Classification.objects.filter(pk__in=[row.pk for row in existing.values()]).delete()
    Classification.objects.bulk_create(created)
    Classification.objects.bulk_update(updated, PREDICTED_FIELDS)
    return {row.document_id for row in [*created, *updated, *existing.values()]}


def _store_assessments(document_ids: list[int], predictions: list[list[Prediction]], version: str) -> None:
    """The model's verdict on each document as a whole, before any librarian's decision: could it
    place it, and how sure was it."""
    existing = {a.document_id: a for a in DocumentAssessment.objects.filter(document_id__in=document_ids)}
    created, updated = [], []
    for document_id, document_predictions in zip(document_ids, predictions):
        values = {
            "model_version": version,
            "classifiable": bool(document_predictions),
            "best_probability": float(max((p.score for p in document_predictions), default=0.0)),
        }
        assessment = existing.get(document_id)
        if assessment is None:
            created.append(DocumentAssessment(document_id=document_id, **values))
        elif any(getattr(assessment, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(assessment, name, value)
            updated.append(assessment)
    DocumentAssessment.objects.bulk_create(created)
    DocumentAssessment.objects.bulk_update(updated, ["model_version", "classifiable", "best_probability"])
