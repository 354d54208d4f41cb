"""How much a librarian's decision on a waiting document helps: the review queue's order.

A decision is on a subject: a waiting subject's usefulness is the sum of three parts, each from 0
to 1, and a document's is its most useful waiting subject's (one the model chose, awaiting review):

- **uncertain**: how near the subject's score is to even odds, ``1 - |score - even| / even``. A
  calibrated probability is right that often, so a decision tells the most at 50% and little near
  0 or 100% (a subject near the accept threshold is almost surely right: confirming it teaches
  little). A zero-shot similarity is no probability: its even point is the similarity at which
  zero-shot suggestions were right half the time on held-out arXiv papers
  (``REVIEW_EVEN_SIMILARITY``, ``bench/suggestion_floor.py``); below it they are mostly wrong.
- **common**: how many documents of the corpus wait on the subject, ``log(n) / log(most)`` where
  ``most`` is the corpus's most waited-on subject: the decision is the first of many alike (a
  filter and a bulk accept finish them), and where a model has the most to learn.
- **new here**, for a recent document (added in the last ``REVIEW_RECENT_DAYS``): how much the
  subject's share among the corpus's recent documents rose over its share among the documents
  before, ``(recent - before) / recent``: 1 for a subject the corpus never had, 0 where it did not
  rise. The corpus drifts there, and the model is least tried.

The common and new parts depend on a subject and a corpus only: they are counted in two grouped
queries and handed to the database as constants, so ordering the whole queue costs one query.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import timedelta

from django.conf import settings
from django.db.models import Case, Count, Expression, F, FloatField, Max, Q, Value, When
from django.db.models.functions import Abs, Greatest
from django.utils import timezone

from library.models import Classification, Document, ScoreKind
from library.queries import Subject

WAITING = Q(status=Classification.Status.REVIEW, is_leaf_prediction=True)
NOTABLE = 0.25  # a part that makes this share of a subject's usefulness is named among the reasons
PRECISION = 3  # decimals the per-subject parts keep: equal values share one branch of the SQL


def uncertainty(prefix: str = "") -> Expression:
    """A stored subject's nearness to even odds, 0 to 1 (``prefix`` reaches it across a relation)."""
    even = Case(
        When(**{f"{prefix}score_kind": ScoreKind.SIMILARITY}, then=Value(settings.REVIEW_EVEN_SIMILARITY)),
        default=Value(0.5),
        output_field=FloatField(),
    )
    return Greatest(
        Value(0.0), Value(1.0) - Abs(F(f"{prefix}score") - even) / even, output_field=FloatField()
    )


@dataclass(frozen=True)
class SubjectFigures:
    """One subject in one corpus: documents waiting on it, its share of recent and earlier
    documents, and the common and new parts of usefulness they give."""

    node_id: int
    waiting: int
    recent_share: float
    before_share: float
    common: float
    new_here: float


NO_FIGURES = SubjectFigures(
    node_id=0, waiting=0, recent_share=0.0, before_share=0.0, common=0.0, new_here=0.0
)


@dataclass(frozen=True)
class Why:
    """Why a document comes where it does: its most useful waiting subject, the parts of its
    usefulness, and those that make a quarter of it or more (``reasons``: "uncertain", "common",
    "new"), largest first."""

    code: str
    score: float
    score_kind: str
    usefulness: float
    uncertain: float
    figures: SubjectFigures
    reasons: list[str]


