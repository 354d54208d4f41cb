"""Training on a labelled file and on librarians' decisions in a corpus together: real FoRC4CL
papers, Taxonomy4CL, the real encoder. What librarians gave or accepted is learnt, what they
rejected or left unreviewed is not, and their word on a paper outweighs the file's."""

from io import StringIO
from itertools import islice

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from classifier import review
from classifier.actions import classify_documents
from classifier.loading import zero_shot_model
from classifier.models import ClassifierModel
from classifier.training.data import labelled_corpus, merged
from ingest.parsers import parse_file
from ingest.types import ParsedRecord
from jobs.training import source_vectors
from library.actions import get_or_create_corpus
from library.models import Classification, DocumentEmbedding
from taxonomy.actions import import_taxonomy
from taxonomy.labels import LabelResolver
from taxonomy.tree import Tree
from tests.conftest import SHARED_DATA
from tests.helpers import store_documents

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

TAXONOMY4CL = SHARED_DATA / "taxonomies" / "taxonomy4cl-v1.0.1.json"
FORC_TRAIN = SHARED_DATA / "corpora" / "forc4cl-train.jsonl.gz"
FORC_VAL = SHARED_DATA / "corpora" / "forc4cl-val.jsonl.gz"


def papers(path, count: int) -> list[ParsedRecord]:
    return [r for r in islice(parse_file(path), count) if isinstance(r, ParsedRecord)]


def top_leaf(document) -> Classification:
    return Classification.objects.filter(document=document, is_leaf_prediction=True).order_by("rank")[0]


def test_training_learns_from_a_file_and_librarians_decisions_together(settings, tmp_path):
    settings.CLASSIFIER_MODEL_DIR = tmp_path
    taxonomy = import_taxonomy(TAXONOMY4CL, name="taxonomy4cl-sources")
    tree = Tree.from_taxonomy(taxonomy)
    corpus = get_or_create_corpus("forc-librarians", taxonomy)
    from_file = papers(FORC_TRAIN, 1)[0]
    documents = store_documents(corpus, [from_file, *papers(FORC_VAL, 6)])
    relabelled, accepted, rejected, unreviewed, *_, unclassified = documents
    classify_documents(taxonomy, documents[1:-1])  # zero-shot: its subjects wait for review
    resolver = LabelResolver(tree)
    file_codes = tree.closure(c for label in from_file.labels if (c := resolver.resolve(label)))
    other = next(leaf for leaf in sorted(tree.leaves) if leaf not in file_codes)
    review.correct(relabelled, other)
    kept = top_leaf(accepted).node.code
    review.accept(top_leaf(accepted))
    review.reject(top_leaf(rejected))
    given = review.correct(unclassified, sorted(tree.leaves)[0]).node.code
    encoder = zero_shot_model(taxonomy).encoder

    data, vectors = labelled_corpus(corpus, encoder)

    by_id = dict(zip(data.ids, data.targets))
    assert set(by_id) == {relabelled.external_id, accepted.external_id, unclassified.external_id}, (
        "a rejected subject or one nobody reviewed teaches nothing"
    )
    assert by_id[relabelled.external_id] == tree.closure({other})
    assert by_id[accepted.external_id] == tree.closure({kept})
    assert by_id[unclassified.external_id] == tree.closure({given})
    stored = DocumentEmbedding.objects.get(document=accepted).vector
    assert vectors[data.ids.index(accepted.external_id)].tobytes() == bytes(stored), "the stored vector"
    fresh = encoder.encode([data.texts[data.ids.index(unclassified.external_id)]])[0]
    assert np.allclose(vectors[data.ids.index(unclassified.external_id)], fresh, atol=1e-5), "encoded now"

    file_data, file_vectors = source_vectors(taxonomy, FORC_TRAIN, encoder, progress=lambda message: None)
    both, both_vectors = merged([(file_data, file_vectors), (data, vectors)])
    assert len(both) == len(file_data) + 2 == len(both_vectors)
    position = both.ids.index(relabelled.external_id)
    assert both.targets[position] == tree.closure({other}), "the librarian's word over the file's"
    assert (both_vectors[position] == vectors[data.ids.index(relabelled.external_id)]).all()

    out = StringIO()
    call_command(
        "train",
        "--taxonomy",
        taxonomy.name,
        "--from",
        str(FORC_TRAIN),
        "--from",
        f"corpus:{corpus.name}",
        stdout=out,
    )
    record = ClassifierModel.objects.get(taxonomy=taxonomy)
    assert record.trained_on == f"{FORC_TRAIN.resolve()} + corpus:{corpus.name}"
    assert f"saved {record.version}" in out.getvalue()


def test_training_on_a_corpus_without_decisions_says_so(settings, tmp_path):
    settings.CLASSIFIER_MODEL_DIR = tmp_path
    taxonomy = import_taxonomy(TAXONOMY4CL, name="taxonomy4cl-undecided")
    corpus = get_or_create_corpus("forc-undecided", taxonomy)
    documents = store_documents(corpus, papers(FORC_VAL, 3))
    classify_documents(taxonomy, documents)
    with pytest.raises(CommandError, match="no document of the sources has subjects"):
        call_command(
            "train", "--taxonomy", taxonomy.name, "--from", f"corpus:{corpus.name}", stdout=StringIO()
        )
    assert not ClassifierModel.objects.filter(taxonomy=taxonomy).exists()
