"""manage.py import_model FILE --taxonomy T [--activate]: register a model written by train --export."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from classifier import versions
from taxonomy.management.lookup import named_taxonomy


class Command(BaseCommand):
    help = "Register a model exported by `manage.py train --export` (a trusted file: it is a pickle)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--taxonomy", required=True)
        parser.add_argument("--activate", action="store_true", help="switch it on for the taxonomy")

    def handle(self, file: Path, taxonomy: str, activate: bool, **options):
        found = named_taxonomy(taxonomy)
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            record = versions.import_model(file, found)
        except ValueError as error:
            raise CommandError(str(error)) from None
        if activate and not record.is_active:
            versions.activate(record)
        state = "active" if activate or record.is_active else "not active"
        self.stdout.write(f"{record.version} registered for {found} ({state})")
