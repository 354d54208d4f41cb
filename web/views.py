"""Pages for librarians: each view reads the request, calls a query, an action or search, renders."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import Role
from classifier import review as review_actions
from jobs.errors import UploadError
from jobs.models import IngestJob
from jobs.reclassify import ReclassificationRunning, model_of, start_reclassify
from jobs.uploads import ingest_upload
from library.audit import decisions_on
from library.models import Classification, Corpus, Document
from library.queries import (
    counted_tree,
    document_subjects,
    documents_with_subject,
    documents_without_subject,
    node_summary,
)
from library.queue import review_queue, waiting_suggestions
from taxonomy.models import Node, Taxonomy
from web.access import role_required
from web.forms import BrowseForm, CorrectionForm, ReviewFilterForm, SearchForm, UploadForm
from web.jobs import job_progress, recent_failures
from web.model_facts import classifying_models, models_of
from web.overview import corpora_with_counts, recent_jobs, taxonomies_with_counts
from web.reliability import reliability_chart
from web.reviewing import back_url, explained_subjects, node_choices, queue_entries
from web.searching import search_documents, similar_documents

NODE_PAGE_SIZE = 20
REVIEW_PAGE_SIZE = 10
SIMILAR_DOCUMENTS = 8
DECISIONS_SHOWN = 50


def _home(request: HttpRequest, form: UploadForm, status: int = 200) -> HttpResponse:
    taxonomies = taxonomies_with_counts()
    context = {
        "taxonomies": taxonomies,
        "models": classifying_models(taxonomies),
        "corpora": corpora_with_counts(),
        "jobs": recent_jobs(),
        "form": form,
    }
    return render(request, "web/home.html", context, status=status)


@require_GET
@role_required(Role.READER)
def home(request: HttpRequest) -> HttpResponse:
    """Taxonomies, corpora, recent jobs and the upload form."""
    return _home(request, UploadForm())


@require_POST
@role_required(Role.LIBRARIAN)
def upload(request: HttpRequest) -> HttpResponse:
    """Start an ingest job from the upload form, then show its progress."""
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        file, data = form.cleaned_data["file"], form.cleaned_data
        try:
            job = ingest_upload(file.chunks(), file.name, data["corpus"], data["taxonomy"], by=request.user)
        except UploadError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return redirect("web:job", pk=job.pk)
    return _home(request, form, status=400)


@require_GET
@role_required(Role.LIBRARIAN)
def job(request: HttpRequest, pk: int) -> HttpResponse:
    """A job's live progress (the page polls the API) and its failures."""
    job = get_object_or_404(IngestJob.objects.select_related("corpus", "reclassification"), pk=pk)
    context = {
        "job": job,
        "model_version": model_of(job),
        "progress": job_progress(job),
        "failures": recent_failures(job),
    }
    return render(request, "web/job.html", context)


@require_POST
@role_required(Role.LIBRARIAN)
def reclassify_corpus(request: HttpRequest, pk: int) -> HttpResponse:
    """Classify a corpus again with its taxonomy's active model, then show the job's progress."""
    corpus = get_object_or_404(Corpus.objects.select_related("taxonomy"), pk=pk)
    try:
        with transaction.atomic():
            job = start_reclassify(corpus, by=request.user)
    except ReclassificationRunning as error:
        messages.info(request, f"{corpus.name} is being reclassified already.")
        job = error.job
    return redirect("web:job", pk=job.pk)


