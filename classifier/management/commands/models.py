"""manage.py models [--taxonomy T] [--activate VERSION]: list trained models, switch one on."""

from django.core.management.base import BaseCommand, CommandError

from classifier import versions
from classifier.models import ClassifierModel


class Command(BaseCommand):
    help = "List trained classifier models with their validation figures; --activate switches one on."

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
        if taxonomy:
            records = records.filter(taxonomy__name=taxonomy)
        for record in records:
            mark = "*" if record.is_active else " "
            figures = ", ".join(f"{k} {v}" for k, v in record.metrics.items())
            self.stdout.write(f"{mark} {record.version}  trained on {record.trained_on}  {figures}")
