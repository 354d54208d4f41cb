"""manage.py train --taxonomy T --from FILE|corpus:NAME [--from ...] [--encoder FOLDER] [--compact]
[--activate] [--export FILE]"""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from classifier import versions
from classifier.encoders import with_folder
from classifier.training.fitting import Options
from classifier.training.pipeline import NoLabelledDocuments
from jobs.training import source_of, train_and_register
from taxonomy.management.lookup import named_taxonomy


def timed_progress(stdout):
    """A progress callback that prefixes each message with the seconds since it was made."""
    started = time.monotonic()
    return lambda message: stdout.write(f"[{time.monotonic() - started:6.0f}s] {message}")


class Command(BaseCommand):
    help = (
        "Train the hybrid classifier on labelled files and corpora's librarian-confirmed subjects, together."
    )

    def add_arguments(self, parser):
        parser.add_argument("--taxonomy", required=True)
        parser.add_argument(
            "--from",
            dest="sources",
            action="append",
            required=True,
            help="a labelled file, or corpus:NAME; repeat it to train on several (the last one's subjects "
            "count for a document in more than one)",
        )
        parser.add_argument(
            "--encoder", default="", help="folder of a fine-tuned encoder (from manage.py distill)"
        )
        parser.add_argument(
            "--activate", action="store_true", help="switch the new model on for the taxonomy"
        )
        parser.add_argument("--svm-c", type=float, default=Options.svm_c)
        parser.add_argument(
            "--compact",
            action="store_true",
            help="heads on the encoder's vectors alone, no neighbours: a model of a few hundred KB",
        )
        parser.add_argument(
            "--export", type=Path, help="also write the model to this file, for manage.py import_model"
        )

    def handle(
        self, taxonomy: str, sources: list[str], encoder: str, svm_c: float, compact: bool, export: Path | None,
        **options,
    ):  # fmt: skip
        found = named_taxonomy(taxonomy)
        if encoder and not Path(encoder).is_dir():
            raise CommandError(f"{encoder}: no such encoder folder")
        progress = timed_progress(self.stdout)
        try:
            record = train_and_register(
                found,
                [source_of(found, source) for source in sources],
                Options(svm_c=svm_c, compact=compact),
                progress,
                with_folder(settings.CLASSIFIER_ENCODER, str(Path(encoder).resolve())) if encoder else "",
            )
        except (NoLabelledDocuments, ValueError) as error:
            raise CommandError(str(error)) from None
        if options["activate"]:
            versions.activate(record)
            progress(f"{record.version} now classifies new documents of {found}")
        if export:
            versions.export_model(record, export)
            progress(f"wrote {export} ({export.stat().st_size:,} bytes)")
