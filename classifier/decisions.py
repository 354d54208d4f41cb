"""Librarians' decisions that outlive reclassification: the subjects they gave or accepted stay as
they are, and the subjects they rejected are not proposed again, nor anything below them (a
subject below implies the one above)."""

from collections.abc import Iterable, Sequence
from dataclasses import replace

from django.db.models import Q, QuerySet

from classifier.types import Prediction
from library.models import Classification, RejectedSubject
from taxonomy.tree import Tree


def stands(row: Classification) -> bool:
    """Whether a stored subject is a librarian's decision, which a model leaves as it is: a
    librarian gave it, or accepted the model's."""
    return row.source == Classification.Source.LIBRARIAN or row.reviewed is not None


def confirmed(rows: QuerySet[Classification]) -> QuerySet[Classification]:
    """The rows that are librarians' decisions, as ``stands`` tells them: what training learns from."""
    return rows.filter(Q(source=Classification.Source.LIBRARIAN) | Q(reviewed__isnull=False))


def rejected_codes(document_ids: Iterable[int]) -> dict[int, set[str]]:
    """Per document, the node codes librarians rejected."""
    rejected: dict[int, set[str]] = {}
    rows = RejectedSubject.objects.filter(document_id__in=list(document_ids))
    for document_id, code in rows.values_list("document_id", "node__code"):
        rejected.setdefault(document_id, set()).add(code)
    return rejected


def without_rejected(tree: Tree, predictions: Sequence[Prediction], rejected: set[str]) -> list[Prediction]:
    """The predictions less the rejected subjects and everything below them; broader subjects that
    no remaining subject implies go too, and the remaining chosen subjects are ranked 1, 2, ... again."""
    if not rejected:
        return list(predictions)
    allowed = [p for p in predictions if p.code not in rejected and not tree.ancestors(p.code) & rejected]
    chosen = sorted((p for p in allowed if p.is_leaf), key=lambda p: (p.rank, -p.score))
    rank: dict[str, int] = {}
    for position, prediction in enumerate(chosen, start=1):
        for code in [prediction.code, *tree.ancestors(prediction.code)]:
            rank.setdefault(code, position)
    kept = [replace(p, rank=rank[p.code]) for p in allowed if p.code in rank]
    return sorted(kept, key=lambda p: (p.rank, not p.is_leaf, -p.score))


def record_rejection(classification: Classification) -> None:
    """Remember that a librarian took this subject off its document."""
    RejectedSubject.objects.update_or_create(
        document_id=classification.document_id,
        node_id=classification.node_id,
        defaults={"model_version": classification.model_version},
    )


def forget_rejections(document_id: int, node_ids: Iterable[int]) -> None:
    """A librarian gave these subjects after all: they are no longer rejected."""
    RejectedSubject.objects.filter(document_id=document_id, node_id__in=list(node_ids)).delete()
