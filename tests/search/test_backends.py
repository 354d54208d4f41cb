"""Both search engines, on the same real arXiv documents, must behave alike."""

import re
import sqlite3
import threading
from collections import Counter
from dataclasses import replace

import numpy as np
import pytest

from search.backends.base import SearchBackend
from search.backends.elasticsearch import MAPPINGS, ElasticsearchBackend
from search.backends.embedded import SCHEMA, EmbeddedBackend
from search.errors import OutdatedIndex
from search.types import IndexedDocument, SearchQuery
from tests.fixtures.search_server import drop_alias

HOSTILE_QUERIES = [
    '"graph neural" AND (x',
    'title:"language',
    "NEAR(language models, 2)",
    "language* OR -models^2 ~ {",
    "*",
    '"',
    "\\",
    "()",
    "AND",
    "'; DROP TABLE documents; --",
    "%_%",
    "\x00 language",
    "ünïcödé 💥 模型",
    "models " * 70,
]


def words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


def distinctive_title_words(documents: list[IndexedDocument]) -> dict[int, str]:
    """For documents that have one: a long title word no other document shares even a 6-letter prefix with."""
    vocabulary = {d.id: set(words(f"{d.title} {d.abstract}")) for d in documents}
    found = {}
    for d in documents:
        others = set().union(*(v for i, v in vocabulary.items() if i != d.id))
        for word in words(d.title):
            if len(word) >= 8 and not any(o.startswith(word[:6]) for o in others):
                found[d.id] = word
                break
    return found


def all_hits(backend: SearchBackend, query: SearchQuery) -> list[int]:
    return [h.id for h in backend.search(replace(query, size=100)).hits]


def test_distinctive_title_word_finds_its_document_first(indexed, arxiv_documents):
    found = distinctive_title_words(arxiv_documents)
    assert len(found) >= 5
    for document_id, word in found.items():
        hits = indexed.search(SearchQuery(text=word)).hits
        assert hits and hits[0].id == document_id, word


def test_title_outweighs_abstract(indexed, arxiv_documents):
    in_title = {d.id for d in arxiv_documents if "benchmark" in words(d.title)}
    only_in_abstract = {
        d.id for d in arxiv_documents if "benchmark" in words(d.abstract) and d.id not in in_title
    }
    assert in_title and only_in_abstract
    hits = indexed.search(SearchQuery(text="benchmark")).hits
    assert {h.id for h in hits[: len(in_title)]} == in_title


def test_words_are_anded_across_title_and_abstract(indexed, arxiv_documents):
    document_id, title_word = next(iter(distinctive_title_words(arxiv_documents).items()))
    document = next(d for d in arxiv_documents if d.id == document_id)
    abstract_word = next(w for w in words(document.abstract) if len(w) > 4 and w not in words(document.title))
    assert [h.id for h in indexed.search(SearchQuery(text=f"{title_word} {abstract_word}")).hits] == [
        document_id
    ]
    assert indexed.search(SearchQuery(text=f"{title_word} algebras")).total == 0


def test_snippets_mark_matches_and_escape_the_rest(indexed, search_backend, arxiv_documents):
    result = indexed.search(SearchQuery(text="hallucinations"))
    assert result.hits
    for hit in result.hits:
        assert re.search(r"<mark>hallucinat\w*</mark>", hit.snippet, re.IGNORECASE)  # stemmed or not
    hostile = replace(
        arxiv_documents[0], id=999, abstract="Robust <script>alert(1)</script> parsing & hallucinations."
    )
    search_backend.index([hostile])
    snippet = next(h.snippet for h in indexed.search(SearchQuery(text="hallucinations")).hits if h.id == 999)
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet
    assert re.sub(r"</?mark>", "", snippet).count("<") == 0


def codes(document: IndexedDocument, suggested: bool) -> list[str]:
    """The subjects a search with or without suggestions reads of a document."""
    return document.node_codes if suggested else document.accepted_codes


@pytest.mark.parametrize("suggested", [False, True])
def test_match_all_is_ordered_by_id_with_every_facet(indexed, arxiv_documents, suggested):
    result = indexed.search(SearchQuery(size=100, suggested=suggested))
    assert result.total == len(arxiv_documents), "suggestions or not, every document matches"
    assert [h.id for h in result.hits] == sorted(d.id for d in arxiv_documents)
    assert result.facets == dict(Counter(c for d in arxiv_documents for c in codes(d, suggested)))
    by_id = {d.id: d for d in arxiv_documents}
    for hit in result.hits:
        document = by_id[hit.id]
        assert hit.leaf_codes == document.leaf_codes
        assert hit.accepted_codes == [c for c in document.leaf_codes if c in document.accepted_codes]


