"""Subjects assigned to documents, by the model or by a librarian."""

from django.db import models


class Classification(models.Model):
    class Source(models.TextChoices):
        MODEL = "model"
        LIBRARIAN = "librarian"

    class Status(models.TextChoices):
        ACCEPTED = "accepted"  # by a librarian, or by the model above the taxonomy's accept threshold
        REVIEW = "review"  # waits in the librarians' review queue

    document = models.ForeignKey("ingest.Document", on_delete=models.CASCADE, related_name="classifications")
    node = models.ForeignKey("taxonomy.Node", on_delete=models.CASCADE, related_name="classifications")
    score = models.FloatField()
    rank = models.PositiveSmallIntegerField(
        help_text="1 for the best leaf; ancestors take their best leaf's rank"
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
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["document", "node", "source"], name="classification_document_node_source"
            )
        ]
        indexes = [models.Index(fields=["node", "source"])]
        ordering = ["document", "rank", "-score"]


class RejectedSubject(models.Model):
    """A subject a librarian took off a document: no model proposes it, or anything below it, again."""

    document = models.ForeignKey(
        "ingest.Document", on_delete=models.CASCADE, related_name="rejected_subjects"
    )
    node = models.ForeignKey("taxonomy.Node", on_delete=models.CASCADE, related_name="rejections")
    model_version = models.CharField(
        max_length=200, blank=True, help_text="who proposed it; empty: a librarian"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "node"], name="rejected_subject_document_node")
        ]


class DocumentEmbedding(models.Model):
    """The encoder's vector for a document, kept for similarity search and explanations."""

    document = models.OneToOneField("ingest.Document", on_delete=models.CASCADE, related_name="embedding")
    encoder = models.CharField(max_length=200)
    vector = models.BinaryField(help_text="float32, L2-normalised")
    content_hash = models.CharField(
        max_length=64, blank=True, help_text="of the document it was computed from; reused while it matches"
    )


class DocumentAssessment(models.Model):
    """The model's verdict on a document as a whole: could it place it at all?"""

    document = models.OneToOneField("ingest.Document", on_delete=models.CASCADE, related_name="assessment")
    model_version = models.CharField(max_length=200)
    classifiable = models.BooleanField()
    best_probability = models.FloatField()


class Reclassification(models.Model):
    """An ingest job that classifies its corpus's stored documents again, with one model, instead of
    bringing a file in; its batches travel the same pipeline and are counted the same way."""

    job = models.OneToOneField("ingest.IngestJob", on_delete=models.CASCADE, related_name="reclassification")
    model_version = models.CharField(max_length=200, help_text="a trained model's version, or 'zeroshot'")

    def __str__(self) -> str:
        return f"job {self.job_id} with {self.model_version}"


class ClassifierModel(models.Model):
    """A trained model for one taxonomy version; at most one is active and classifies new documents."""

    taxonomy = models.ForeignKey(
        "taxonomy.Taxonomy", on_delete=models.CASCADE, related_name="classifier_models"
    )
    version = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=50)
    path = models.CharField(max_length=1000)
    trained_on = models.TextField(blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["taxonomy"], condition=models.Q(is_active=True), name="one_active_model_per_taxonomy"
            )
        ]

    def __str__(self) -> str:
        return self.version
