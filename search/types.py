"""Plain types of search: what goes into the index and what a query returns."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class IndexedDocument:
    """A document as the index holds it: its text, its subjects (with ancestors) and its vector."""

    id: int
    corpus: str
    taxonomy_id: int
    external_id: str
    title: str
    abstract: str
    node_codes: list[str]  # every subject, accepted or suggested, ancestors included: the facet field
    accepted_codes: list[str]  # the accepted ones alone (by a librarian, or by the model on its own)
    leaf_codes: list[str]  # the subjects the model (or a librarian) chose, best first
    version: int  # grows with every change; an older write never replaces a newer one
    vector: list[float] | None = None


@dataclass(frozen=True)
class SearchQuery:
    """Full text plus filters. ``nodes`` keeps documents under every given node (AND); node filters
    and facets read accepted subjects alone, and suggestions awaiting review too with ``suggested``.

    A page is either numbered (``page``) or follows a ``cursor`` a previous answer gave (``next``).
    """

    text: str = ""
    nodes: tuple[str, ...] = ()
    corpus: str | None = None
    taxonomy_id: int | None = None
    suggested: bool = False
    page: int = 1
    size: int = 20
    cursor: str | None = None


@dataclass(frozen=True)
class Hit:
    id: int
    title: str
    snippet: str
    score: float
    leaf_codes: list[str] = field(default_factory=list)
    accepted_codes: list[str] = field(default_factory=list)  # those of ``leaf_codes`` that are accepted


@dataclass(frozen=True)
class SearchResult:
    """One page of hits, the total, and document counts per node code over all matches; ``next`` is
    the cursor of the page after this one (None after the last hit)."""

    total: int
    hits: list[Hit]
    facets: dict[str, int]
    next: str | None = None
