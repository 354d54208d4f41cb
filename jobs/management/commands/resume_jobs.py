"""manage.py resume_jobs: queue again the lost work of open ingest jobs (workers do this on their own)."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jobs.models import IngestJob
from jobs.recovery import resume_stalled_jobs, retry_failed_batches


class Command(BaseCommand):
    help = (
        "Queue again the parsing and batches of open ingest jobs that made no progress for a while;"
        " with --retry-failed JOB, dispatch again the batches a job gave up on."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--stalled-after",
            type=float,
            default=settings.INGEST_STALL_TIMEOUT_S,
            help="seconds without progress after which work counts as lost (default: %(default)s)",
        )
        parser.add_argument("--retry-failed", type=int, metavar="JOB", help="a job that failed on batches")

    def handle(self, stalled_after: float, retry_failed: int | None, **options):
        if retry_failed is not None:
            job = IngestJob.objects.filter(pk=retry_failed).first()
            if job is None:
                raise CommandError(f"no job {retry_failed}")
            count = retry_failed_batches(job)
            self.stdout.write(f"job {job.pk}: {count} failed batches dispatched again")
            return
        resumed = resume_stalled_jobs(timedelta(seconds=stalled_after))
        self.stdout.write(
            f"parsing queued again for {resumed.parses} jobs; {resumed.batches} batches dispatched again;"
            f" {resumed.given_up} batches given up"
        )
