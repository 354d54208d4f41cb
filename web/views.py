"""Pages for librarians: each view reads the request, calls a query, an action or search, renders."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from classifier.queries import counted_tree, document_subjects, documents_with_subject, node_summary
from ingest.models import Document, IngestJob
from taxonomy.models import Node, Taxonomy
from web.forms import SearchForm, UploadForm
from web.jobs import job_progress, recent_failures
from web.overview import corpora_with_counts, recent_jobs, taxonomies_with_counts
from web.searching import search_documents, similar_documents
from web.uploads import UploadError, ingest_upload

NODE_PAGE_SIZE = 20
SIMILAR_DOCUMENTS = 8


def _home(request: HttpRequest, form: UploadForm, status: int = 200) -> HttpResponse:
    context = {
        "taxonomies": taxonomies_with_counts(),
        "corpora": corpora_with_counts(),
        "jobs": recent_jobs(),
        "form": form,
    }
    return render(request, "web/home.html", context, status=status)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Taxonomies, corpora, recent jobs and the upload form."""
    return _home(request, UploadForm())


@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    """Start an ingest job from the upload form, then show its progress."""
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        file, data = form.cleaned_data["file"], form.cleaned_data
        try:
            job = ingest_upload(file.chunks(), file.name, data["corpus"], data["taxonomy"])
        except UploadError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return redirect("web:job", pk=job.pk)
    return _home(request, form, status=400)


@require_GET
def job(request: HttpRequest, pk: int) -> HttpResponse:
    """A job's live progress (the page polls the API) and its failures."""
    job = get_object_or_404(IngestJob.objects.select_related("corpus"), pk=pk)
    context = {"job": job, "progress": job_progress(job), "failures": recent_failures(job)}
    return render(request, "web/job.html", context)


@require_GET
def taxonomy(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole taxonomy as a collapsible tree with document counts."""
    taxonomy = get_object_or_404(Taxonomy, pk=pk)
    return render(request, "web/taxonomy.html", {"taxonomy": taxonomy, "roots": counted_tree(taxonomy)})


@require_GET
def node(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """One subject: where it sits, its children, and the documents under it."""
    node = get_object_or_404(Node.objects.select_related("taxonomy"), taxonomy_id=pk, code=code)
    documents = Paginator(documents_with_subject(node), NODE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"node": node, "summary": node_summary(node), "documents": documents}
    return render(request, "web/node.html", context)


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Full-text search with a facet tree; facets add node filters, filters can be removed."""
    form = SearchForm(request.GET)
    result = search_documents(form.to_query()) if form.is_valid() else None
    context = {"form": form, "result": result, "corpora": corpora_with_counts()}
    return render(request, "web/search.html", context, status=200 if result else 400)


@require_GET
def document(request: HttpRequest, pk: int) -> HttpResponse:
    """A document with its predicted subjects and the documents nearest to it."""
    document = get_object_or_404(Document.objects.select_related("corpus__taxonomy"), pk=pk)
    subjects = document_subjects(document)
    context = {
        "document": document,
        "leaf_subjects": [s for s in subjects if s.is_leaf],
        "broader_subjects": [s for s in subjects if not s.is_leaf],
        "model_versions": sorted({s.model_version for s in subjects if s.model_version}),
        "similar": similar_documents(document, SIMILAR_DOCUMENTS),
    }
    return render(request, "web/document.html", context)
