"""The librarians' review of the model's subjects: accept, reject, correct.

Each action is one change in one transaction. Stored subjects keep the model's convention (a
subject comes with every ancestor, so counts and facets add up), the document's ``updated``
grows so that the index version does too, and the document is re-indexed after commit. The
index task is addressed by name, so the classifier does not import search. The document's row is
locked first, so a decision and a classification of the same document take turns. Decisions outlive
reclassification (``classifier.decisions``): an accepted subject is marked reviewed and stays as
it is; a rejected one is recorded and not proposed again. Every decision names who made it
(``by``: None for a command) in the subject's row and in the audit trail (``library.audit``).
"""

from collections import defaultdict

from celery import signature
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from classifier import decisions
from library.actions import lock_documents
from library.audit import Actor, acting, record
from library.models import Classification, Decision, Document
from taxonomy.models import Node
from taxonomy.tree import Tree

INDEX_TASK = "search.index_documents"


class UnknownSubject(Exception):
    """A node code that the document's taxonomy does not have."""

    def __init__(self, code: str) -> None:
        super().__init__(f"no subject {code!r} in this taxonomy")
        self.code = code


class CountChanged(Exception):
    """A bulk accept found another number of suggestions than the librarian confirmed."""

    def __init__(self, expected: int, found: int) -> None:
        super().__init__(f"{found} suggestions wait now, not {expected}")
        self.expected, self.found = expected, found


def _changed(*document_ids: int) -> None:
    """Bump the documents' version and queue their re-indexing once the change is committed."""
    ids = list(document_ids)
    Document.objects.filter(pk__in=ids).update(updated=timezone.now())
    transaction.on_commit(lambda: signature(INDEX_TASK, args=(ids,), queue="index").delay())


def _audit(action: Decision.Action, by: Actor, document_id: int, subject: str = "", detail: str = "") -> None:
    corpus = Document.objects.filter(pk=document_id).values_list("corpus__name", flat=True).first() or ""
    record(action, by, document_id=document_id, corpus=corpus, subject=subject, detail=detail)


@transaction.atomic
def accept(classification: Classification, by: Actor = None) -> None:
    """Confirm a subject; the subjects above it, which it implies, are confirmed with it."""
    lock_documents([classification.document_id])
    tree = Tree.from_taxonomy(classification.node.taxonomy_id)
    code = classification.node.code
    _mark_reviewed(
        classification.document_id, classification.node.taxonomy_id, {code} | tree.ancestors(code), by
    )
    _audit(Decision.Action.ACCEPT, by, classification.document_id, code, classification.model_version)
    _changed(classification.document_id)


@transaction.atomic
def accept_all(document: Document, by: Actor = None) -> int:
    """Confirm every subject of the document that awaits review; returns how many."""
    lock_documents([document.pk])
    waiting = Classification.objects.filter(document=document, status=Classification.Status.REVIEW)
    nodes = list(waiting.values_list("node__taxonomy_id", "node__code"))
    if nodes:
        taxonomy_id = nodes[0][0]
        codes = Tree.from_taxonomy(taxonomy_id).closure(c for _, c in nodes)
        _mark_reviewed(document.pk, taxonomy_id, codes, by)
        _audit(Decision.Action.ACCEPT, by, document.pk, ", ".join(sorted(c for _, c in nodes)))
    _changed(document.pk)
    return len(nodes)


