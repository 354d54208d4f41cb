"""manage.py ingest FILE --corpus NAME --taxonomy NAME: ingest a file through the pipeline."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ingest.actions import get_or_create_corpus, start_ingest
from ingest.models import IngestJob
from taxonomy.models import Taxonomy

POLL_S = 0.5
LOG_EVERY_S = 10.0  # when the output is not a terminal: one progress line this often


def progress_line(job: IngestJob) -> str:
    """One line of a job's progress: records through out of the file's, rate, ETA and counts."""
    total = f"/{job.expected:,}" if job.expected is not None else ""
    share = f" ({job.processed / job.expected:.0%})" if job.expected else ""
    rate = f"{job.throughput:.1f} docs/s" if job.throughput else "-- docs/s"
    eta = _clock(job.eta_s) if job.eta_s is not None else "--:--"
    return (
        f"job {job.pk} {job.state}: {job.processed:,}{total} records{share}, {rate}, ETA {eta} | "
        f"read {job.read}, stored {job.stored}, duplicates {job.duplicates}, failed {job.failed}, "
        f"warnings {job.warnings}, classified {job.classified}, indexed {job.indexed}"
    )


def _clock(seconds: float) -> str:
    minutes, second = divmod(round(seconds), 60)
    hours, minute = divmod(minutes, 60)
    return f"{hours}:{minute:02d}:{second:02d}" if hours else f"{minute}:{second:02d}"


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
        """Show progress on one line rewritten in place (in a terminal), or a line now and then."""
        live = self.stdout.isatty()
        last_logged = 0.0
        while True:
            job.refresh_from_db()
            finished = job.state in (IngestJob.State.DONE, IngestJob.State.FAILED)
            line = progress_line(job)
            if live and not finished:
                self.stdout.write(f"\r\x1b[K{line}", ending="")
                self.stdout.flush()
            elif finished or time.monotonic() - last_logged >= LOG_EVERY_S:
                self.stdout.write(("\r\x1b[K" if live else "") + line)
                last_logged = time.monotonic()
            if finished:
                break
            time.sleep(POLL_S)
        for failure in job.failures.all()[:20]:
            kind = "warning" if failure.warning else "failed"
            self.stdout.write(
                f"  {kind}: {failure.file}: line {failure.line}: {failure.field}: {failure.reason}"
            )
        if job.state == IngestJob.State.FAILED:
            raise CommandError(job.message)
