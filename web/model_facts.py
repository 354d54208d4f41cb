"""What the pages say about a model: which one classifies a taxonomy, or gave a document its subjects;
how good it was on which data, in which space; when it was trained."""

from collections.abc import Iterable
from dataclasses import dataclass

from classifier.figures import ZERO_SHOT_NOTE, ValidationFigures
from classifier.models import ClassifierModel
from classifier.versions import ZERO_SHOT
from taxonomy.models import Taxonomy


@dataclass(frozen=True)
class ModelFacts:
    version: str  # "" for a taxonomy that classifies zero-shot
    record: ClassifierModel | None  # None: zero-shot, or a trained model no longer registered
    figures: ValidationFigures | None

    @classmethod
    def of(cls, version: str, record: ClassifierModel | None) -> "ModelFacts":
        return cls(version, record, ValidationFigures.of(record.metrics) if record else None)

    @property
    def zero_shot(self) -> bool:
        return self.record is None and (not self.version or self.version.startswith(f"{ZERO_SHOT}/"))

    @property
    def note(self) -> str:
        """What a zero-shot model's scores are, and that it has no figures."""
        return ZERO_SHOT_NOTE if self.zero_shot else ""


@dataclass(frozen=True)
class ClassifyingModel:
    taxonomy: Taxonomy
    facts: ModelFacts


def classifying_models(taxonomies: Iterable[Taxonomy]) -> list[ClassifyingModel]:
    """Each taxonomy with the model that classifies its new documents: its active trained model,
    else zero-shot; one query for them all."""
    taxonomies = list(taxonomies)
    active = {
        record.taxonomy_id: record
        for record in ClassifierModel.objects.filter(is_active=True, taxonomy__in=taxonomies)
    }
    models = []
    for taxonomy in taxonomies:
        record = active.get(taxonomy.pk)
        models.append(ClassifyingModel(taxonomy, ModelFacts.of(record.version if record else "", record)))
    return models


def models_of(versions: Iterable[str]) -> list[ModelFacts]:
    """The facts of each model version (a document's subjects name theirs), in one query."""
    versions = sorted(set(versions))
    records = {record.version: record for record in ClassifierModel.objects.filter(version__in=versions)}
    return [ModelFacts.of(version, records.get(version)) for version in versions]
