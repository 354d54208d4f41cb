"""Corpora, their documents, and the jobs that bring documents in."""

from django.db import models

from taxonomy.models import Taxonomy


class Corpus(models.Model):
    name = models.CharField(max_length=200, unique=True)
    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.PROTECT, related_name="corpora")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "corpora"

    def __str__(self) -> str:
        return self.name


class Document(models.Model):
    corpus = models.ForeignKey(Corpus, on_delete=models.CASCADE, related_name="documents")
    external_id = models.CharField(max_length=500)
    title = models.TextField()
    abstract = models.TextField(blank=True)
    full_text = models.TextField(blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    content_hash = models.CharField(max_length=64)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["corpus", "external_id"], name="document_corpus_external_id")
        ]
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class IngestJob(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    corpus = models.ForeignKey(Corpus, on_delete=models.CASCADE, related_name="jobs")
    source_name = models.CharField(max_length=500)
    source_path = models.CharField(max_length=1000)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    message = models.TextField(blank=True)
    parsed_all = models.BooleanField(default=False)
    read = models.PositiveIntegerField(default=0)
    stored = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    classified = models.PositiveIntegerField(default=0)
    indexed = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"job {self.pk} {self.source_name} ({self.state})"


class RecordFailure(models.Model):
    """A record the job could not take, with where it was and why."""

    job = models.ForeignKey(IngestJob, on_delete=models.CASCADE, related_name="failures")
    file = models.CharField(max_length=500)
    line = models.PositiveIntegerField()
    field = models.CharField(max_length=200, blank=True)
    reason = models.TextField()

    class Meta:
        ordering = ["line"]


class IngestBatch(models.Model):
    """A bounded slice of a job's documents on its way through classify and index.

    Progress is counted from batches, so a task that runs twice never counts twice.
    """

    job = models.ForeignKey(IngestJob, on_delete=models.CASCADE, related_name="batches")
    seq = models.PositiveIntegerField()
    document_ids = models.JSONField(default=list)
    size = models.PositiveIntegerField(default=0)
    classified = models.BooleanField(default=False)
    indexed = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "seq"], name="batch_job_seq")]
        ordering = ["job", "seq"]
