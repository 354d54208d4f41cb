"""The Elasticsearch 8.x engine: one concrete index behind an alias, so a reset swaps it atomically."""

import html
import textwrap
import time

from elasticsearch import BadRequestError, Elasticsearch
from elasticsearch.helpers import streaming_bulk

from search.backends.base import SearchBackend
from search.errors import OutdatedIndex
from search.types import Hit, IndexedDocument, SearchQuery, SearchResult

VECTOR_DIMS = 384
FACET_SIZE = 10_000  # more than the nodes of the largest taxonomy (OpenAlex topics: ~4,800)
SNIPPET_CHARS = 200
BULK_CHUNK = 500

MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "id": {"type": "long"},
        "title": {"type": "text", "fields": {"raw": {"type": "keyword", "ignore_above": 1024}}},
        "abstract": {"type": "text"},
        "corpus": {"type": "keyword"},
        "taxonomy_id": {"type": "integer"},
        "external_id": {"type": "keyword"},
        "node_codes": {"type": "keyword"},
        "accepted_codes": {"type": "keyword"},
        "leaf_codes": {"type": "keyword"},
        "vector": {"type": "dense_vector", "dims": VECTOR_DIMS, "index": True, "similarity": "cosine"},
    },
}
HIGHLIGHT = {
    "pre_tags": ["<mark>"],
    "post_tags": ["</mark>"],
    "encoder": "html",  # escapes the text around the tags: the snippet is safe to render
    "fields": {"abstract": {"fragment_size": SNIPPET_CHARS, "number_of_fragments": 1}},
}
SOURCE = ["title", "abstract", "leaf_codes", "accepted_codes"]


