"""Read-only questions about stored subjects: counts per node, a document's subjects, a node's documents."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Max, QuerySet

from library.models import Classification, Corpus, Document
from taxonomy.models import Node, Taxonomy
from taxonomy.tree import Tree


@dataclass(frozen=True)
class PathStep:
    """One node on a path from a root, for breadcrumbs."""

    code: str
    label: str


@dataclass(frozen=True)
class Subject:
    """A stored subject of a document, with the path from its root for display."""

    code: str
    label: str
    score: float
    score_kind: str  # "probability" (shown as a percentage) or "similarity" (shown as it is)
    rank: int
    is_leaf: bool
    model_version: str
    source: str
    path: list[PathStep]
    id: int  # the stored classification, for the review actions
    status: str
    decided_by: str = ""  # who gave or accepted it; empty: a model, a file or a command


@dataclass
class CountedNode:
    """A taxonomy node with the number of documents classified under it, and its children."""

    code: str
    label: str
    count: int
    children: list["CountedNode"] = field(default_factory=list)


def counted_subjects(suggested: bool = False) -> QuerySet[Classification]:
    """The stored subjects that count: accepted ones (by a librarian, or by the model above its
    accept threshold), and with ``suggested`` those awaiting review too."""
    rows = Classification.objects.all()
    return rows if suggested else rows.filter(status=Classification.Status.ACCEPTED)


def node_document_counts(
    taxonomy: Taxonomy | int,
    corpus: Corpus | None = None,
    codes: Iterable[str] | None = None,
    suggested: bool = False,
) -> dict[str, int]:
    """Distinct documents per node code over the accepted subjects (and suggested ones with
    ``suggested``); stored subjects include every ancestor."""
    rows = counted_subjects(suggested).filter(node__taxonomy=taxonomy)
    if corpus is not None:
        rows = rows.filter(document__corpus=corpus)
    if codes is not None:
        rows = rows.filter(node__code__in=list(codes))
    grouped = rows.order_by().values("node__code").annotate(documents=Count("document", distinct=True))
    return {row["node__code"]: row["documents"] for row in grouped}


def counted_tree(
    taxonomy: Taxonomy, corpus: Corpus | None = None, suggested: bool = False
) -> list[CountedNode]:
    """The taxonomy as nested nodes with document counts (``node_document_counts``); a node with
    several parents sits under each."""
    tree = Tree.from_taxonomy(taxonomy)
    counts = node_document_counts(taxonomy, corpus, suggested=suggested)

    def build(code: str) -> CountedNode:
        children = [build(child) for child in tree.children[code]]
        return CountedNode(code, tree.labels[code], counts.get(code, 0), children)

    return [build(root) for root in tree.roots]


def path_steps(tree: Tree, code: str) -> list[PathStep]:
    """The first path from a root down to ``code``, with labels."""
    return [PathStep(step, tree.labels[step]) for step in tree.first_path(code)]


def document_subjects(document: Document) -> list[Subject]:
    """The document's stored subjects, most specific first: by rank, and each after every subject
    below it (a broader subject ties its best narrower one, and the narrower one goes first)."""
    return subjects_of([document.pk])[document.pk]


def subjects_of(
    document_ids: Iterable[int], trees: dict[int, Tree] | None = None
) -> dict[int, list[Subject]]:
    """``document_subjects`` of many documents, in one query and one tree per taxonomy (``trees``
    may hold some already): what a page of documents costs, whatever its size."""
    document_ids = list(document_ids)
    trees = {} if trees is None else trees
    grouped: dict[int, dict[str, list[Classification]]] = {pk: {} for pk in document_ids}
    rows = (
        Classification.objects.filter(document_id__in=document_ids)
        .select_related("node", "decided_by")
        .order_by("rank", "-is_leaf_prediction", "-score", "node__code")
    )
    for row in rows:
        grouped[row.document_id].setdefault(row.node.code, []).append(row)
    subjects = {}
    for pk, by_code in grouped.items():
        if not by_code:
            subjects[pk] = []
            continue
        taxonomy_id = next(iter(by_code.values()))[0].node.taxonomy_id
        if taxonomy_id not in trees:
            trees[taxonomy_id] = Tree.from_taxonomy(taxonomy_id)  # an id filters like the object
        tree = trees[taxonomy_id]
        subjects[pk] = [_subject(row, tree) for code in tree.specific_first(by_code) for row in by_code[code]]
    return subjects


def _subject(row: Classification, tree: Tree) -> Subject:
    return Subject(
        code=row.node.code,
        label=row.node.label,
        score=row.score,
        score_kind=row.score_kind,
        rank=row.rank,
        is_leaf=row.is_leaf_prediction,
        model_version=row.model_version,
        source=row.source,
        path=path_steps(tree, row.node.code),
        id=row.pk,
        status=row.status,
        decided_by=row.decided_by.get_username() if row.decided_by else "",
    )


def documents_with_subject(node: Node, suggested: bool = False) -> QuerySet[Document]:
    """Documents with an accepted subject at ``node`` (or a suggested one too, with ``suggested``),
    best score first, each annotated with ``score`` and ``score_kind`` (a similarity where any of
    those subjects is one)."""
    subjects = {"classifications__node": node}
    if not suggested:
        subjects["classifications__status"] = Classification.Status.ACCEPTED
    return (
        Document.objects.filter(**subjects)
        .annotate(score=Max("classifications__score"), score_kind=Max("classifications__score_kind"))
        .select_related("corpus")
        .order_by("-score", "id")
    )


def filter_documents(
    documents: QuerySet[Document],
    corpus: str | None = None,
    node: str | None = None,
    taxonomy: int | None = None,
    suggested: bool = False,
) -> QuerySet[Document]:
    """Narrow documents to a corpus (by name), a taxonomy and a node code (in that taxonomy if
    given), where the document's subject is accepted (or, with ``suggested``, awaits review)."""
    if corpus:
        documents = documents.filter(corpus__name=corpus)
    if taxonomy is not None:
        documents = documents.filter(corpus__taxonomy_id=taxonomy)
    if node:
        subjects = counted_subjects(suggested).filter(node__code=node)
        if taxonomy is not None:
            subjects = subjects.filter(node__taxonomy_id=taxonomy)
        documents = documents.filter(id__in=subjects.values("document_id"))
    return documents