class SubjectFigureTable:
    """The figures of every subject that waits in the corpora a queue covers: two grouped queries."""

    def __init__(self, corpora: Q) -> None:
        """``corpora``: a filter on documents naming the corpora (Q() for all)."""
        documents = Document.objects.filter(corpora)
        self.since = since = timezone.now() - timedelta(days=settings.REVIEW_RECENT_DAYS)
        recent, before = Q(document__created__gte=since), Q(document__created__lt=since)
        totals = {
            row["corpus_id"]: (row["recent"], row["before"])
            for row in documents.order_by()
            .values("corpus_id")
            .annotate(
                recent=Count("id", filter=Q(created__gte=since)),
                before=Count("id", filter=Q(created__lt=since)),
            )
        }
        rows = list(
            Classification.objects.filter(is_leaf_prediction=True, document__in=documents)
            .order_by()
            .values("document__corpus_id", "node_id", "node__code")
            .annotate(
                waiting=Count("document", distinct=True, filter=Q(status=Classification.Status.REVIEW)),
                recent=Count("document", distinct=True, filter=recent),
                before=Count("document", distinct=True, filter=before),
            )
            .filter(waiting__gt=0)
        )
        most: dict[int, int] = defaultdict(int)
        for row in rows:
            most[row["document__corpus_id"]] = max(most[row["document__corpus_id"]], row["waiting"])
        self.figures = {
            (row["document__corpus_id"], row["node__code"]): _figures(
                row, totals[row["document__corpus_id"]], most[row["document__corpus_id"]]
            )
            for row in rows
        }

    def expression(self, part: str) -> Expression:
        """The part (``common`` or ``new_here``) of a document's waiting subject, as SQL over the
        document's ``classifications``: one branch per corpus and value."""
        recent = Q(created__gte=self.since) if part == "new_here" else Q()
        nodes: dict[tuple[int, float], list[int]] = defaultdict(list)
        for (corpus, _), figures in self.figures.items():
            value = getattr(figures, part)
            if value > 0:
                nodes[corpus, value].append(figures.node_id)
        branches = [
            When(recent & Q(corpus_id=corpus, classifications__node_id__in=ids), then=Value(value))
            for (corpus, value), ids in sorted(nodes.items())
        ]
        return Case(*branches, default=Value(0.0), output_field=FloatField()) if branches else Value(0.0)

    def of(self, document: Document, code: str) -> SubjectFigures:
        """The subject's figures for one of the corpus's documents: nothing new for an earlier one."""
        figures = self.figures.get((document.corpus_id, code), NO_FIGURES)
        return figures if document.created >= self.since else replace(figures, new_here=0.0)


def _figures(row: dict, totals: tuple[int, int], most: int) -> SubjectFigures:
    """A subject's figures from its counts, its corpus's recent and earlier documents, and the
    most documents any subject of the corpus waits on."""
    recent_share = row["recent"] / totals[0] if totals[0] else 0.0
    before_share = row["before"] / totals[1] if totals[1] else 0.0
    rising = totals[1] and recent_share > before_share
    return SubjectFigures(
        node_id=row["node_id"],
        waiting=row["waiting"],
        recent_share=recent_share,
        before_share=before_share,
        common=_round(math.log(row["waiting"]) / math.log(most)) if most > 1 else 0.0,
        new_here=_round((recent_share - before_share) / recent_share) if rising else 0.0,
    )


def usefulness(table: SubjectFigureTable) -> Max:
    """A document's usefulness: the best over its waiting subjects of the sum of their parts."""
    waiting = Q(
        classifications__status=Classification.Status.REVIEW, classifications__is_leaf_prediction=True
    )
    parts = uncertainty("classifications__") + table.expression("common") + table.expression("new_here")
    return Max(parts, filter=waiting, default=0.0)


def explain_order(
    documents: list[Document], subjects: dict[int, list[Subject]], table: SubjectFigureTable
) -> dict[int, Why | None]:
    """Per document of a page (with its ``subjects``), why it comes where it does: one query for
    the page, which scores its waiting subjects' uncertainty."""
    waiting = {d.pk: [s for s in subjects[d.pk] if s.is_leaf and s.status == "review"] for d in documents}
    ids = [s.id for chosen in waiting.values() for s in chosen]
    uncertain = dict(
        Classification.objects.filter(id__in=ids).annotate(u=uncertainty()).values_list("id", "u")
    )
    whys = ((_why(s, uncertain[s.id], table.of(d, s.code)) for s in waiting[d.pk]) for d in documents)
    return {d.pk: max(why, key=lambda w: w.usefulness, default=None) for d, why in zip(documents, whys)}


def _why(subject: Subject, uncertain: float, figures: SubjectFigures) -> Why:
    parts = [("uncertain", uncertain), ("common", figures.common), ("new", figures.new_here)]
    parts.sort(key=lambda part: -part[1])
    total = sum(value for _, value in parts)
    return Why(
        code=subject.code,
        score=subject.score,
        score_kind=subject.score_kind,
        usefulness=_round(total),
        uncertain=_round(uncertain),
        figures=figures,
        reasons=[kind for kind, value in parts if value > 0 and value >= NOTABLE * total],
    )


def _round(value: float) -> float:
    return round(value, PRECISION)
