"""manage.py discard_stale_uploads: remove unfinished resumable uploads that stopped receiving
(workers do this on their own every INGEST_WATCHDOG_INTERVAL_S)."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from jobs.resumable import discard_stale_uploads


class Command(BaseCommand):
    help = "Discard unfinished resumable uploads that received nothing for a while, and their bytes."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            default=settings.INGEST_UPLOAD_STALE_AFTER_S,
            help="seconds without a chunk after which an upload is stale (default: %(default)s)",
        )

    def handle(self, older_than: float, **options):
        count = discard_stale_uploads(timedelta(seconds=older_than))
        self.stdout.write(f"{count} stale upload{'s' * (count != 1)} discarded")
