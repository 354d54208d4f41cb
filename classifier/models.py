"""Subjects assigned to documents, by the model or by a librarian."""

from django.db import models


class Classification(models.Model):
    class Source(models.TextChoices):
        MODEL = "model"
        LIBRARIAN = "librarian"

    document = models.ForeignKey("ingest.Document", on_delete=models.CASCADE, related_name="classifications")
    node = models.ForeignKey("taxonomy.Node", on_delete=models.CASCADE, related_name="classifications")
    score = models.FloatField()
    rank = models.PositiveSmallIntegerField(
        help_text="1 for the best leaf; ancestors take their best leaf's rank"
    )
    is_leaf_prediction = models.BooleanField(default=True)
    model_version = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MODEL)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["document", "node", "source"], name="classification_document_node_source"
            )
        ]
        indexes = [models.Index(fields=["node", "source"])]
        ordering = ["document", "rank", "-score"]


class DocumentEmbedding(models.Model):
    """The encoder's vector for a document, kept for similarity search and explanations."""

    document = models.OneToOneField("ingest.Document", on_delete=models.CASCADE, related_name="embedding")
    encoder = models.CharField(max_length=200)
    vector = models.BinaryField(help_text="float32, L2-normalised")
