"""Both search engines keep every search bounded: repeated words collapse, long queries and deep
page numbers are refused, a cursor walks every hit, and a huge abstract is indexed only in part."""

from dataclasses import replace

import pytest

from search.backends.base import SearchBackend
from search.errors import QueryError
from search.types import SearchQuery


def ranking(backend: SearchBackend, query: SearchQuery) -> list[tuple[int, float]]:
    return [(h.id, h.score) for h in backend.search(replace(query, size=100)).hits]


def walk(backend: SearchBackend, query: SearchQuery) -> list[int]:
    """The ids of the hits from the query's page (or cursor) on, page after page, following the cursors."""
    ids, cursor = [], query.cursor
    while True:
        result = backend.search(replace(query, cursor=cursor) if cursor else query)
        ids += [h.id for h in result.hits]
        if result.next is None:
            return ids
        cursor = result.next


def refused(backend: SearchBackend, query: SearchQuery) -> QueryError:
    with pytest.raises(QueryError) as caught:
        backend.search(query)
    return caught.value


def test_repeated_words_count_once(indexed):
    once = ranking(indexed, SearchQuery(text="language models"))
    assert once
    repeated = ranking(indexed, SearchQuery(text="language models " + "Models models MODELS " * 20))
    assert repeated == pytest.approx(once)


def test_long_queries_and_many_words_are_refused(indexed, settings):
    assert refused(indexed, SearchQuery(text="m" * (settings.SEARCH_MAX_QUERY_CHARS + 1))).field == "q"
    words = [f"w{i}" for i in range(settings.SEARCH_MAX_QUERY_TERMS + 1)]
    error = refused(indexed, SearchQuery(text=" ".join(words)))
    assert error.field == "q" and str(settings.SEARCH_MAX_QUERY_TERMS) in error.reason
    assert indexed.search(SearchQuery(text=" ".join(words[:-1]))).total == 0
    assert refused(indexed, SearchQuery(nodes=tuple(f"n{i}" for i in range(33)))).field == "node"


def test_page_numbers_stop_at_the_window(indexed, settings):
    window = settings.SEARCH_MAX_WINDOW
    assert indexed.search(SearchQuery(page=window // 20, size=20)).hits == []  # ends on the window: fine
    assert refused(indexed, SearchQuery(page=window // 20 + 1, size=20)).field == "page"
    assert refused(indexed, SearchQuery(page=10**20)).field == "page"


@pytest.mark.parametrize("text", ["", "models", "language models"])
def test_a_cursor_walks_every_hit_past_the_window(indexed, settings, text):
    query = SearchQuery(text=text, size=4)
    everything = [i for i, _ in ranking(indexed, query)]
    assert len(everything) > 8
    settings.SEARCH_MAX_WINDOW = 8
    assert refused(indexed, replace(query, page=3)).field == "page"
    assert walk(indexed, query) == everything


def test_page_numbers_hand_on_to_a_cursor(indexed, arxiv_documents):
    second = indexed.search(SearchQuery(page=2, size=10))
    assert second.next is not None
    rest = walk(indexed, SearchQuery(size=10, cursor=second.next))
    assert rest == sorted(d.id for d in arxiv_documents)[20:]
    assert indexed.search(SearchQuery(size=100)).next is None


def test_cursors_of_another_search_are_refused(indexed):
    by_id = indexed.search(SearchQuery(size=2)).next
    by_score = indexed.search(SearchQuery(text="models", size=2)).next
    for query in [
        SearchQuery(text="models", cursor=by_id),
        SearchQuery(cursor=by_score),
        SearchQuery(text="graphs", cursor=by_score),
        SearchQuery(text="models", corpus="arxiv-2025-train", cursor=by_score),
        SearchQuery(text="models", nodes=("cs",), cursor=by_score),
        SearchQuery(text="models", suggested=True, cursor=by_score),
        SearchQuery(cursor="not a cursor"),
        SearchQuery(cursor="W10"),  # "[]"
        SearchQuery(cursor="MQ"),  # "1"
        SearchQuery(cursor=by_id, page=2),
    ]:
        assert refused(indexed, query).field == "cursor"


def test_a_cursor_goes_on_with_another_page_size_or_the_same_words_repeated(indexed):
    query = SearchQuery(text="language models", size=3)
    everything = [i for i, _ in ranking(indexed, query)]
    first = indexed.search(query)
    rest = walk(indexed, SearchQuery(text="language models models language", size=5, cursor=first.next))
    assert [h.id for h in first.hits] + rest == everything


def test_only_the_start_of_a_huge_abstract_is_indexed(search_backend, arxiv_documents, settings):
    settings.SEARCH_MAX_INDEXED_CHARS = 20_000
    document, *others = arxiv_documents
    filler = " ".join(d.abstract for d in others)
    abstract = f"{document.abstract} zanzibarine {filler * 30} quetzalcoatlus"  # 1 MB, a word near each end
    assert len(abstract) > 1_000_000 and abstract.index("zanzibarine") < 20_000
    search_backend.index([replace(document, abstract=abstract), *others])

    [hit] = search_backend.search(SearchQuery(text="zanzibarine")).hits
    assert hit.id == document.id and "<mark>zanzibarine</mark>" in hit.snippet.lower()
    assert len(hit.snippet) < 1000
    assert search_backend.search(SearchQuery(text="quetzalcoatlus")).total == 0


def test_embedded_snippets_show_the_matches_where_they_are(tmp_path, settings, arxiv_documents):
    from search.backends.embedded import EmbeddedBackend

    backend = EmbeddedBackend(tmp_path / "search.sqlite3")
    words = " ".join(d.abstract for d in arxiv_documents[:6]).split()
    abstract = " ".join([*words[:900], "zanzibarine", *words[900:]])
    backend.index([replace(arxiv_documents[0], abstract=abstract)])

    [hit] = backend.search(SearchQuery(text="zanzibarine")).hits

    shown = hit.snippet.split()
    assert shown[0] == "…" and shown[-1] == "…" and len(shown) == 32 + 2
    assert "<mark>zanzibarine</mark>" in shown[1:8]
