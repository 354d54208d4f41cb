"""Pages that delete: a document, a job's documents, a corpus; each asks first, then does it."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.roles import Role
from jobs.deletion import delete_document, start_corpus_deletion, start_job_documents_deletion
from jobs.models import IngestJob
from library.models import Corpus, Document
from web.access import role_required


def _confirm(request: HttpRequest, what: str, consequence: str, back: str) -> HttpResponse:
    return render(
        request, "web/confirm_delete.html", {"what": what, "consequence": consequence, "back": back}
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.LIBRARIAN)
def document(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete one document, its subjects and its vector; the decisions on it stay in the audit trail."""
    document = get_object_or_404(Document.objects.select_related("corpus"), pk=pk)
    if request.method == "GET":
        consequence = "Its subjects and vector go with it; the decisions taken on it stay in the audit trail."
        return _confirm(
            request, f"the document “{document.title}”", consequence, reverse("web:document", args=[pk])
        )
    delete_document(document, by=request.user)
    messages.success(request, f"Deleted “{document.title}”.")
    return redirect("web:home")


@require_http_methods(["GET", "POST"])
@role_required(Role.LIBRARIAN)
def corpus(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a corpus with all its documents and jobs, on a worker."""
    corpus = get_object_or_404(Corpus, pk=pk)
    if request.method == "GET":
        count = corpus.documents.count()
        consequence = f"Its {count:,} documents and its jobs go with it, in the background."
        return _confirm(request, f"the corpus {corpus.name}", consequence, reverse("web:home"))
    start_corpus_deletion(corpus, by=request.user)
    messages.success(request, f"{corpus.name} is being deleted.")
    return redirect("web:home")


@require_http_methods(["GET", "POST"])
@role_required(Role.LIBRARIAN)
def job_documents(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete the documents a job stored or changed, on a worker."""
    job = get_object_or_404(IngestJob.objects.select_related("corpus"), pk=pk)
    if request.method == "GET":
        consequence = (
            f"The {job.stored:,} documents it stored or changed leave {job.corpus.name}, in the background."
        )
        return _confirm(
            request,
            f"the documents of job {job.pk} ({job.source_name})",
            consequence,
            reverse("web:job", args=[pk]),
        )
    start_job_documents_deletion(job, by=request.user)
    messages.success(request, f"The documents of job {job.pk} are being deleted.")
    return redirect("web:job", pk=job.pk)
