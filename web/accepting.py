"""Accepting a queue filter's suggestions together: a page that names the filter and how many
suggestions it picks, and a confirmation that accepts them only while they are that many."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from accounts.roles import Role
from classifier import review as review_actions
from library.queue import waiting_suggestions
from web.access import role_required
from web.forms import BulkAcceptForm

FILTER_FIELDS = ("corpus", "taxonomy", "node", "min_score", "max_score", "order")


@require_http_methods(["GET", "POST"])
@role_required(Role.LIBRARIAN)
def accept_filtered(request: HttpRequest) -> HttpResponse:
    """GET: how many waiting suggestions a filter with a subject picks, to confirm. POST with that
    count: accept them, each document's recorded on its own; if they are no longer that many,
    accept nothing and ask again with the new count (409)."""
    form = BulkAcceptForm(request.POST if request.method == "POST" else request.GET)
    if form.is_valid() and request.method == "POST" and form.cleaned_data["count"] is None:
        form.add_error("count", "Say how many suggestions you confirm.")
    context = {"form": form, "back": _queue_url(form)}
    if not form.is_valid():
        return render(request, "web/review_accept.html", context, status=400)
    filters, asked = form.filters(), form.cleaned_data["count"]
    if request.method == "POST":
        try:
            accepted = review_actions.accept_suggestions(
                waiting_suggestions(filters),
                asked,
                by=request.user,
                note=f"bulk accept: {filters.describe()}",
            )
        except review_actions.CountChanged:
            context["refused"] = True
        else:
            plural = "s" if accepted != 1 else ""
            messages.success(request, f"Accepted {accepted} suggestion{plural} of {filters.describe()}.")
            return redirect(context["back"])
    suggestions = waiting_suggestions(filters)
    context |= {
        "filter": filters.describe(),
        "count": suggestions.count(),
        "documents": suggestions.values("document_id").distinct().count(),
        "asked": asked,
    }
    return render(request, "web/review_accept.html", context, status=409 if "refused" in context else 200)


def _queue_url(form: BulkAcceptForm) -> str:
    """The review queue under the form's filter."""
    params = {name: form.data[name] for name in FILTER_FIELDS if form.data.get(name) not in (None, "")}
    return reverse("web:review") + ("?" + urlencode(params) if params else "")
