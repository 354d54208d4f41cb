"""The classifier for a taxonomy, built once per process and cached on disk between processes."""

import hashlib
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

from classifier.encoders import get_encoder
from classifier.encoders.base import Encoder
from classifier.zeroshot import NODE_TEXT_RECIPE, ZeroShotModel, label_path
from taxonomy.models import Taxonomy
from taxonomy.tree import Tree


@dataclass
class LoadedClassifier:
    encoder: Encoder
    model: ZeroShotModel
    version: str


def node_vectors_key(tree: Tree, encoder: Encoder) -> str:
    """A digest of everything the node vectors depend on: encoder, node texts and the text recipe."""
    digest = hashlib.sha256(f"{encoder.name}|{NODE_TEXT_RECIPE}".encode())
    for code in sorted(tree.parents):
        digest.update(f"|{code}|{label_path(tree, code)}|{tree.descriptions.get(code, '')}".encode())
    return digest.hexdigest()[:32]


@lru_cache(maxsize=8)
def _load(taxonomy_id: int, encoder_name: str) -> LoadedClassifier:
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
    version = f"zeroshot/{encoder.name}/{taxonomy.name}@{taxonomy.version}"
    return LoadedClassifier(encoder, model, version)


def load_classifier(taxonomy: Taxonomy) -> LoadedClassifier:
    """The classifier for this taxonomy version with the configured encoder."""
    return _load(taxonomy.pk, settings.CLASSIFIER_ENCODER)
