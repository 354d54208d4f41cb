"""manage.py ingest FILE --corpus NAME --taxonomy NAME: ingest a file through the pipeline."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ingest.actions import get_or_create_corpus, start_ingest
from ingest.models import IngestJob
from taxonomy.models import Taxonomy


class Command(BaseCommand):
    help = "Ingest a file (JSON Lines, gzip or plain) into a corpus; workers classify and index it."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--corpus", required=True)
        parser.add_argument("--taxonomy", required=True, help="taxonomy name (its latest version)")
        parser.add_argument("--no-wait", action="store_true", help="queue the job and return")

    def handle(self, file: Path, corpus: str, taxonomy: str, no_wait: bool, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        found = Taxonomy.objects.filter(name=taxonomy).order_by("-created").first()
        if found is None:
            raise CommandError(f"no taxonomy named {taxonomy!r}; import it with import_taxonomy")
        try:
            with transaction.atomic():
                job = start_ingest(get_or_create_corpus(corpus, found), file.resolve())
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Job {job.pk} queued for {file.name}")
        if not no_wait:
            self._follow(job)

    def _follow(self, job: IngestJob) -> None:
        last = None
        while True:
            job.refresh_from_db()
            line = (
                f"job {job.pk} {job.state}: read {job.read}, stored {job.stored}, "
                f"duplicates {job.duplicates}, failed {job.failed}, "
                f"classified {job.classified}, indexed {job.indexed}"
            )
            if line != last:
                self.stdout.write(line)
                last = line
            if job.state in (IngestJob.State.DONE, IngestJob.State.FAILED):
                break
            time.sleep(0.5)
        for failure in job.failures.all()[:20]:
            self.stdout.write(f"  {failure.file}: line {failure.line}: {failure.field}: {failure.reason}")
        if job.state == IngestJob.State.FAILED:
            raise CommandError(job.message)
