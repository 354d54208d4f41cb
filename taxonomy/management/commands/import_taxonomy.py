"""manage.py import_taxonomy FILE --name NAME [--version V]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from taxonomy.actions import import_taxonomy
from taxonomy.errors import TaxonomyError


class Command(BaseCommand):
    help = "Import a taxonomy from a code,parent,label,description CSV."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--name", required=True)
        parser.add_argument("--taxonomy-version", default="1")

    def handle(self, file: Path, name: str, taxonomy_version: str, **options):
        try:
            taxonomy = import_taxonomy(file, name=name, version=taxonomy_version)
        except (TaxonomyError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Imported taxonomy {taxonomy.name} {taxonomy.version}: {taxonomy.nodes.count()} nodes"
        )
