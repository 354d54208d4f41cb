"""The review queue as the web shows it: waiting documents with their subjects, the nodes a librarian
can choose from, and where to go back after an action."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from classifier.explanations import Explanation, explain
from classifier.zeroshot import label_path
from library.models import Document
from library.queries import PathStep, Subject, subjects_of
from library.queue import ReviewQueue
from library.usefulness import Why
from taxonomy.tree import Tree


@dataclass(frozen=True)
class QueueEntry:
    """A document in the queue with the subjects the model chose for it, best first, and why it
    comes where it does (None: the longest waiting first)."""

    document: Document
    subjects: list[Subject]
    why: Why | None


@dataclass(frozen=True)
class ExplainedSubject:
    subject: Subject
    explanation: Explanation | None


def queue_entries(documents: Iterable[Document], queue: ReviewQueue | None) -> list[QueueEntry]:
    """Each document of a page of the queue with its chosen (not implied) subjects and why it
    comes there, in two queries for the page."""
    documents = list(documents)
    subjects = subjects_of(d.pk for d in documents)
    why = queue.why(documents, subjects) if queue else {}
    return [QueueEntry(d, [s for s in subjects[d.pk] if s.is_leaf], why.get(d.pk)) for d in documents]


def node_choices(taxonomy_ids: Iterable[int]) -> dict[int, list[PathStep]]:
    """Per taxonomy, every node's code with its label in context, for the correction form's list."""
    choices = {}
    for taxonomy_id in set(taxonomy_ids):
        tree = Tree.from_taxonomy(taxonomy_id)
        steps = (PathStep(code, label_path(tree, code)) for code in tree.parents)
        choices[taxonomy_id] = sorted(steps, key=lambda step: step.label)
    return choices


def explained_subjects(document: Document, subjects: list[Subject]) -> list[ExplainedSubject]:
    """The subjects, each with the evidence for it under the active model."""
    explanations = {e.code: e for e in explain(document, [s.code for s in subjects])}
    return [ExplainedSubject(s, explanations.get(s.code)) for s in subjects]


def back_url(request: HttpRequest) -> str:
    """The page a review form came from (its ``next`` field), if it is on this site; else the queue."""
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else reverse("web:review")
