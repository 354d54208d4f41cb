"""manage.py suggestion_floor TAXONOMY [FLOOR | default]: show or set the least similarity a zero-shot
subject of the taxonomy needs to be stored (``bench/suggestion_floor.py`` finds the best one)."""

from django.core.management.base import BaseCommand, CommandError

from taxonomy.actions import set_suggestion_floor
from taxonomy.management.lookup import named_taxonomy


class Command(BaseCommand):
    help = "Show or set a taxonomy's suggestion floor (zero-shot subjects below it are not stored)."

    def add_arguments(self, parser):
        parser.add_argument("taxonomy", help="its id, or its name (the newest version)")
        parser.add_argument(
            "floor",
            nargs="?",
            help="a similarity from 0 up to 1, or 'default' for CLASSIFIER_SUGGESTION_FLOOR",
        )

    def handle(self, taxonomy: str, floor: str | None, **options):
        found = named_taxonomy(taxonomy)
        if floor is not None:
            try:
                set_suggestion_floor(found, None if floor == "default" else float(floor))
            except ValueError as error:
                raise CommandError(str(error)) from error
        default = " (CLASSIFIER_SUGGESTION_FLOOR)" if found.suggestion_floor is None else ""
        self.stdout.write(f"{found.name} {found.version}: suggestion floor {found.floor}{default}")