def test_facets_count_accepted_subjects_unless_suggestions_are_asked_for(indexed, arxiv_documents):
    accepted, everything = (indexed.search(SearchQuery(suggested=s)).facets for s in (False, True))
    assert all(everything[code] >= count for code, count in accepted.items())
    assert sum(accepted.values()) < sum(everything.values())
    assert set(everything) - set(accepted), "some subjects are only suggested"
    assert any(hit.accepted_codes for hit in indexed.search(SearchQuery()).hits)
    assert any(not hit.accepted_codes for hit in indexed.search(SearchQuery()).hits)


@pytest.mark.parametrize("suggested", [False, True])
def test_facets_count_every_match_not_just_the_page(indexed, arxiv_documents, suggested):
    query = SearchQuery(text="language", size=3, suggested=suggested)
    result = indexed.search(query)
    matched = set(all_hits(indexed, query))
    assert result.total == len(matched) > 3
    by_id = {d.id: d for d in arxiv_documents}
    assert result.facets == dict(Counter(c for i in matched for c in codes(by_id[i], suggested)))


@pytest.mark.parametrize(
    "nodes", [("cs",), ("math",), ("physics",), ("cs.CL", "cs.LG"), ("math.RT", "math.AG")]
)
def test_node_filters_keep_documents_under_every_node(indexed, arxiv_documents, nodes):
    expected = sorted(d.id for d in arxiv_documents if set(nodes) <= set(d.node_codes))
    assert expected
    result = indexed.search(SearchQuery(nodes=nodes, size=100, suggested=True))
    assert [h.id for h in result.hits] == expected
    assert result.total == len(expected)
    assert all(result.facets[n] == len(expected) for n in nodes)


@pytest.mark.parametrize("nodes", [("cs",), ("math",), ("cs", "cs.CL")])
def test_node_filters_keep_accepted_subjects_unless_suggestions_are_asked_for(
    indexed, arxiv_documents, nodes
):
    found = {}
    for suggested in (False, True):
        expected = sorted(d.id for d in arxiv_documents if set(nodes) <= set(codes(d, suggested)))
        result = indexed.search(SearchQuery(nodes=nodes, size=100, suggested=suggested))
        assert [h.id for h in result.hits] == expected and result.total == len(expected)
        assert all(result.facets[n] == len(expected) for n in nodes)
        found[suggested] = set(expected)
    assert found[False] and found[False] < found[True]


def test_an_index_of_an_older_schema_asks_to_be_rebuilt(search_backend, arxiv_documents):
    write_older_index(search_backend)
    with pytest.raises(OutdatedIndex, match="manage.py reindex"):
        search_backend.search(SearchQuery())
    with pytest.raises(OutdatedIndex):
        search_backend.index(arxiv_documents[:1])
    search_backend.reset()  # what manage.py reindex does first
    assert search_backend.index(arxiv_documents[:2]) == 2
    assert search_backend.search(SearchQuery()).total == 2


@pytest.mark.search
def test_workers_starting_together_share_one_index(settings, elasticsearch_url):
    """Every worker process makes sure the index exists before its first batch; when several do at
    once (the first batches of a job), none fails and one index is left behind the alias."""
    starters = [ElasticsearchBackend(elasticsearch_url, settings.SEARCH_INDEX) for _ in range(8)]
    start, errors = threading.Barrier(len(starters)), []

    def first_count(backend: ElasticsearchBackend) -> None:
        start.wait()
        try:
            backend.count()
        except Exception as error:  # noqa: BLE001 - collected for the assertion below
            errors.append(error)

    threads = [threading.Thread(target=first_count, args=(b,)) for b in starters]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors
        assert len(starters[0]._client.indices.get_alias(name=settings.SEARCH_INDEX)) == 1
    finally:
        drop_alias(elasticsearch_url, settings.SEARCH_INDEX)


def write_older_index(backend: SearchBackend) -> None:
    """The index as Shelfmark wrote it before accepted subjects were kept apart, empty."""
    if isinstance(backend, EmbeddedBackend):
        with sqlite3.connect(backend.path) as db:
            db.executescript(
                SCHEMA.replace("accepted_leaf_codes TEXT NOT NULL,", "").replace(
                    "accepted INTEGER NOT NULL,", ""
                )
            )
        return
    mappings = {
        **MAPPINGS,
        "properties": {k: v for k, v in MAPPINGS["properties"].items() if k != "accepted_codes"},
    }
    backend._client.indices.create(index=f"{backend.alias}-1", mappings=mappings, aliases={backend.alias: {}})


