"""Search as the web shows it: hits with their documents' details, facets named and laid out as a tree."""

import math
from array import array
from dataclasses import dataclass, field

from library.models import Corpus, Document, DocumentEmbedding
from library.queries import PathStep
from search.backends import get_backend
from search.limits import reachable_pages
from search.types import Hit, SearchQuery
from taxonomy.models import Node, Taxonomy
from taxonomy.tree import Tree


@dataclass(frozen=True)
class Facet:
    """Documents among the matches that sit under one node."""

    code: str
    label: str
    count: int
    parents: tuple[str, ...] = ()


@dataclass
class FacetNode:
    """A facet in the hierarchy; ``expanded`` when it or a node below it is an active filter."""

    code: str
    label: str
    count: int
    active: bool = False
    expanded: bool = False
    children: list["FacetNode"] = field(default_factory=list)


@dataclass(frozen=True)
class HitSubject:
    """A leaf subject of a hit, accepted (by a librarian or the model on its own) or suggested."""

    code: str
    label: str
    accepted: bool


@dataclass(frozen=True)
class ResultHit:
    """A hit with what a reader needs to recognise the document."""

    id: int
    title: str
    snippet: str  # HTML: the backend escapes the text, only <mark> is raw
    score: float
    external_id: str
    corpus: str
    subjects: list[HitSubject]


@dataclass
class SearchPage:
    """One page of results with named facets, flat and as a tree."""

    query: SearchQuery
    total: int
    hits: list[ResultHit]
    facets: list[Facet]
    facet_tree: list[FacetNode]
    filters: list[PathStep]
    taxonomy: Taxonomy | None
    next: str | None = None  # the cursor of the next page

    @property
    def pages(self) -> int:
        """The pages that page numbers reach (a cursor goes past them)."""
        return max(1, min(math.ceil(self.total / self.query.size), reachable_pages(self.query.size)))

    @property
    def reachable(self) -> int:
        """How many of the hits page numbers reach."""
        return min(self.total, self.pages * self.query.size)

    @property
    def first_rank(self) -> int:
        """The position of this page's first hit among all hits."""
        return (self.query.page - 1) * self.query.size + 1


def facet_taxonomy(query: SearchQuery) -> Taxonomy | None:
    """The taxonomy that names the facets: the query's, its corpus's, or the only one in use."""
    if query.taxonomy_id is not None:
        return Taxonomy.objects.filter(pk=query.taxonomy_id).first()
    if query.corpus:
        corpus = Corpus.objects.filter(name=query.corpus).select_related("taxonomy").first()
        return corpus.taxonomy if corpus else None
    in_use = list(Taxonomy.objects.filter(corpora__isnull=False).distinct()[:2])
    return in_use[0] if len(in_use) == 1 else None


def _labels(tree: Tree | None, codes: set[str]) -> dict[str, str]:
    if tree is not None:
        return {code: tree.labels[code] for code in codes if code in tree.labels}
    return dict(Node.objects.filter(code__in=codes).values_list("code", "label"))


def describe_hits(hits: list[Hit], tree: Tree | None) -> list[ResultHit]:
    """Hits with their documents' external ids, corpora and leaf subjects (labelled, accepted or not)."""
    details = {
        row["id"]: row
        for row in Document.objects.filter(id__in=[h.id for h in hits]).values(
            "id", "external_id", "corpus__name"
        )
    }
    labels = _labels(tree, {code for hit in hits for code in hit.leaf_codes})
    return [
        ResultHit(
            id=hit.id,
            title=hit.title,
            snippet=hit.snippet,
            score=hit.score,
            external_id=details.get(hit.id, {}).get("external_id", ""),
            corpus=details.get(hit.id, {}).get("corpus__name", ""),
            subjects=[
                HitSubject(code, labels.get(code, code), code in hit.accepted_codes)
                for code in hit.leaf_codes
            ],
        )
        for hit in hits
    ]


def facet_tree(tree: Tree, counts: dict[str, int], active: set[str]) -> list[FacetNode]:
    """The faceted nodes nested under their parents, most documents first."""

    def build(code: str) -> FacetNode:
        children = sorted(
            (build(child) for child in tree.children[code] if child in counts),
            key=lambda n: (-n.count, n.label),
        )
        expanded = code in active or any(c.active or c.expanded for c in children)
        return FacetNode(code, tree.labels[code], counts[code], code in active, expanded, children)

    roots = [build(code) for code in tree.roots if code in counts]
    return sorted(roots, key=lambda n: (-n.count, n.label))


def search_documents(query: SearchQuery) -> SearchPage:
    """Run the query on the search backend and name what comes back."""
    result = get_backend().search(query)
    taxonomy = facet_taxonomy(query)
    tree = Tree.from_taxonomy(taxonomy) if taxonomy else None
    labels = _labels(tree, set(result.facets) | set(query.nodes))
    facets = sorted(
        (
            Facet(code, labels.get(code, code), count, tree.parents.get(code, ()) if tree else ())
            for code, count in result.facets.items()
        ),
        key=lambda f: (-f.count, f.label),
    )
    if tree is not None:
        nested = facet_tree(
            tree, {c: n for c, n in result.facets.items() if c in tree.parents}, set(query.nodes)
        )
    else:
        nested = [FacetNode(f.code, f.label, f.count, f.code in query.nodes) for f in facets]
    return SearchPage(
        query=query,
        total=result.total,
        hits=describe_hits(result.hits, tree),
        facets=facets,
        facet_tree=nested,
        filters=[PathStep(code, labels.get(code, code)) for code in query.nodes],
        taxonomy=taxonomy,
        next=result.next,
    )


def similar_documents(document: Document, k: int = 10) -> list[ResultHit] | None:
    """The ``k`` nearest documents of the same taxonomy by stored vector; None before classification."""
    embedding = DocumentEmbedding.objects.filter(document=document).first()
    if embedding is None:
        return None
    vector = array("f", bytes(embedding.vector)).tolist()
    taxonomy_id = document.corpus.taxonomy_id
    hits = get_backend().similar(vector, k + 1, SearchQuery(taxonomy_id=taxonomy_id))
    hits = [hit for hit in hits if hit.id != document.id][:k]
    return describe_hits(hits, Tree.from_taxonomy(taxonomy_id))
