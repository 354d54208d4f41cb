"""The catalogue: corpora, their documents, the subjects given to them, and what the model made of them.

Every app talks about these; they import nothing but the taxonomy. The tables keep the names of
the apps they were first created in (``db_table``), so moving them here moved no row.
"""

from django.conf import settings
from django.db import models

from taxonomy.models import Taxonomy


class Corpus(models.Model):
    name = models.CharField(max_length=200, unique=True)
    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.PROTECT, related_name="corpora")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "ingest_corpus"
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
        db_table = "ingest_document"
        constraints = [
            models.UniqueConstraint(fields=["corpus", "external_id"], name="document_corpus_external_id")
        ]
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class ScoreKind(models.TextChoices):
    """What a model's score measures: a calibrated probability (shown as a percentage), or a
    similarity that ranks subjects but says nothing of how likely they are (shown as it is)."""

    PROBABILITY = "probability"
    SIMILARITY = "similarity"


class Classification(models.Model):
    """A subject of a document, given by a librarian or proposed by a model."""

    class Source(models.TextChoices):
        MODEL = "model"
        LIBRARIAN = "librarian"

    class Status(models.TextChoices):
        ACCEPTED = "accepted"  # by a librarian, or by the model above the taxonomy's accept threshold
        REVIEW = "review"  # waits in the librarians' review queue

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="classifications")
    node = models.ForeignKey("taxonomy.Node", on_delete=models.CASCADE, related_name="classifications")
    score = models.FloatField()
    score_kind = models.CharField(max_length=12, choices=ScoreKind.choices, default=ScoreKind.PROBABILITY)
    rank = models.PositiveSmallIntegerField(
        help_text="place among the document's subjects: the chosen ones best first, then the broader ones,"
        " each after every subject below it"
    )
    is_leaf_prediction = models.BooleanField(default=True)
    model_version = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MODEL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACCEPTED)
    reviewed = models.DateTimeField(
        null=True,
        blank=True,
        help_text="when a librarian accepted the model's subject; reclassifying keeps it",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="who gave or accepted it; empty: a model, or an input file or command without a user",
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "classifier_classification"
        constraints = [
            models.UniqueConstraint(
                fields=["document", "node", "source"], name="classification_document_node_source"
            )
        ]
        indexes = [models.Index(fields=["node", "source"], name="classifier__node_id_a1df3e_idx")]
        ordering = ["document", "rank", "-score"]


class RejectedSubject(models.Model):
    """A subject a librarian took off a document: no model proposes it, or anything below it, again."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="rejected_subjects")
    node = models.ForeignKey("taxonomy.Node", on_delete=models.CASCADE, related_name="rejections")
    model_version = models.CharField(
        max_length=200, blank=True, help_text="who proposed it; empty: a librarian"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "classifier_rejectedsubject"
        constraints = [
            models.UniqueConstraint(fields=["document", "node"], name="rejected_subject_document_node")
        ]


class DocumentEmbedding(models.Model):
    """The encoder's vector for a document, kept for similarity search and explanations."""

    document = models.OneToOneField(Document, on_delete=models.CASCADE, related_name="embedding")
    encoder = models.CharField(max_length=200)
    vector = models.BinaryField(help_text="float32, L2-normalised")
    content_hash = models.CharField(
        max_length=64, blank=True, help_text="of the document it was computed from; reused while it matches"
    )

    class Meta:
        db_table = "classifier_documentembedding"


class DocumentAssessment(models.Model):
    """The model's verdict on a document as a whole: could it place it at all?"""

    document = models.OneToOneField(Document, on_delete=models.CASCADE, related_name="assessment")
    model_version = models.CharField(max_length=200)
    classifiable = models.BooleanField()
    best_probability = models.FloatField()

    class Meta:
        db_table = "classifier_documentassessment"


class Decision(models.Model):
    """Who did what, and when: the audit trail of every decision, kept after what it was about is gone."""

    class Action(models.TextChoices):
        ACCEPT = "accept"
        REJECT = "reject"
        CORRECT = "correct"
        DELETE_DOCUMENT = "delete-document", "delete document"
        DELETE_CORPUS = "delete-corpus", "delete corpus"
        DELETE_JOB = "delete-job", "delete a job's documents"
        UPLOAD = "upload"
        RECLASSIFY = "reclassify"
        ACTIVATE_MODEL = "activate-model", "activate model"
        TRAIN = "train", "start training"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    username = models.CharField(
        max_length=150, blank=True, help_text="kept if the user goes; empty: a command"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    document_id = models.BigIntegerField(
        null=True, blank=True, db_index=True, help_text="kept after deletion"
    )
    corpus = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=200, blank=True, help_text="a node code")
    detail = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.username or 'command line'} {self.get_action_display()} {self.detail}".strip()
