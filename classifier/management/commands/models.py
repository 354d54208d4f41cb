"""manage.py models [--taxonomy T] [--activate VERSION]: list trained models, switch one on."""

from django.core.management.base import BaseCommand, CommandError

from classifier import versions
from classifier.figures import ZERO_SHOT_NOTE, ValidationFigures
from classifier.models import ClassifierModel
from taxonomy.models import Taxonomy


class Command(BaseCommand):
    help = (
        "List trained classifier models with their validation figures (on which data, in which space, "
        "over how many documents); --activate switches one on."
    )

    def add_arguments(self, parser):
        parser.add_argument("--taxonomy", help="only this taxonomy's models")
        parser.add_argument("--activate", metavar="VERSION", help="make this model classify new documents")

    def handle(self, taxonomy: str | None, activate: str | None, **options):
        if activate:
            record = ClassifierModel.objects.filter(version=activate).first()
            if record is None:
                raise CommandError(f"no model {activate!r}")
            versions.activate(record)
            self.stdout.write(f"{record.version} now classifies new documents of {record.taxonomy}")
        records = ClassifierModel.objects.select_related("taxonomy").order_by("taxonomy__name", "-created")
        taxonomies = Taxonomy.objects.order_by("name", "version")
        if taxonomy:
            records, taxonomies = records.filter(taxonomy__name=taxonomy), taxonomies.filter(name=taxonomy)
        for record in records:
            self.stdout.write("\n".join(describe(record)))
        for zero_shot in taxonomies.exclude(classifier_models__is_active=True):
            self.stdout.write(f"  {zero_shot}: no active trained model; it classifies {ZERO_SHOT_NOTE}")


def describe(record: ClassifierModel) -> list[str]:
    """A model's lines: version, whether it is active, when and on what it was trained, and its
    validation figures with their data, documents and space."""
    state = f"active: classifies new documents of {record.taxonomy}" if record.is_active else "not active"
    figures = ValidationFigures.of(record.metrics)
    return [
        f"{'*' if record.is_active else ' '} {record.version} ({state})",
        f"    trained {record.created:%Y-%m-%d %H:%M} UTC on {record.trained_on or 'unknown sources'}",
        f"    validation: {figures.data_text}",
    ] + ([f"    {space}" for space in figures.spaces] or ["    no validation figures"])
