"""Trained models, one registry per taxonomy version."""

from django.db import models


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