@require_GET
@role_required(Role.READER)
def taxonomy(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole taxonomy as a collapsible tree with document counts: of accepted subjects, or
    suggestions too (``?suggested=1``)."""
    taxonomy = get_object_or_404(Taxonomy, pk=pk)
    suggested = BrowseForm(request.GET).include_suggestions()
    roots = counted_tree(taxonomy, suggested=suggested)
    return render(
        request, "web/taxonomy.html", {"taxonomy": taxonomy, "roots": roots, "suggested": suggested}
    )


@require_GET
@role_required(Role.READER)
def reliability(request: HttpRequest, pk: int) -> HttpResponse:
    """The reliability curve of the taxonomy's active model, drawn from the bins stored with its
    validation figures (inline SVG: a few points, no plotting in the request)."""
    taxonomy = get_object_or_404(Taxonomy, pk=pk)
    facts = classifying_models([taxonomy])[0].facts
    chart = (
        reliability_chart(facts.figures.reliability) if facts.figures and facts.figures.reliability else None
    )
    return render(request, "web/reliability.html", {"taxonomy": taxonomy, "facts": facts, "chart": chart})


@require_GET
@role_required(Role.READER)
def node(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """One subject: where it sits, its children, and the documents under it (accepted there, or
    suggested too with ``?suggested=1``)."""
    node = get_object_or_404(Node.objects.select_related("taxonomy"), taxonomy_id=pk, code=code)
    suggested = BrowseForm(request.GET).include_suggestions()
    documents = Paginator(documents_with_subject(node, suggested), NODE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "node": node,
        "summary": node_summary(node, suggested),
        "documents": documents,
        "suggested": suggested,
    }
    return render(request, "web/node.html", context)


@require_GET
@role_required(Role.READER)
def search(request: HttpRequest) -> HttpResponse:
    """Full-text search with a facet tree; facets add node filters, filters can be removed."""
    form = SearchForm(request.GET)
    result = search_documents(form.to_query()) if form.is_valid() else None
    context = {"form": form, "result": result, "corpora": corpora_with_counts()}
    return render(request, "web/search.html", context, status=200 if result else 400)


@require_GET
@role_required(Role.READER)
def document(request: HttpRequest, pk: int) -> HttpResponse:
    """A document with its subjects, the evidence for each, and the documents nearest to it."""
    document = get_object_or_404(Document.objects.select_related("corpus__taxonomy", "assessment"), pk=pk)
    subjects = document_subjects(document)
    context = {
        "document": document,
        "leaf_subjects": explained_subjects(document, [s for s in subjects if s.is_leaf]),
        "broader_subjects": [s for s in subjects if not s.is_leaf],
        "models": models_of(s.model_version for s in subjects if s.model_version),
        "similar": similar_documents(document, SIMILAR_DOCUMENTS),
        "choices": node_choices([document.corpus.taxonomy_id]),
        "decisions": decisions_on(document.pk)[:DECISIONS_SHOWN],
    }
    return render(request, "web/document.html", context)


@require_GET
@role_required(Role.LIBRARIAN)
def review(request: HttpRequest) -> HttpResponse:
    """Documents whose subjects await review, the most useful decision first (or the longest
    waiting), to accept, reject or correct; with a filter's subject, to accept its suggestions."""
    form = ReviewFilterForm(request.GET)
    filters = form.filters() if form.is_valid() else None
    queue = review_queue(filters, form.queue_order()) if filters else None
    documents = queue.documents if queue else Document.objects.none()
    page = Paginator(documents, REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    entries = queue_entries(page, queue)
    context = {
        "tab": "review",
        "form": form,
        "corpora": corpora_with_counts(),
        "page": page,
        "entries": entries,
        "bulk_count": waiting_suggestions(filters).count() if filters and filters.node else 0,
        "filter_text": filters.describe() if filters else "",
        "choices": node_choices(entry.document.corpus.taxonomy_id for entry in entries),
    }
    return render(request, "web/review.html", context, status=200 if form.is_valid() else 400)


@require_GET
@role_required(Role.LIBRARIAN)
def review_unplaced(request: HttpRequest) -> HttpResponse:
    """Documents without any subject: the model could not place them, or every subject was rejected."""
    form = ReviewFilterForm(request.GET)
    if form.is_valid():
        filters = form.filters()
        documents = documents_without_subject(filters.corpus, filters.taxonomy)
    else:
        documents = Document.objects.none()
    page = Paginator(documents, REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "tab": "unplaced",
        "form": form,
        "corpora": corpora_with_counts(),
        "page": page,
        "choices": node_choices(document.corpus.taxonomy_id for document in page),
    }
    return render(request, "web/review_unplaced.html", context, status=200 if form.is_valid() else 400)


def _classification(pk: int) -> Classification:
    return get_object_or_404(Classification.objects.select_related("node", "document"), pk=pk)


@require_POST
@role_required(Role.LIBRARIAN)
def accept_subject(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept one subject (and the broader ones it implies), then go back."""
    classification = _classification(pk)
    review_actions.accept(classification, by=request.user)
    messages.success(request, f"Accepted {classification.node.label} for “{classification.document}”.")
    return redirect(back_url(request))


@require_POST
@role_required(Role.LIBRARIAN)
def reject_subject(request: HttpRequest, pk: int) -> HttpResponse:
    """Reject one subject (and those below it), then go back."""
    classification = _classification(pk)
    review_actions.reject(classification, by=request.user)
    messages.success(request, f"Rejected {classification.node.label} for “{classification.document}”.")
    return redirect(back_url(request))


@require_POST
@role_required(Role.LIBRARIAN)
def accept_document(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept every subject of the document that awaits review, then go back."""
    document = get_object_or_404(Document, pk=pk)
    count = review_actions.accept_all(document, by=request.user)
    messages.success(request, f"Accepted {count} subject{'s' if count != 1 else ''} for “{document}”.")
    return redirect(back_url(request))


@require_POST
@role_required(Role.LIBRARIAN)
def correct_document(request: HttpRequest, pk: int) -> HttpResponse:
    """Give the document the subject a librarian typed or picked, then go back."""
    document = get_object_or_404(Document.objects.select_related("corpus"), pk=pk)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a subject code to add.")
        return redirect(back_url(request))
    try:
        added = review_actions.correct(document, form.cleaned_data["node"], by=request.user)
    except review_actions.UnknownSubject as error:
        messages.error(request, f"“{error.code}” is not a subject of {document.corpus.taxonomy}.")
    else:
        messages.success(request, f"Added {added.node.label} to “{document}”.")
    return redirect(back_url(request))