def test_corpus_and_taxonomy_filters(indexed, arxiv_documents):
    train = sorted(d.id for d in arxiv_documents if d.corpus == "arxiv-2025-train")
    assert all_hits(indexed, SearchQuery(corpus="arxiv-2025-train")) == train
    assert all_hits(indexed, SearchQuery(text="algebras", corpus="arxiv-2025-dev")) == []
    assert indexed.search(SearchQuery(taxonomy_id=1)).total == len(arxiv_documents)
    assert indexed.search(SearchQuery(taxonomy_id=2)).total == 0


def test_pages_split_the_result(indexed, arxiv_documents):
    pages = [indexed.search(SearchQuery(page=p, size=7)) for p in range(1, 6)]
    assert all(p.total == len(arxiv_documents) for p in pages)
    assert [len(p.hits) for p in pages] == [7, 7, 7, 7, 2]
    assert [h.id for p in pages for h in p.hits] == sorted(d.id for d in arxiv_documents)
    query = SearchQuery(text="models")
    ranked = all_hits(indexed, query)
    paged = [h.id for p in range(1, 4) for h in indexed.search(replace(query, page=p, size=4)).hits]
    assert paged == ranked[:12]


def test_an_older_version_never_replaces_a_newer_one(search_backend, arxiv_documents):
    document = arxiv_documents[0]
    assert search_backend.index([replace(document, version=2, title="Smelling machines")]) == 1
    assert search_backend.index([replace(document, version=1, title="Stale perfume")]) == 0
    assert search_backend.search(SearchQuery(text="perfume")).total == 0
    [hit] = search_backend.search(SearchQuery(text="smelling")).hits
    assert hit.title == "Smelling machines"
    assert search_backend.index([replace(document, version=2, title="Smelling robots")]) == 1
    assert search_backend.search(SearchQuery(text="robots")).hits[0].id == document.id
    assert search_backend.count() == 1


def test_delete_and_reset(indexed, arxiv_documents):
    gone = arxiv_documents[0]
    indexed.delete([gone.id, 123456])
    assert indexed.count() == len(arxiv_documents) - 1
    assert gone.id not in all_hits(indexed, SearchQuery())
    assert indexed.search(SearchQuery(text="olfactory")).total == 0
    indexed.reset()
    assert indexed.count() == 0
    assert indexed.search(SearchQuery()).total == 0
    assert indexed.index(arxiv_documents[:2]) == 2
    assert indexed.count() == 2


def test_similar_finds_the_document_itself_first(indexed, arxiv_documents):
    for document in arxiv_documents[::5]:
        hits = indexed.similar(document.vector, k=3)
        assert len(hits) == 3
        assert hits[0].id == document.id
        assert hits[0].score == pytest.approx(1.0, abs=0.02)
        assert hits[0].score > hits[1].score >= hits[2].score


def test_similar_honours_filters(indexed, arxiv_documents):
    math = {d.id for d in arxiv_documents if "math" in d.accepted_codes}
    assert math
    query_vector = arxiv_documents[0].vector
    hits = indexed.similar(query_vector, k=20, query=SearchQuery(nodes=("math",)))
    assert {h.id for h in hits} == math
    by_id = {d.id: np.asarray(d.vector) for d in arxiv_documents}
    cosines = [float(np.dot(by_id[h.id], query_vector)) for h in hits]
    # Elasticsearch quantises vectors (int8_hnsw, its default): its scores are close, not exact.
    assert [h.score for h in hits] == pytest.approx(cosines, abs=0.05)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert indexed.similar(query_vector, query=SearchQuery(corpus="nowhere")) == []


def test_documents_without_vectors_are_searchable_but_not_similar(search_backend, arxiv_documents):
    with_vector, without = arxiv_documents[0], replace(arxiv_documents[1], vector=None)
    assert search_backend.index([with_vector, without]) == 2
    assert search_backend.search(SearchQuery()).total == 2
    assert [h.id for h in search_backend.similar(with_vector.vector, k=5)] == [with_vector.id]


@pytest.mark.parametrize("text", HOSTILE_QUERIES)
def test_hostile_queries_do_not_raise(indexed, text):
    result = indexed.search(SearchQuery(text=text))
    assert len(result.hits) == min(result.total, 20)


def test_text_without_words_matches_nothing_and_blank_text_everything(indexed, arxiv_documents):
    assert indexed.search(SearchQuery(text="?!")).total == 0
    assert indexed.search(SearchQuery(text="  ")).total == len(arxiv_documents)
