"""The classifier for a taxonomy: its active trained model, else zero-shot; built once per process."""

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
from django.conf import settings

from classifier.encoders import get_encoder
from classifier.encoders.base import Encoder
from classifier.hybrid import HybridModel
from classifier.models import ClassifierModel
from classifier.types import Prediction
from classifier.versions import ZERO_SHOT, active_model, find_model, load_model
from classifier.zeroshot import NODE_TEXT_RECIPE, ZeroShotModel, label_path
from library.models import ScoreKind
from taxonomy.models import Taxonomy
from taxonomy.tree import Tree


@dataclass
class LoadedClassifier:
    """An encoder and a model behind one interface: texts and their vectors in, subjects out."""

    encoder: Encoder
    model: ZeroShotModel | HybridModel
    version: str
    suggestion_floor: float = 0.0  # the least similarity of a stored zero-shot subject

    @property
    def score_kind(self) -> ScoreKind:
        """A trained model's scores are calibrated probabilities; the zero-shot ones similarities."""
        return ScoreKind.PROBABILITY if isinstance(self.model, HybridModel) else ScoreKind.SIMILARITY

    def predict(self, texts: Sequence[str], vectors: np.ndarray) -> list[list[Prediction]]:
        """Subjects per document, most specific first with ancestors after them; [] when the model
        cannot place it. Zero-shot subjects below the suggestion floor are left out (a trained
        model's own thresholds, chosen on its validation split, do that for it)."""
        if isinstance(self.model, HybridModel):
            return self.model.predict(texts, vectors)
        return self.model.predict(vectors, floor=self.suggestion_floor)

    def rank(self, texts: Sequence[str], vectors: np.ndarray, k: int = 5) -> list[list[tuple[str, float]]]:
        """The ``k`` best specific subjects per document with their scores, for ranking metrics."""
        if isinstance(self.model, HybridModel):
            return [self.model.ranked(row, k) for row in self.model.probabilities(texts, vectors)]
        return [ranked[:k] for ranked in self.model.ranked(vectors)]

    @property
    def accept_threshold(self) -> float:
        """The score from which a prediction skips review: a trained model's accept threshold (chosen
        on its validation split); zero-shot similarities never do."""
        return self.model.thresholds.accept if isinstance(self.model, HybridModel) else math.inf

    def accepted(self, predictions: Sequence[Prediction]) -> set[str]:
        """The subjects of one document that skip review: its top subject (the most specific it
        chose, first, which the accept threshold was chosen for) with the broader ones it implies,
        when the top reaches the threshold; every other subject waits for a librarian."""
        if not predictions or predictions[0].score < self.accept_threshold:
            return set()
        top = predictions[0].code
        return {top} | self.model.tree.ancestors(top)


def node_vectors_key(tree: Tree, encoder: Encoder) -> str:
    """A digest of everything the node vectors depend on: encoder, node texts and the text recipe."""
    digest = hashlib.sha256(f"{encoder.name}|{NODE_TEXT_RECIPE}".encode())
    for code in sorted(tree.parents):
        digest.update(f"|{code}|{label_path(tree, code)}|{tree.descriptions.get(code, '')}".encode())
    return digest.hexdigest()[:32]


@lru_cache(maxsize=8)
def _zero_shot(taxonomy_id: int, created: object, encoder_name: str) -> LoadedClassifier:
    taxonomy = Taxonomy.objects.get(pk=taxonomy_id)
    encoder = get_encoder(encoder_name)
    tree = Tree.from_taxonomy(taxonomy)
    cache_file = settings.CLASSIFIER_CACHE_DIR / "node-vectors" / f"{node_vectors_key(tree, encoder)}.npz"
    model = ZeroShotModel.build(
        tree,
        encoder,
        cache_file=cache_file,
        beam_width=settings.CLASSIFIER_BEAM_WIDTH,
        top_k=settings.CLASSIFIER_TOP_K,
    )
    return LoadedClassifier(encoder, model, f"zeroshot/{encoder.name}/{taxonomy.name}@{taxonomy.version}")


def zero_shot_model(taxonomy: Taxonomy, encoder: str = "") -> LoadedClassifier:
    """The zero-shot classifier of this taxonomy version with that encoder (default: the configured
    one), storing subjects from the taxonomy's suggestion floor (default: ``CLASSIFIER_SUGGESTION_FLOOR``)."""
    # keyed by creation time too: ids get reused
    loaded = _zero_shot(taxonomy.pk, taxonomy.created, encoder or settings.CLASSIFIER_ENCODER)
    return replace(loaded, suggestion_floor=taxonomy.floor)


def trained_classifier(record: ClassifierModel) -> LoadedClassifier:
    """A registered trained model with the encoder it was trained on (default: the configured one)."""
    model = load_model(record.path)
    encoder = model.encoder or settings.CLASSIFIER_ENCODER
    return LoadedClassifier(get_encoder(encoder), model, record.version)


def load_classifier(taxonomy: Taxonomy, version: str | None = None) -> LoadedClassifier:
    """The taxonomy's classifier of that version (a trained model's, or ``zeroshot``); without one,
    its active trained model if it has one, else its zero-shot classifier."""
    if version == ZERO_SHOT:
        return zero_shot_model(taxonomy)
    record = find_model(taxonomy, version) if version else active_model(taxonomy)
    return zero_shot_model(taxonomy) if record is None else trained_classifier(record)
