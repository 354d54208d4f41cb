"""Retraining from the UI: a taxonomy's next model, trained on a worker from the active model's
training files and every corpus's librarian decisions, registered beside the active one for a
curator to compare and switch on."""

import time
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from classifier import versions
from classifier.training.pipeline import NoLabelledDocuments
from jobs.models import TrainingJob
from jobs.pipeline import queue_task
from jobs.training import source_of, train_and_register
from library.audit import Actor, acting, record
from library.models import Corpus, Decision
from taxonomy.models import Taxonomy

OPEN = (TrainingJob.State.QUEUED, TrainingJob.State.RUNNING)
PROGRESS_EVERY_S = 2.0  # how often a running job writes its last step


class TrainingRunning(Exception):
    """The taxonomy has a training job on its way already; ``job`` is it."""

    def __init__(self, job: TrainingJob) -> None:
        super().__init__(f"{job.taxonomy} is being trained already: training {job.pk}")
        self.job = job


def retraining_sources(taxonomy: Taxonomy) -> list[str]:
    """What the next model learns from: the active model's training files still on disk, and each
    corpus of the taxonomy (the decisions of its librarians and curators)."""
    active = versions.active_model(taxonomy)
    trained_on = active.trained_on.split(" + ") if active and active.trained_on else []
    files = [part for part in trained_on if not part.startswith("corpus:") and Path(part).is_file()]
    corpora = Corpus.objects.filter(taxonomy=taxonomy).order_by("name").values_list("name", flat=True)
    return files + [f"corpus:{name}" for name in corpora]


def start_retraining(taxonomy: Taxonomy, by: Actor = None) -> TrainingJob:
    """Queue the taxonomy's next model (one at a time: TrainingRunning), recorded in the audit trail."""
    with transaction.atomic():
        Taxonomy.objects.select_for_update().filter(pk=taxonomy.pk).exists()
        running = TrainingJob.objects.filter(taxonomy=taxonomy, state__in=OPEN).first()
        if running is not None:
            raise TrainingRunning(running)
        sources = retraining_sources(taxonomy)
        job = TrainingJob.objects.create(taxonomy=taxonomy, created_by=acting(by), sources=sources)
        record(Decision.Action.TRAIN, by, detail=f"training {job.pk} of {taxonomy} from {', '.join(sources)}")
        transaction.on_commit(lambda: queue_task("jobs.train", job.pk))
    return job


def run_training(job: TrainingJob) -> None:
    """Train and register the job's model, writing its progress; a failure ends the job saying why."""
    if not TrainingJob.objects.filter(pk=job.pk, state=TrainingJob.State.QUEUED).update(
        state=TrainingJob.State.RUNNING, started=timezone.now()
    ):
        return  # taken already, or over
    last = [0.0]

    def progress(message: str) -> None:
        if time.monotonic() - last[0] >= PROGRESS_EVERY_S:
            TrainingJob.objects.filter(pk=job.pk).update(progress=message[:500])
            last[0] = time.monotonic()

    try:
        sources = [source_of(job.taxonomy, name) for name in job.sources]
        model = train_and_register(job.taxonomy, sources, progress=progress)
    except (NoLabelledDocuments, ValueError) as error:
        TrainingJob.objects.filter(pk=job.pk).update(
            state=TrainingJob.State.FAILED, message=str(error), finished=timezone.now()
        )
        return
    TrainingJob.objects.filter(pk=job.pk).update(
        state=TrainingJob.State.DONE,
        model=model,
        progress=f"registered {model.version}",
        finished=timezone.now(),
    )
