"""manage.py evaluate FILE --taxonomy NAME: P@1 and micro-F1 against a labelled JSONL file."""

import json
from dataclasses import asdict
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from classifier.evaluation import evaluate_file
from taxonomy.models import Taxonomy


class Command(BaseCommand):
    help = "Predict subjects for a labelled JSONL file and score them against its labels."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--taxonomy", required=True)
        parser.add_argument("--limit", type=int, default=None, help="evaluate the first N labelled records")
        parser.add_argument("--json", dest="json_out", type=Path, help="also write the figures to this file")

    def handle(self, file: Path, taxonomy: str, limit: int | None, json_out: Path | None, **options):
        found = Taxonomy.objects.filter(name=taxonomy).order_by("-created").first()
        if found is None:
            raise CommandError(f"no taxonomy named {taxonomy!r}")
        scores = evaluate_file(found, file, limit=limit)
        self.stdout.write(
            f"{file.name}: {scores.documents} documents  P@1 {scores.precision_at_1:.3f}  "
            f"micro-P {scores.micro_precision:.3f}  micro-R {scores.micro_recall:.3f}  "
            f"micro-F1 {scores.micro_f1:.3f}"
        )
        if json_out:
            json_out.write_text(json.dumps(asdict(scores), indent=2) + "\n")