class ElasticsearchBackend(SearchBackend):
    """Documents in an Elasticsearch index reached through ``index_alias``."""

    name = "elasticsearch"

    def __init__(self, url: str, index_alias: str):
        self.alias = index_alias
        self._client = Elasticsearch(url, request_timeout=30)
        self._ready = False

    def _index(self, documents: list[IndexedDocument]) -> int:
        self._ensure_index()
        accepted = 0
        results = streaming_bulk(
            self._client, (self._action(d) for d in documents), chunk_size=BULK_CHUNK, raise_on_error=False
        )
        for ok, item in results:
            if ok:
                accepted += 1
            elif item["index"]["status"] != 409:  # 409: the index holds a newer version; that one stays
                raise RuntimeError(f"indexing failed: {item['index'].get('error')}")
        self._refresh()
        return accepted

    def _delete(self, document_ids: list[int]) -> None:
        self._ensure_index()
        actions = ({"_op_type": "delete", "_index": self.alias, "_id": i} for i in document_ids)
        for ok, item in streaming_bulk(self._client, actions, chunk_size=BULK_CHUNK, raise_on_error=False):
            if not ok and item["delete"]["status"] != 404:
                raise RuntimeError(f"deleting failed: {item['delete'].get('error')}")
        self._refresh()

    def _search(self, query: SearchQuery, after: tuple | None) -> SearchResult:
        self._ensure_index()
        text = query.text.strip()
        if text:
            # combined_fields is term-centric: every word must occur, in the title or the abstract
            # (best_fields with operator "and" would want all words in one field).
            must = {"combined_fields": {"query": text, "fields": ["title^3", "abstract"], "operator": "and"}}
        else:
            must = {"match_all": {}}
        response = self._client.search(
            index=self.alias,
            query={"bool": {"must": [must], "filter": _filters(query)}},
            sort=["_score", {"id": "asc"}] if text else [{"id": "asc"}],
            from_=0 if after else (query.page - 1) * query.size,
            search_after=list(after) if after else None,
            size=query.size,
            source=SOURCE,
            highlight=HIGHLIGHT if text else None,
            aggs={"nodes": {"terms": {"field": _codes_field(query), "size": FACET_SIZE}}},
            track_total_hits=True,
        )
        buckets = response["aggregations"]["nodes"]["buckets"]
        return SearchResult(
            total=response["hits"]["total"]["value"],
            hits=[_hit(h, h["_score"] or 0.0) for h in response["hits"]["hits"]],
            facets={b["key"]: b["doc_count"] for b in buckets},
        )

    def _similar(self, vector: list[float], k: int, query: SearchQuery) -> list[Hit]:
        self._ensure_index()
        response = self._client.search(
            index=self.alias,
            knn={
                "field": "vector",
                "query_vector": vector,
                "k": k,
                "num_candidates": max(100, 10 * k),
                "filter": _filters(query),
            },
            size=k,
            source=SOURCE,
        )
        # Elasticsearch scores cosine as (1 + cos) / 2; hits carry the cosine itself, as embedded does.
        return [_hit(h, 2 * h["_score"] - 1) for h in response["hits"]["hits"]]

    def _count(self) -> int:
        self._ensure_index()
        return self._client.count(index=self.alias)["count"]

    def _reset(self) -> None:
        new = self._create_index()
        old = list(self._client.indices.get_alias(name=self.alias)) if self._alias_exists() else []
        self._client.indices.update_aliases(
            actions=[
                *({"remove": {"index": index, "alias": self.alias}} for index in old),
                {"add": {"index": new, "alias": self.alias}},
            ]
        )
        for index in old:
            self._client.options(ignore_status=404).indices.delete(index=index)
        self._ready = True

    def _ensure_index(self) -> None:
        """Create the first concrete index with the alias, unless the alias exists already."""
        if self._ready:
            return
        if not self._alias_exists():
            self._create_index(alias=True)
            # Processes racing here may each have created one; all keep the oldest, drop the rest.
            indices = sorted(self._client.indices.get_alias(name=self.alias))
            for index in indices[1:]:
                self._client.options(ignore_status=404).indices.delete(index=index)
        elif any(
            set(MAPPINGS["properties"]) - set(found["mappings"].get("properties", {}))
            for found in self._client.indices.get_mapping(index=self.alias).body.values()
        ):
            raise OutdatedIndex(f"{self.alias} holds an older index: rebuild it (manage.py reindex)")
        self._ready = True

    def _create_index(self, alias: bool = False) -> str:
        index = f"{self.alias}-{time.time_ns() // 1_000_000}"
        try:
            self._client.indices.create(
                index=index, mappings=MAPPINGS, aliases={self.alias: {}} if alias else None
            )
        except BadRequestError as error:
            # Another process made it in the same millisecond (with the same mappings and alias),
            # or the server made it and the answer was lost, so the client sent it again.
            if error.error != "resource_already_exists_exception":
                raise
        return index

    def _alias_exists(self) -> bool:
        return bool(self._client.indices.exists_alias(name=self.alias))

    def _refresh(self) -> None:
        # One explicit refresh per call makes the batch searchable as soon as index() returns.
        # Batches are hundreds of documents, so its cost is spread thin; refresh="wait_for" would
        # instead stall every batch until the next periodic refresh (up to a second).
        self._client.indices.refresh(index=self.alias)

    def _action(self, d: IndexedDocument) -> dict:
        source = {
            "id": d.id,
            "title": d.title,
            "abstract": d.abstract,
            "corpus": d.corpus,
            "taxonomy_id": d.taxonomy_id,
            "external_id": d.external_id,
            "node_codes": d.node_codes,
            "accepted_codes": d.accepted_codes,
            "leaf_codes": d.leaf_codes,
        }
        if d.vector is not None:
            source["vector"] = d.vector
        # external_gte: a write with a lower version is refused (409), one with the same version
        # (the same stored state, e.g. reindexed after reclassification) replaces it.
        return {
            "_index": self.alias,
            "_id": d.id,
            "version": d.version,
            "version_type": "external_gte",
            "_source": source,
        }


def _filters(query: SearchQuery) -> list[dict]:
    """Filter clauses: every listed node (AND), the corpus and the taxonomy."""
    filters: list[dict] = [{"term": {_codes_field(query): code}} for code in query.nodes]
    if query.corpus is not None:
        filters.append({"term": {"corpus": query.corpus}})
    if query.taxonomy_id is not None:
        filters.append({"term": {"taxonomy_id": query.taxonomy_id}})
    return filters


def _codes_field(query: SearchQuery) -> str:
    """The field node filters and facets read: accepted subjects, or suggested ones too."""
    return "node_codes" if query.suggested else "accepted_codes"


def _hit(hit: dict, score: float) -> Hit:
    source = hit["_source"]
    fragments = hit.get("highlight", {}).get("abstract")
    snippet = (
        fragments[0]
        if fragments
        else html.escape(textwrap.shorten(source["abstract"], SNIPPET_CHARS, placeholder=" …"))
    )
    leaf_codes, accepted = source.get("leaf_codes", []), set(source.get("accepted_codes", []))
    return Hit(
        id=int(hit["_id"]),
        title=source["title"],
        snippet=snippet,
        score=score,
        leaf_codes=leaf_codes,
        accepted_codes=[code for code in leaf_codes if code in accepted],
    )