@dataclass(frozen=True)
class NodeSummary:
    """A node in context: its path from a root, its parents, and its children with counts."""

    path: list[PathStep]
    parents: list[PathStep]
    children: list[CountedNode]
    count: int


def node_summary(node: Node, suggested: bool = False) -> NodeSummary:
    """Where a node sits and how many documents are under it and under each child
    (``node_document_counts``)."""
    tree = Tree.from_taxonomy(node.taxonomy_id)
    codes = {node.code, *tree.children[node.code]}
    counts = node_document_counts(node.taxonomy_id, codes=codes, suggested=suggested)
    return NodeSummary(
        path=path_steps(tree, node.code),
        parents=[PathStep(code, tree.labels[code]) for code in tree.parents[node.code]],
        children=[CountedNode(c, tree.labels[c], counts.get(c, 0)) for c in tree.children[node.code]],
        count=counts.get(node.code, 0),
    )


def documents_without_subject(corpus: str | None = None, taxonomy: int | None = None) -> QuerySet[Document]:
    """Classified documents that carry no subject: the model could not place them (its assessment
    says not classifiable), or librarians rejected every subject it gave. Oldest first."""
    placed = Classification.objects.filter(is_leaf_prediction=True).values("document_id")
    documents = Document.objects.filter(assessment__isnull=False).exclude(id__in=placed)
    return (
        filter_documents(documents, corpus=corpus, taxonomy=taxonomy)
        .select_related("corpus", "assessment")
        .order_by("created", "id")
    )