@transaction.atomic
def accept_suggestions(
    suggestions: QuerySet[Classification], expected: int, by: Actor = None, note: str = ""
) -> int:
    """Confirm the waiting suggestions a queue filter picks (``library.queue.waiting_suggestions``),
    each with the subjects above it, if they are still the ``expected`` many a librarian confirmed;
    else change nothing and raise ``CountChanged``. Each document's acceptance is recorded on its
    own, with ``note`` (the filter) as detail. Returns how many were accepted."""
    lock_documents(list(suggestions.values_list("document_id", flat=True)))
    rows = list(suggestions.values_list("document_id", "node__taxonomy_id", "node__code"))
    if len(rows) != expected:
        raise CountChanged(expected, len(rows))
    codes: dict[tuple[int, int], list[str]] = defaultdict(list)
    for document_id, taxonomy_id, code in rows:
        codes[document_id, taxonomy_id].append(code)
    trees = {taxonomy_id: Tree.from_taxonomy(taxonomy_id) for _, taxonomy_id in codes}
    for (document_id, taxonomy_id), chosen in codes.items():
        _mark_reviewed(document_id, taxonomy_id, trees[taxonomy_id].closure(chosen), by)
        _audit(Decision.Action.ACCEPT, by, document_id, ", ".join(sorted(chosen)), note)
    if codes:
        _changed(*sorted({document_id for document_id, _ in codes}))
    return len(rows)


def _mark_reviewed(document_id: int, taxonomy_id: int, codes: set[str], by: Actor) -> None:
    """The model's subjects at these codes are accepted by a librarian, and so stay when reclassifying."""
    Classification.objects.filter(
        document_id=document_id,
        node__taxonomy_id=taxonomy_id,
        node__code__in=codes,
        source=Classification.Source.MODEL,
        reviewed__isnull=True,
    ).update(status=Classification.Status.ACCEPTED, reviewed=timezone.now(), decided_by=acting(by))


@transaction.atomic
def reject(classification: Classification, by: Actor = None) -> None:
    """Take a subject off the document, whoever gave it, with the subjects below it; broader
    subjects that no remaining subject implies go too. A document left without any subject
    shows among those that need one (``queries.documents_without_subject``). The model does not
    propose the subject, or any below it, for the document again."""
    lock_documents([classification.document_id])
    document_id, taxonomy_id = classification.document_id, classification.node.taxonomy_id
    tree = Tree.from_taxonomy(taxonomy_id)
    rows = Classification.objects.filter(document_id=document_id, node__taxonomy_id=taxonomy_id)
    code = classification.node.code
    decisions.record_rejection(classification)
    _audit(
        Decision.Action.REJECT, by, document_id, code, classification.model_version or classification.source
    )
    below = {c for c in rows.values_list("node__code", flat=True) if code in tree.ancestors(c)}
    rows.filter(node__code__in={code} | below).delete()
    implied = tree.closure(rows.filter(is_leaf_prediction=True).values_list("node__code", flat=True))
    rows.filter(is_leaf_prediction=False).exclude(node__code__in=implied).delete()
    _changed(document_id)


@transaction.atomic
def correct(document: Document, code: str, by: Actor = None) -> Classification:
    """Give the document a subject a librarian chose, with its ancestors; the librarian's word
    replaces the model's on those nodes, and ends earlier rejections of them. Returns the
    librarian's classification for ``code``."""
    lock_documents([document.pk])
    taxonomy_id = document.corpus.taxonomy_id
    tree = Tree.from_taxonomy(taxonomy_id)
    if code not in tree.parents:
        raise UnknownSubject(code)
    nodes = Node.objects.filter(taxonomy_id=taxonomy_id, code__in={code} | tree.ancestors(code))
    Classification.objects.filter(
        document=document, node__in=nodes, source=Classification.Source.MODEL
    ).delete()
    decisions.forget_rejections(document.pk, [node.pk for node in nodes])
    chosen = set(
        Classification.objects.filter(
            document=document, source=Classification.Source.LIBRARIAN, is_leaf_prediction=True
        ).values_list("node_id", flat=True)
    )
    rows = {
        node.code: Classification.objects.update_or_create(
            document=document,
            node=node,
            source=Classification.Source.LIBRARIAN,
            defaults={
                "score": 1.0,
                "rank": 1,
                "is_leaf_prediction": node.code == code or node.pk in chosen,
                "model_version": "",
                "status": Classification.Status.ACCEPTED,
                "decided_by": acting(by),
            },
        )[0]
        for node in nodes
    }
    _audit(Decision.Action.CORRECT, by, document.pk, code)
    _changed(document.pk)
    return rows[code]
