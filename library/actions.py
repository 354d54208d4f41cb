"""Actions of the catalogue: the small writes every app shares."""

from collections.abc import Iterable

from library.models import Corpus, Document
from taxonomy.models import Taxonomy


def get_or_create_corpus(name: str, taxonomy: Taxonomy) -> Corpus:
    """The corpus of that name, created for ``taxonomy`` if new; refuses a taxonomy switch."""
    corpus, _ = Corpus.objects.get_or_create(name=name, defaults={"taxonomy": taxonomy})
    if corpus.taxonomy_id != taxonomy.pk:
        raise ValueError(f"corpus {name!r} is classified with {corpus.taxonomy}, not {taxonomy}")
    return corpus


def lock_documents(document_ids: Iterable[int]) -> set[int]:
    """Lock these documents' rows until the transaction ends, in id order (so two lockers never
    deadlock); the ids of those that still exist. Whoever changes a document's subjects holds
    its lock first, so two changes to one document never interleave."""
    rows = Document.objects.select_for_update().filter(pk__in=list(document_ids)).order_by("pk")
    return set(rows.values_list("pk", flat=True))


def lock_corpus(corpus: Corpus) -> None:
    """Lock the corpus's row until the transaction ends: what looks for a corpus's running work
    and then starts some holds it, so two requests at once start one."""
    list(Corpus.objects.select_for_update().filter(pk=corpus.pk).values_list("pk", flat=True))
