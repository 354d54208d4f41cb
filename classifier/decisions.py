"""Librarians' decisions that outlive reclassification: the subjects they gave or accepted stay as
they are, and the subjects they rejected are not proposed again, nor anything below them (a
subject below implies the one above)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from accounts.roles import Role
from classifier.ranking import rank_subjects
from classifier.types import Prediction
from library.models import Classification, RejectedSubject
from taxonomy.tree import Tree


def stands(row: Classification) -> bool:
    """Whether a stored subject is a librarian's decision, which a model leaves as it is: a
    librarian gave it, or accepted the model's."""
    return row.source == Classification.Source.LIBRARIAN or row.reviewed is not None


def decided(rows: QuerySet[Classification]) -> QuerySet[Classification]:
    """The rows that are decisions, as ``stands`` tells them, whoever made them."""
    return rows.filter(Q(source=Classification.Source.LIBRARIAN) | Q(reviewed__isnull=False))


def confirmed(rows: QuerySet[Classification]) -> QuerySet[Classification]:
    """The decisions training learns from: those of librarians and curators (and admins), and the
    subjects of files or commands that no user gave (an operator's)."""
    deciders = get_user_model().objects.filter(
        Q(is_superuser=True) | Q(groups__name__in=[role.group for role in Role if role >= Role.LIBRARIAN])
    )
    return decided(rows).filter(Q(decided_by__isnull=True) | Q(decided_by__in=deciders.values("pk")))


@dataclass(frozen=True)
class Learnt:
    """How many decisions (subjects of documents) training takes, by whom, and how many it leaves out."""

    by_librarians: int  # librarians, curators, admins
    from_files_and_commands: int
    left_out: int  # by users without such a role

    def __str__(self) -> str:
        return (
            f"learns {self.by_librarians} subjects decided by librarians and curators and"
            f" {self.from_files_and_commands} given by files or commands; leaves out {self.left_out}"
            " decided by users without those roles"
        )


def learnt(rows: QuerySet[Classification]) -> Learnt:
    """Count the decisions among ``rows`` that ``confirmed`` keeps, and those it leaves out."""
    kept = confirmed(rows)
    anonymous = kept.filter(decided_by__isnull=True).count()
    total, kept_total = decided(rows).count(), kept.count()
    return Learnt(kept_total - anonymous, anonymous, total - kept_total)


def rejected_codes(document_ids: Iterable[int]) -> dict[int, set[str]]:
    """Per document, the node codes librarians rejected."""
    rejected: dict[int, set[str]] = {}
    rows = RejectedSubject.objects.filter(document_id__in=list(document_ids))
    for document_id, code in rows.values_list("document_id", "node__code"):
        rejected.setdefault(document_id, set()).add(code)
    return rejected


def without_rejected(tree: Tree, predictions: Sequence[Prediction], rejected: set[str]) -> list[Prediction]:
    """The predictions less the rejected subjects and everything below them; broader subjects that
    no remaining subject implies go too, and the rest are ranked again, most specific first."""
    if not rejected:
        return list(predictions)
    allowed = [p for p in predictions if p.code not in rejected and not tree.ancestors(p.code) & rejected]
    chosen = sorted((p for p in allowed if p.is_leaf), key=lambda p: p.rank)
    return rank_subjects(tree, [(p.code, p.score) for p in chosen], {p.code: p.score for p in allowed})


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
