"""The curators' page of trained models: each taxonomy's active model and figures, the models
beside it, training the next one on a worker, and switching one on."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import Role
from classifier import versions
from classifier.figures import ValidationFigures
from classifier.models import ClassifierModel
from jobs.models import TrainingJob
from jobs.retraining import OPEN, TrainingRunning, start_retraining
from taxonomy.models import Taxonomy
from web.access import role_required

SHOWN_MODELS = 10  # per taxonomy, newest first
SHOWN_JOBS = 5


@require_GET
@role_required(Role.CURATOR)
def models(request: HttpRequest) -> HttpResponse:
    """Per taxonomy: the active model, the newest others with their validation figures, training jobs."""
    taxonomies = list(Taxonomy.objects.order_by("name", "-created"))
    trained = ClassifierModel.objects.filter(taxonomy__in=taxonomies).order_by("-created")
    jobs = TrainingJob.objects.filter(taxonomy__in=taxonomies).select_related("model", "created_by")
    by_taxonomy = {t.pk: {"taxonomy": t, "models": [], "jobs": []} for t in taxonomies}
    for model in trained:
        if len(by_taxonomy[model.taxonomy_id]["models"]) < SHOWN_MODELS:
            by_taxonomy[model.taxonomy_id]["models"].append((model, ValidationFigures.of(model.metrics)))
    for job in jobs:
        if len(by_taxonomy[job.taxonomy_id]["jobs"]) < SHOWN_JOBS:
            by_taxonomy[job.taxonomy_id]["jobs"].append(job)
    running = jobs.filter(state__in=OPEN).exists()
    return render(request, "web/models.html", {"sections": by_taxonomy.values(), "running": running})


@require_POST
@role_required(Role.CURATOR)
def retrain(request: HttpRequest, pk: int) -> HttpResponse:
    """Train the taxonomy's next model on a worker, from its active model's files and the decisions."""
    taxonomy = get_object_or_404(Taxonomy, pk=pk)
    try:
        job = start_retraining(taxonomy, by=request.user)
    except TrainingRunning as error:
        messages.info(request, f"{taxonomy} is being trained already (training {error.job.pk}).")
    else:
        messages.success(request, f"Training {job.pk} of {taxonomy} is queued; this page follows it.")
    return redirect("web:models")


@require_POST
@role_required(Role.CURATOR)
def activate(request: HttpRequest, pk: int) -> HttpResponse:
    """Switch this model on for its taxonomy (new documents and reclassifications use it)."""
    model = get_object_or_404(ClassifierModel.objects.select_related("taxonomy"), pk=pk)
    versions.activate(model, by=request.user)
    messages.success(request, f"{model.version} now classifies new documents of {model.taxonomy}.")
    return redirect("web:models")
