"""Actions of the catalogue: the small writes every app shares."""

from library.models import Corpus
from taxonomy.models import Taxonomy


def get_or_create_corpus(name: str, taxonomy: Taxonomy) -> Corpus:
    """The corpus of that name, created for ``taxonomy`` if new; refuses a taxonomy switch."""
    corpus, _ = Corpus.objects.get_or_create(name=name, defaults={"taxonomy": taxonomy})
    if corpus.taxonomy_id != taxonomy.pk:
        raise ValueError(f"corpus {name!r} is classified with {corpus.taxonomy}, not {taxonomy}")
    return corpus
