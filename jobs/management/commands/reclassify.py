"""manage.py reclassify --corpus NAME [--model VERSION] [--wait]: classify a corpus again in the background."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from classifier.versions import UnknownModel
from jobs.management.progress import follow
from jobs.models import IngestJob
from jobs.reclassify import ReclassificationRunning, start_reclassify
from library.models import Corpus


class Command(BaseCommand):
    help = (
        "Classify a corpus's documents again with a model (default: the taxonomy's active one) and"
        " re-index them, in bounded batches on the workers; librarians' decisions stand."
    )

    def add_arguments(self, parser):
        parser.add_argument("--corpus", required=True, help="corpus name")
        parser.add_argument(
            "--model", default="active", help="a model version (see manage.py models), active, or zeroshot"
        )
        parser.add_argument("--wait", action="store_true", help="follow the job's progress until it ends")

    def handle(self, corpus: str, model: str, wait: bool, **options):
        found = Corpus.objects.select_related("taxonomy").filter(name=corpus).first()
        if found is None:
            raise CommandError(f"no corpus named {corpus!r}")
        try:
            with transaction.atomic():
                job = start_reclassify(found, model)
        except (UnknownModel, ReclassificationRunning) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Job {job.pk} queued: {job.expected} documents of {found.name}, {job.source_name}")
        if wait:
            job = follow(job, self.stdout, reclassifying=True)
            if job.state == IngestJob.State.FAILED:
                raise CommandError(job.message)
