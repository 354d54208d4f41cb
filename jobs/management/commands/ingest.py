"""manage.py ingest FILE --corpus NAME --taxonomy NAME: ingest a file through the pipeline."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from jobs.actions import start_ingest
from jobs.management.progress import follow
from jobs.models import IngestJob
from library.actions import get_or_create_corpus
from taxonomy.management.lookup import named_taxonomy


class Command(BaseCommand):
    help = "Ingest a file (JSON Lines, gzip or plain) into a corpus; workers classify and index it."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--corpus", required=True)
        parser.add_argument("--taxonomy", required=True, help="its id, or its name (the newest version)")
        parser.add_argument("--no-wait", action="store_true", help="queue the job and return")

    def handle(self, file: Path, corpus: str, taxonomy: str, no_wait: bool, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        found = named_taxonomy(taxonomy)
        try:
            with transaction.atomic():
                job = start_ingest(get_or_create_corpus(corpus, found), file.resolve())
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Job {job.pk} queued for {file.name}")
        if not no_wait:
            self._follow(job)

    def _follow(self, job: IngestJob) -> None:
        """Show progress until the job ends, then its first failures."""
        job = follow(job, self.stdout)
        for failure in job.failures.all()[:20]:
            kind = "warning" if failure.warning else "failed"
            self.stdout.write(
                f"  {kind}: {failure.file}: line {failure.line}: {failure.field}: {failure.reason}"
            )
        if job.state == IngestJob.State.FAILED:
            raise CommandError(job.message)
