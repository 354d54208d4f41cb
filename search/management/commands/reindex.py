"""manage.py reindex: rebuild the search index from the database."""

from django.core.management.base import BaseCommand

from search.actions import reindex_all
from search.backends import get_backend


class Command(BaseCommand):
    help = "Rebuild the search index from the database (the source of truth)."

    def handle(self, **options):
        count = reindex_all()
        self.stdout.write(f"Indexed {count} documents with the {get_backend().name} backend")
