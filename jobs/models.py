"""Jobs that bring documents in or classify them again, their batches on the way, and uploads
arriving in chunks.

The tables keep the names of the app they were first created in (``db_table``), so moving them
here moved no row.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from library.models import Corpus
from taxonomy.models import Taxonomy


class JobState(models.TextChoices):
    """Where an ingest or training job stands."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class IngestJob(models.Model):
    """One input file on its way in. Counters are sums over the job's batches (see ``IngestBatch``)."""

    State = JobState

    corpus = models.ForeignKey(Corpus, on_delete=models.CASCADE, related_name="jobs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="jobs",
        help_text="who started it; empty: a command",
    )
    source_name = models.CharField(max_length=500)
    source_path = models.CharField(max_length=1000)
    format = models.CharField(max_length=20, blank=True, help_text="the format asked for; blank: detected")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    message = models.TextField(blank=True)
    parsed_all = models.BooleanField(default=False)
    read = models.PositiveIntegerField(default=0)
    stored = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0, help_text="records not stored")
    warnings = models.PositiveIntegerField(default=0, help_text="records stored without some of their input")
    classified = models.PositiveIntegerField(default=0)
    indexed = models.PositiveIntegerField(default=0)
    expected = models.PositiveIntegerField(
        null=True, blank=True, help_text="records in the file, once counted"
    )
    processed = models.PositiveIntegerField(default=0, help_text="records whose batch went all the way")
    # Where storing resumes: the file is parsed once into a spool of records; storing pauses while
    # too many batches are on their way, and goes on in a new task (the next turn) at this offset.
    spooled = models.BooleanField(default=False)
    spool_offset = models.PositiveBigIntegerField(default=0, help_text="bytes of the spool stored")
    next_batch = models.PositiveIntegerField(default=0)
    parse_turn = models.PositiveIntegerField(
        default=0, help_text="the one parse task that may go on; others (stale, redelivered) return"
    )
    parse_waiting = models.BooleanField(default=False, help_text="paused until batches get through")
    heartbeat = models.DateTimeField(default=timezone.now, help_text="last sign of parsing")
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "ingest_ingestjob"
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"job {self.pk} {self.source_name} ({self.state})"

    @property
    def elapsed_s(self) -> float | None:
        """Seconds since the job started, up to when it finished."""
        if self.started is None:
            return None
        return max(((self.finished or timezone.now()) - self.started).total_seconds(), 0.0)

    @property
    def throughput(self) -> float | None:
        """Documents indexed per second so far."""
        elapsed = self.elapsed_s
        return self.indexed / elapsed if elapsed else None

    @property
    def eta_s(self) -> float | None:
        """Seconds until every record of the file has gone through, at the rate so far.

        None until the file is parsed and the first batch is through.
        """
        if self.state in (self.State.DONE, self.State.FAILED):
            return 0.0
        elapsed = self.elapsed_s
        if self.expected is None or not elapsed or not self.processed:
            return None
        return max(self.expected - self.processed, 0) * elapsed / self.processed


class RecordFailure(models.Model):
    """A record the job could not take, or took without one of its fields, with where and why."""

    job = models.ForeignKey(IngestJob, on_delete=models.CASCADE, related_name="failures")
    file = models.CharField(max_length=500)
    line = models.PositiveIntegerField()
    field = models.CharField(max_length=200, blank=True)
    reason = models.TextField()
    warning = models.BooleanField(
        default=False, help_text="the record was stored all the same; only this field was not taken"
    )

    class Meta:
        db_table = "ingest_recordfailure"
        ordering = ["line"]


class IngestBatch(models.Model):
    """A bounded slice of a job's documents on its way through classify and index.

    Progress is counted from batches, so a task that runs twice never counts twice.
    """

    job = models.ForeignKey(IngestJob, on_delete=models.CASCADE, related_name="batches")
    seq = models.PositiveIntegerField()
    document_ids = models.JSONField(default=list)
    size = models.PositiveIntegerField(default=0, help_text="documents stored (new or changed)")
    read = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    warnings = models.PositiveIntegerField(default=0)
    classified = models.BooleanField(default=False)
    indexed = models.BooleanField(default=False)
    error = models.TextField(blank=True, help_text="why the batch could not be classified or indexed")
    dispatches = models.PositiveSmallIntegerField(default=1)
    touched = models.DateTimeField(default=timezone.now, help_text="last dispatch or step done")

    class Meta:
        db_table = "ingest_ingestbatch"
        constraints = [models.UniqueConstraint(fields=["job", "seq"], name="batch_job_seq")]
        ordering = ["job", "seq"]


class Upload(models.Model):
    """A file arriving in chunks (a resumable upload); once whole it becomes an ingest job.

    ``offset`` counts the bytes stored durably, in order: the next chunk must start there. The
    bytes wait in ``jobs.resumable.partial_path``; unfinished uploads untouched for
    ``INGEST_UPLOAD_STALE_AFTER_S`` are discarded.
    """

    class State(models.TextChoices):
        RECEIVING = "receiving"
        COMPLETE = "complete", "complete (an ingest job)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    filename = models.CharField(max_length=500, help_text="the file's name, made safe")
    size = models.PositiveBigIntegerField(help_text="bytes declared when the upload was created")
    offset = models.PositiveBigIntegerField(default=0, help_text="bytes received and stored")
    corpus_name = models.CharField(max_length=200)
    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.CASCADE, related_name="uploads")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="uploads"
    )
    format = models.CharField(max_length=20, blank=True, help_text="the format asked for; blank: detected")
    state = models.CharField(max_length=10, choices=State.choices, default=State.RECEIVING)
    job = models.ForeignKey(
        IngestJob, on_delete=models.SET_NULL, null=True, blank=True, related_name="uploads"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(default=timezone.now, help_text="when the last bytes were stored")
    writer = models.UUIDField(null=True, blank=True, help_text="the request writing a chunk now, if any")
    writing_since = models.DateTimeField(null=True, blank=True, help_text="its claim, renewed as it writes")

    class Meta:
        db_table = "ingest_upload"
        ordering = ["-created"]
        indexes = [models.Index(fields=["state", "updated"], name="upload_state_updated")]

    def __str__(self) -> str:
        return f"upload {self.pk} {self.filename} ({self.offset}/{self.size} bytes, {self.state})"


class Reclassification(models.Model):
    """An ingest job that classifies its corpus's stored documents again, with one model, instead of
    bringing a file in; its batches travel the same pipeline and are counted the same way."""

    job = models.OneToOneField(IngestJob, on_delete=models.CASCADE, related_name="reclassification")
    model_version = models.CharField(max_length=200, help_text="a trained model's version, or 'zeroshot'")

    class Meta:
        db_table = "classifier_reclassification"

    def __str__(self) -> str:
        return f"job {self.job_id} with {self.model_version}"


class TrainingJob(models.Model):
    """Training a taxonomy's next model on a worker, from the active model's sources and every
    corpus's librarian decisions; a curator then compares it with the active one and may switch it on."""

    State = JobState

    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.CASCADE, related_name="training_jobs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="training_jobs",
    )
    sources = models.JSONField(default=list, help_text="files and corpus:NAMEs it learns from")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.CharField(max_length=500, blank=True, help_text="the last step it reported")
    message = models.TextField(blank=True, help_text="why it failed")
    model = models.ForeignKey(
        "classifier.ClassifierModel", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"training {self.pk} of {self.taxonomy} ({self.state})"
