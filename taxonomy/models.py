"""A subject taxonomy: versioned, hierarchical, possibly with several parents per node."""

from django.conf import settings
from django.db import models


class Taxonomy(models.Model):
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=50, default="1")
    source = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    suggestion_floor = models.FloatField(
        null=True,
        blank=True,
        help_text="the least similarity a zero-shot subject needs to be stored; empty: CLASSIFIER_SUGGESTION_FLOOR",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="taxonomy_name_version")]
        ordering = ["name", "-created"]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"

    @property
    def floor(self) -> float:
        """The suggestion floor its zero-shot subjects are stored from: its own, else the setting."""
        return (
            settings.CLASSIFIER_SUGGESTION_FLOOR if self.suggestion_floor is None else self.suggestion_floor
        )


class Node(models.Model):
    """One subject. ``path`` is the first path from a root (codes joined by "/")."""

    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.CASCADE, related_name="nodes")
    code = models.CharField(max_length=200)
    label = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    parents = models.ManyToManyField("self", symmetrical=False, related_name="children", blank=True)
    depth = models.PositiveSmallIntegerField(default=0)
    path = models.CharField(max_length=2000)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["taxonomy", "code"], name="node_taxonomy_code")]
        ordering = ["path"]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"
