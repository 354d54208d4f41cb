"""A search engine that needs no server: SQLite FTS5 with BM25, snippets, facets and vectors."""

import html
import json
import os
import sqlite3
import textwrap
import threading
import time
from bisect import bisect_left
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from search.backends.base import SearchBackend
from search.errors import OutdatedIndex
from search.limits import query_words
from search.types import Hit, IndexedDocument, SearchQuery, SearchResult

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    corpus TEXT NOT NULL,
    taxonomy_id INTEGER NOT NULL,
    external_id TEXT NOT NULL,
    leaf_codes TEXT NOT NULL,
    accepted_leaf_codes TEXT NOT NULL,
    version INTEGER NOT NULL,
    vector BLOB
);
CREATE TABLE IF NOT EXISTS document_nodes (
    code TEXT NOT NULL,
    document_id INTEGER NOT NULL,
    accepted INTEGER NOT NULL,
    PRIMARY KEY (code, document_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS document_nodes_by_document ON document_nodes (document_id);
CREATE VIRTUAL TABLE IF NOT EXISTS documents_text USING fts5(
    title, abstract, tokenize = 'porter unicode61 remove_diacritics 2'
);
"""
TABLES = ("documents", "document_nodes", "documents_text")

TITLE_WEIGHT, ABSTRACT_WEIGHT = 3.0, 1.0
# Snippets are marked with control characters that stored text never holds, then escaped, and
# only then the marks become <mark> tags: the one piece of raw HTML in a snippet.
OPEN, CLOSE = "\x02", "\x03"
SCORE = f"-bm25(documents_text, {TITLE_WEIGHT}, {ABSTRACT_WEIGHT})"  # higher is better
SNIPPET_WORDS = 32
SNIPPET_LEAD = 4  # words shown before the first match of a snippet
PREFIX_CHARS = 200
MIN_PREFIX_TERM = 3
BUSY_TIMEOUT_S = 30.0
SIMILAR_CHUNK = 4096  # vectors a similarity search reads and scores at a time


class EmbeddedBackend(SearchBackend):
    """Documents in one SQLite file (apart from Django's), safe for several writing processes."""

    name = "embedded"

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._local = threading.local()

    def _index(self, documents: list[IndexedDocument]) -> int:
        accepted = 0
        with self._transaction() as db:
            for d in documents:
                stored = db.execute("SELECT version FROM documents WHERE id = ?", (d.id,)).fetchone()
                if stored and stored[0] > d.version:
                    continue
                _remove(db, [d.id])
                _insert(db, d)
                accepted += 1
        return accepted

    def _delete(self, document_ids: list[int]) -> None:
        with self._transaction() as db:
            _remove(db, document_ids)

    def _search(self, query: SearchQuery, after: tuple | None) -> SearchResult:
        match = match_expression(query.text)
        if match == "":
            return SearchResult(total=0, hits=[], facets={})
        clauses, params = _filters(query)
        if match is not None:
            clauses, params = ["documents_text MATCH ?", *clauses], [match, *params]
        joined = "FROM documents d JOIN documents_text ON documents_text.rowid = d.id"
        matches = f"{joined} {_where(clauses)}"
        later, later_params = _after(match, after)
        offset = 0 if after else (query.page - 1) * query.size
        with self._transaction("BEGIN") as db:
            total = db.execute(f"SELECT count(*) {matches}", params).fetchone()[0]
            facets = db.execute(
                f"SELECT code, count(*) FROM document_nodes WHERE document_id IN (SELECT d.id {matches})"
                f"{_counted(query)} GROUP BY code",
                params,
            ).fetchall()
            rows = db.execute(
                _page_sql(match, f"{joined} {_where([*clauses, *later])}"),
                [*params, *later_params, query.size, offset],
            ).fetchall()
            marked = {} if match is None else _highlighted(db, match, [row[0] for row in rows])
        hits = [
            _hit(i, title, _snippet(marked[i]) if match else _prefix(text), score, *codes)
            for i, title, text, score, *codes in rows
        ]
        return SearchResult(total=total, hits=hits, facets=dict(facets))

    def _similar(self, vector: list[float], k: int, query: SearchQuery) -> list[Hit]:
        clauses, params = _filters(query)
        target = np.asarray(vector, dtype=np.float32)
        with self._transaction("BEGIN") as db:
            rows = db.execute(
                f"SELECT d.id, d.vector FROM documents d {_where([*clauses, 'length(d.vector) = ?'])}",
                [*params, target.nbytes],
            )
            best = _nearest(rows, target, k)
            if not best:
                return []
            texts = {
                row[0]: row[1:]
                for row in db.execute(
                    "SELECT d.id, t.title, t.abstract, d.leaf_codes, d.accepted_leaf_codes FROM documents d"
                    f" JOIN documents_text t ON t.rowid = d.id WHERE d.id IN ({','.join('?' * len(best))})",
                    [i for i, _ in best],
                )
            }
        return [_hit(i, texts[i][0], _prefix(texts[i][1]), score, *texts[i][2:]) for i, score in best]

    def _count(self) -> int:
        return self._connection().execute("SELECT count(*) FROM documents").fetchone()[0]

    def _reset(self) -> None:
        """Drop the tables and make them again, so that a file of an older schema gets this one."""
        with self._transaction(check_schema=False) as db:
            for table in TABLES:
                db.execute(f"DROP TABLE IF EXISTS {table}")
            for statement in SCHEMA.split(";"):
                db.execute(statement)

    def _connection(self, check_schema: bool = True) -> sqlite3.Connection:
        """This thread's connection (a fresh one after a fork), with the schema in place;
        ``OutdatedIndex`` while the file holds an older schema (unless ``check_schema`` is false)."""
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            _switch_to_wal(db)
            db.execute("PRAGMA synchronous = NORMAL")
            db.executescript(f"BEGIN IMMEDIATE; {SCHEMA} COMMIT;")
            local.db, local.pid, local.current = db, os.getpid(), False
        if check_schema and not local.current:  # checked until it holds: another process may reindex
            local.current = _has_current_schema(local.db)
            if not local.current:
                raise OutdatedIndex(f"{self.path} holds an older index: rebuild it (manage.py reindex)")
        return local.db

    @contextmanager
    def _transaction(
        self, begin: str = "BEGIN IMMEDIATE", check_schema: bool = True
    ) -> Iterator[sqlite3.Connection]:
        """A transaction on this thread's connection.

        Writers take the lock up front ("BEGIN IMMEDIATE"), so concurrent writers wait for each
        other instead of failing; readers ("BEGIN") see one snapshot across their statements.
        """
        db = self._connection(check_schema)
        db.execute(begin)
        try:
            yield db
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise


def _nearest(rows: sqlite3.Cursor, target: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The ``k`` (id, cosine) of ``rows`` (id, vector) nearest to ``target``, best first (ties in the
    order read), read ``SIMILAR_CHUNK`` at a time: memory stays flat however large the index."""
    ids, scores = np.zeros(0, np.int64), np.zeros(0, np.float32)
    while chunk := rows.fetchmany(SIMILAR_CHUNK):
        matrix = np.frombuffer(b"".join(blob for _, blob in chunk), np.float32).reshape(len(chunk), -1)
        norms = np.linalg.norm(matrix, axis=1) * np.linalg.norm(target)
        ids = np.r_[ids, [i for i, _ in chunk]]
        scores = np.r_[scores, matrix @ target / np.where(norms == 0, 1, norms)]
        best = np.argsort(-scores, kind="stable")[:k]
        ids, scores = ids[best], scores[best]
    return list(zip(ids.tolist(), scores.tolist(), strict=True))


def _has_current_schema(db: sqlite3.Connection) -> bool:
    """Whether the index tables have every column of SCHEMA (a file indexed by an older Shelfmark has not)."""
    return "accepted" in {row[1] for row in db.execute("PRAGMA table_info(document_nodes)")}


def _switch_to_wal(db: sqlite3.Connection) -> None:
    """Put the file in WAL mode once; the switch ignores the busy timeout, so retry it while locked."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        try:
            db.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def match_expression(text: str) -> str | None:
    """An FTS5 query for user text that never fails to parse: every word a quoted term, all ANDed.

    None means "no text, match everything"; "" means the text holds no word, so nothing matches.
    A repeated word is looked up once. The last word also matches as a prefix, so "neur" finds "neural".
    """
    if not text.strip():
        return None
    words = query_words(text)
    terms = [f'"{w}"' for w in words]
    if terms and len(words[-1]) >= MIN_PREFIX_TERM:
        terms[-1] += "*"
    return " ".join(terms)


def _filters(query: SearchQuery) -> tuple[list[str], list]:
    """SQL conditions on ``documents d`` for the query's nodes (all of them: accepted subjects, or
    suggested ones too), corpus and taxonomy."""
    node = f"d.id IN (SELECT document_id FROM document_nodes WHERE code = ?{_counted(query)})"
    clauses = [node] * len(query.nodes)
    params: list = list(query.nodes)
    if query.corpus is not None:
        clauses.append("d.corpus = ?")
        params.append(query.corpus)
    if query.taxonomy_id is not None:
        clauses.append("d.taxonomy_id = ?")
        params.append(query.taxonomy_id)
    return clauses, params


def _counted(query: SearchQuery) -> str:
    """The condition on ``document_nodes`` that keeps the subjects a query counts: accepted ones,
    or (``suggested``) every one."""
    return "" if query.suggested else " AND accepted"


def _page_sql(match: str | None, rows: str) -> str:
    """One page of hits: by BM25 then id, or (no text) by id, with the start of the abstract."""
    columns = f"documents_text.title, substr(documents_text.abstract, 1, {2 * PREFIX_CHARS})"
    if match is None:
        columns, order = f"{columns}, 0.0", "d.id"
    else:
        columns, order = f"{columns}, {SCORE} AS score", "score DESC, d.id"
    return f"SELECT d.id, {columns}, d.leaf_codes, d.accepted_leaf_codes {rows} ORDER BY {order} LIMIT ? OFFSET ?"


def _after(match: str | None, after: tuple | None) -> tuple[list[str], list]:
    """The SQL condition that keeps the hits sorted after the sort values ``after`` (a cursor's)."""
    if after is None:
        return [], []
    if match is None:
        return ["d.id > ?"], [after[0]]
    score, last = after
    return [f"({SCORE} < ? OR ({SCORE} = ? AND d.id > ?))"], [score, score, last]


def _highlighted(db: sqlite3.Connection, match: str, ids: list[int]) -> dict[int, str]:
    """The abstracts of the page's hits with every match between OPEN and CLOSE.

    FTS5's own snippet() scores every window against every match, which grows with the square
    of the matches in a document; highlight() is one pass, and ``_snippet`` picks the window.
    """
    if not ids:
        return {}
    rows = db.execute(
        f"SELECT rowid, highlight(documents_text, 1, '{OPEN}', '{CLOSE}') FROM documents_text"
        f" WHERE documents_text MATCH ? AND rowid IN ({','.join('?' * len(ids))})",
        [match, *ids],
    )
    return dict(rows.fetchall())


def _snippet(marked: str) -> str:
    """``SNIPPET_WORDS`` words of a highlighted abstract where its matches are densest, escaped,
    with ``<mark>`` around the matches and "…" where text is left out."""
    words = marked.split()
    found = [i for i, word in enumerate(words) if OPEN in word]

    def matches_from(start: int) -> tuple[int, int]:
        return bisect_left(found, start + SNIPPET_WORDS) - bisect_left(found, start), -start

    start = max((max(0, i - SNIPPET_LEAD) for i in found), key=matches_from, default=0)
    end = start + SNIPPET_WORDS
    text = _balanced(" ".join(words[start:end]))
    return _marked(f"{'… ' if start else ''}{text}{' …' if end < len(words) else ''}")


def _balanced(text: str) -> str:
    """The text with a match the window cut in two marked on both sides of the cut."""
    if text.rfind(OPEN) > text.rfind(CLOSE):
        text += CLOSE
    first_close = text.find(CLOSE)
    if first_close != -1 and not -1 < text.find(OPEN) < first_close:
        text = OPEN + text
    return text


def _where(clauses: list[str]) -> str:
    return f"WHERE {' AND '.join(clauses)}" if clauses else ""


def _insert(db: sqlite3.Connection, d: IndexedDocument) -> None:
    vector = None if d.vector is None else np.asarray(d.vector, dtype=np.float32).tobytes()
    accepted = set(d.accepted_codes)
    db.execute(
        "INSERT INTO documents (id, corpus, taxonomy_id, external_id, leaf_codes, accepted_leaf_codes, version,"
        " vector) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            d.id,
            d.corpus,
            d.taxonomy_id,
            d.external_id,
            json.dumps(d.leaf_codes),
            json.dumps([c for c in d.leaf_codes if c in accepted]),
            d.version,
            vector,
        ),
    )
    db.executemany(
        "INSERT INTO document_nodes (code, document_id, accepted) VALUES (?, ?, ?)",
        [(c, d.id, c in accepted) for c in set(d.node_codes) | accepted],
    )
    db.execute(
        "INSERT INTO documents_text (rowid, title, abstract) VALUES (?, ?, ?)",
        (d.id, _clean(d.title), _clean(d.abstract)),
    )


def _remove(db: sqlite3.Connection, document_ids: list[int]) -> None:
    rows = [(i,) for i in document_ids]
    db.executemany("DELETE FROM documents WHERE id = ?", rows)
    db.executemany("DELETE FROM document_nodes WHERE document_id = ?", rows)
    db.executemany("DELETE FROM documents_text WHERE rowid = ?", rows)


def _clean(text: str) -> str:
    return text.replace(OPEN, " ").replace(CLOSE, " ")


def _marked(snippet: str) -> str:
    return html.escape(snippet).replace(OPEN, "<mark>").replace(CLOSE, "</mark>")


def _prefix(abstract: str) -> str:
    return html.escape(textwrap.shorten(abstract, PREFIX_CHARS, placeholder=" …"))


def _hit(document_id: int, title: str, snippet: str, score: float, leaf_codes: str, accepted: str) -> Hit:
    return Hit(
        id=document_id,
        title=title,
        snippet=snippet,
        score=score,
        leaf_codes=json.loads(leaf_codes),
        accepted_codes=json.loads(accepted),
    )
