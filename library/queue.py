"""The librarians' review queue: documents whose chosen subjects await review, narrowed by corpus,
subject and score, the most useful decision first (``library.usefulness``) or the longest waiting
first; and the waiting suggestions a filter picks, which a bulk accept accepts."""

from dataclasses import dataclass

from django.db.models import Min, Q, QuerySet, TextChoices

from library.models import Classification, Document
from library.queries import Subject
from library.usefulness import WAITING, SubjectFigureTable, Why, explain_order, usefulness
from taxonomy.models import Node
from taxonomy.tree import Tree


class Order(TextChoices):
    USEFUL = "useful", "most useful first"
    OLDEST = "oldest", "longest waiting first"


@dataclass(frozen=True)
class QueueFilter:
    """Which waiting suggestions: in a corpus (by name) or taxonomy (by id), at a subject or below
    it (a node code), scored within a range. The queue lists the documents that have one."""

    corpus: str | None = None
    taxonomy: int | None = None
    node: str | None = None
    min_score: float | None = None
    max_score: float | None = None

    def describe(self) -> str:
        """The filter in words, for buttons and the audit trail: "cs.CL in arxiv-demo, scored 0.3 to 1"."""
        where = [f"taxonomy {self.taxonomy}" if self.taxonomy is not None else "", self.corpus or ""]
        words = [self.node or "every subject", " and ".join(w for w in where if w)]
        text = " in ".join(w for w in words if w)
        low, high = self.min_score, self.max_score
        if low is not None and high is not None:
            text += f", scored {low:g} to {high:g}"
        elif low is not None or high is not None:
            text += f", scored {low:g} or more" if low is not None else f", scored {high:g} or less"
        return text

    def corpora(self, via: str = "") -> Q:
        """The filter's corpora, as a filter on documents (``via``: on what leads to them)."""
        scope = Q()
        if self.corpus:
            scope &= Q(**{f"{via}corpus__name": self.corpus})
        if self.taxonomy is not None:
            scope &= Q(**{f"{via}corpus__taxonomy_id": self.taxonomy})
        return scope

    def subjects(self) -> Q:
        """The filter's subject with every subject below it, as a filter on classifications; a
        code in several taxonomies counts in each the filter's corpora allow."""
        if not self.node:
            return Q()
        nodes = Node.objects.filter(code=self.node)
        if self.taxonomy is not None:
            nodes = nodes.filter(taxonomy_id=self.taxonomy)
        if self.corpus:
            nodes = nodes.filter(taxonomy__corpora__name=self.corpus)
        under = Q(pk__in=[])
        for taxonomy_id in nodes.values_list("taxonomy_id", flat=True).distinct():
            codes = {self.node} | Tree.from_taxonomy(taxonomy_id).descendants(self.node)
            under |= Q(node__taxonomy_id=taxonomy_id, node__code__in=codes)
        return under


@dataclass(frozen=True)
class ReviewQueue:
    """The queue's documents, annotated with ``waiting_since`` and, most useful first,
    ``usefulness``; and the figures behind that order."""

    documents: QuerySet[Document]
    figures: SubjectFigureTable | None

    def why(self, page: list[Document], subjects: dict[int, list[Subject]]) -> dict[int, Why | None]:
        """Why each document of a page (with its ``subjects``) comes where it does; None when
        longest waiting first."""
        if self.figures is None:
            return dict.fromkeys((document.pk for document in page), None)
        return explain_order(page, subjects, self.figures)


def review_queue(filters: QueueFilter | None = None, order: str = Order.USEFUL) -> ReviewQueue:
    """The documents with a waiting suggestion the filter picks, in the order asked for; ties go to
    the longest waiting, then the oldest id, so the order is stable."""
    filters = filters or QueueFilter()
    documents = Document.objects.filter(id__in=waiting_suggestions(filters).values("document_id"))
    on_waiting = Q(
        classifications__status=Classification.Status.REVIEW, classifications__is_leaf_prediction=True
    )
    annotations = {"waiting_since": Min("classifications__created", filter=on_waiting)}
    figures = SubjectFigureTable(filters.corpora()) if order == Order.USEFUL else None
    if figures is not None:
        annotations["usefulness"] = usefulness(figures)
    ordering = ("-usefulness",) if figures is not None else ()
    documents = documents.annotate(**annotations).select_related("corpus")
    return ReviewQueue(documents.order_by(*ordering, "waiting_since", "id"), figures)


def waiting_suggestions(filters: QueueFilter) -> QuerySet[Classification]:
    """The suggestions a filter picks: the model's chosen subjects awaiting review in its corpora,
    at or below its subject, scored within its range."""
    suggestions = Classification.objects.filter(WAITING, filters.subjects(), filters.corpora("document__"))
    if filters.min_score is not None:
        suggestions = suggestions.filter(score__gte=filters.min_score)
    if filters.max_score is not None:
        suggestions = suggestions.filter(score__lte=filters.max_score)
    return suggestions
