"""Trained model versions: saved to files, registered in the database, switched on one at a time."""

from functools import lru_cache
from pathlib import Path

import joblib
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from classifier.hybrid import HybridModel
from classifier.models import ClassifierModel
from library.audit import Actor, record
from library.models import Decision
from taxonomy.models import Taxonomy

ZERO_SHOT = "zeroshot"  # names the zero-shot classifier where a model version is expected
ACTIVE = "active"


class UnknownModel(Exception):
    """A model version that the taxonomy has no model of."""

    def __init__(self, version: str, taxonomy: Taxonomy) -> None:
        super().__init__(f"no model {version!r} for {taxonomy}")
        self.version = version


def save_model(
    taxonomy: Taxonomy, model: HybridModel, trained_on: str, metrics: dict, version: str = ""
) -> ClassifierModel:
    """Write the model to the model folder and register it (not active yet)."""
    version = version or f"hybrid/{taxonomy.name}@{taxonomy.version}/{timezone.now():%Y%m%d-%H%M%S}"
    folder = Path(settings.CLASSIFIER_MODEL_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (version.replace("/", "_").replace("@", "-") + ".joblib")
    joblib.dump(model, path)
    return ClassifierModel.objects.create(
        taxonomy=taxonomy,
        version=version,
        kind="hybrid",
        path=str(path),
        trained_on=trained_on,
        metrics=metrics,
    )


def export_model(record: ClassifierModel, path: Path) -> None:
    """Write the model with what it was trained on and its figures to one file another site can import."""
    bundle = {"version": record.version, "trained_on": record.trained_on, "metrics": record.metrics}
    joblib.dump({**bundle, "model": load_model(record.path)}, path, compress=3)


def import_model(path: Path, taxonomy: Taxonomy) -> ClassifierModel:
    """Register a model exported by ``export_model`` for ``taxonomy`` (once: a version registered
    already is returned as it is). A pickle: import only files you trust, such as the repository's.
    ValueError if the model's subjects are not the taxonomy's."""
    bundle = joblib.load(path)
    model: HybridModel = bundle["model"]
    codes = set(taxonomy.nodes.values_list("code", flat=True))
    if set(model.codes) != codes:
        raise ValueError(
            f"{path}: the model's {len(model.codes)} subjects are not the {len(codes)} of {taxonomy}"
        )
    existing = ClassifierModel.objects.filter(taxonomy=taxonomy, version=bundle["version"]).first()
    return existing or save_model(taxonomy, model, bundle["trained_on"], bundle["metrics"], bundle["version"])


@transaction.atomic
def activate(model: ClassifierModel, by: Actor = None) -> None:
    """Make this model the one that classifies new documents of its taxonomy (``by`` decides)."""
    ClassifierModel.objects.filter(taxonomy=model.taxonomy, is_active=True).update(is_active=False)
    ClassifierModel.objects.filter(pk=model.pk).update(is_active=True)
    record(Decision.Action.ACTIVATE_MODEL, by, detail=f"{model.version} for {model.taxonomy}")


def active_model(taxonomy: Taxonomy) -> ClassifierModel | None:
    return ClassifierModel.objects.filter(taxonomy=taxonomy, is_active=True).first()


def find_model(taxonomy: Taxonomy, version: str) -> ClassifierModel:
    """The taxonomy's trained model of that version; ``UnknownModel`` if there is none."""
    record = ClassifierModel.objects.filter(taxonomy=taxonomy, version=version).first()
    if record is None:
        raise UnknownModel(version, taxonomy)
    return record


def choose_model(taxonomy: Taxonomy, version: str | None = None) -> str:
    """The version a job classifies with, fixed when it starts: ``version`` if the taxonomy has it
    (or ``zeroshot``), else (none, or ``active``) the active model, else ``zeroshot``."""
    if version == ZERO_SHOT:
        return ZERO_SHOT
    if version and version != ACTIVE:
        return find_model(taxonomy, version).version
    record = active_model(taxonomy)
    return record.version if record else ZERO_SHOT


@lru_cache(maxsize=4)
def load_model(path: str) -> HybridModel:
    """The model stored at ``path``, read once per process."""
    return joblib.load(path)
