"""manage.py distill --taxonomy T --from FILE [--teacher all-mpnet-base-v2|FOLDER] [--activate]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from classifier import versions
from classifier.finetuning import DEFAULTS, FinetuneOptions
from classifier.teacher import TEACHER, TeacherMissing
from jobs.distilling import distill_from_file
from jobs.management.commands.train import find_taxonomy, timed_progress
from jobs.training import train_and_register


class Command(BaseCommand):
    help = (
        "Fine-tune the encoder end to end on a labelled file, optionally on a teacher's soft targets, "
        "then train and register a classifier on it (on a GPU when there is one)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--taxonomy", required=True)
        parser.add_argument("--from", dest="source", required=True, help="a labelled file")
        parser.add_argument(
            "--teacher", default="", help=f"{TEACHER} (installed from PyPI parts) or a model folder"
        )
        parser.add_argument("--alpha", type=float, default=DEFAULTS.alpha, help="weight of soft targets")
        parser.add_argument("--temperature", type=float, default=DEFAULTS.temperature)
        parser.add_argument("--epochs", type=int, default=DEFAULTS.epochs)
        parser.add_argument("--batch-size", type=int, default=DEFAULTS.batch_size)
        parser.add_argument("--max-length", type=int, default=DEFAULTS.max_length, help="tokens per document")
        parser.add_argument("--device", default="auto", help="auto, cpu or cuda")
        parser.add_argument(
            "--encoder-only", action="store_true", help="save the encoder without training heads on it"
        )
        parser.add_argument("--activate", action="store_true", help="switch the new model on")

    def handle(self, taxonomy: str, source: str, teacher: str, device: str, **options):
        found = find_taxonomy(taxonomy)
        path = Path(source)
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        settings = FinetuneOptions(
            epochs=options["epochs"],
            batch_size=options["batch_size"],
            max_length=options["max_length"],
            alpha=options["alpha"],
            temperature=options["temperature"],
        )
        progress = timed_progress(self.stdout)
        try:
            encoder = distill_from_file(found, path, teacher, settings, device, progress)
        except TeacherMissing as error:
            raise CommandError(str(error)) from None
        if options["encoder_only"]:
            return
        record = train_and_register(found, [path], progress=progress, encoder=encoder)
        if options["activate"]:
            versions.activate(record)
            progress(f"{record.version} now classifies new documents of {found}")
