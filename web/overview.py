"""What the home page and the lists show: taxonomies, corpora and jobs with their counts."""

from django.db.models import Count, QuerySet

from jobs.models import IngestJob
from library.models import Corpus
from taxonomy.models import Taxonomy

RECENT_JOBS = 10


def taxonomies_with_counts() -> QuerySet[Taxonomy]:
    """Taxonomies with ``node_count`` and ``corpus_count``."""
    return Taxonomy.objects.annotate(
        node_count=Count("nodes", distinct=True), corpus_count=Count("corpora", distinct=True)
    ).order_by("name", "-created", "-id")


def corpora_with_counts() -> QuerySet[Corpus]:
    """Corpora with their taxonomy and ``document_count``."""
    return (
        Corpus.objects.select_related("taxonomy").annotate(document_count=Count("documents")).order_by("name")
    )


def recent_jobs(limit: int = RECENT_JOBS) -> QuerySet[IngestJob]:
    """The newest ingest jobs with their corpora."""
    return IngestJob.objects.select_related("corpus").order_by("-created", "-id")[:limit]
