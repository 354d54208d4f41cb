"""manage.py distill --taxonomy T --from FILE [--teacher all-mpnet-base-v2|FOLDER] [--activate]
manage.py distill --student --layers 3 --from FILE [--max-length N] [--limit N] [--encoder-only]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from classifier import finetuning, students, versions
from classifier.teacher import TEACHER, TeacherMissing
from jobs.distilling import distill_from_file, student_from_file
from jobs.management.commands.train import timed_progress
from jobs.training import train_and_register
from taxonomy.management.lookup import named_taxonomy

FINETUNING_ONLY = ("teacher", "alpha", "temperature")
STUDENT_ONLY = ("layers", "limit")


class Command(BaseCommand):
    help = (
        "Fine-tune the encoder end to end on a labelled file, optionally on a teacher's soft targets, "
        "or (--student) build a smaller encoder that learns the configured one's vectors on the file's "
        "texts; then train and register a classifier on it (on a GPU when there is one)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--taxonomy", help="needed unless --student --encoder-only")
        parser.add_argument("--from", dest="source", required=True, help="a labelled file")
        parser.add_argument("--teacher", help=f"{TEACHER} (installed from PyPI parts) or a model folder")
        parser.add_argument(
            "--alpha", type=float, help=f"weight of soft targets ({finetuning.DEFAULTS.alpha})"
        )
        parser.add_argument("--temperature", type=float, help=f"({finetuning.DEFAULTS.temperature})")
        parser.add_argument(
            "--student", action="store_true", help="build a student with fewer layers, from any file's texts"
        )
        parser.add_argument("--layers", type=int, help=f"a student keeps ({students.DEFAULTS.layers})")
        parser.add_argument("--limit", type=int, help="the student learns from the file's first LIMIT texts")
        parser.add_argument("--epochs", type=int, help="(3; a student: 1)")
        parser.add_argument("--batch-size", type=int, help="(64; a student: 32)")
        parser.add_argument(
            "--max-length", type=int, help="tokens per document (256; a student: the teacher's)"
        )
        parser.add_argument("--device", default="auto", help="auto, cpu or cuda")
        parser.add_argument(
            "--encoder-only", action="store_true", help="save the encoder without training heads on it"
        )
        parser.add_argument("--activate", action="store_true", help="switch the new model on")

    def handle(self, taxonomy: str | None, source: str, device: str, **options):
        path = Path(source)
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        if taxonomy is None and not (options["student"] and options["encoder_only"]):
            raise CommandError(
                "--taxonomy is needed to train a classifier (or pass --student --encoder-only)"
            )
        found = named_taxonomy(taxonomy) if taxonomy else None
        other_mode = FINETUNING_ONLY if options["student"] else STUDENT_ONLY
        if wrong := [f"--{key}" for key in other_mode if options[key] is not None]:
            mode = "a student" if options["student"] else "fine-tuning"
            raise CommandError(f"{', '.join(wrong)}: not for {mode}")
        given = {
            key: options[key]
            for key in ("epochs", "batch_size", "max_length", "alpha", "temperature", "layers")
            if options[key] is not None
        }
        progress = timed_progress(self.stdout)
        if options["student"]:
            cache = not options["encoder_only"]
            encoder = student_from_file(
                path, students.StudentOptions(**given), options["limit"], device, cache, progress
            )
        else:
            try:
                encoder = distill_from_file(
                    found,
                    path,
                    options["teacher"] or "",
                    finetuning.FinetuneOptions(**given),
                    device,
                    progress,
                )
            except TeacherMissing as error:
                raise CommandError(str(error)) from None
        if options["encoder_only"]:
            return
        record = train_and_register(found, [path], progress=progress, encoder=encoder)
        if options["activate"]:
            versions.activate(record)
            progress(f"{record.version} now classifies new documents of {found}")
