"""manage.py train --taxonomy T --from FILE|corpus:NAME [--activate]"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from classifier import versions
from classifier.evaluation import evaluate_validation
from classifier.training.fitting import Options
from classifier.training.pipeline import train_from_corpus, train_from_file
from ingest.models import Corpus
from taxonomy.models import Taxonomy


class Command(BaseCommand):
    help = (
        "Train the hybrid classifier from a labelled JSONL file or a corpus's librarian-confirmed subjects."
    )

    def add_arguments(self, parser):
        parser.add_argument("--taxonomy", required=True)
        parser.add_argument("--from", dest="source", required=True, help="a labelled file, or corpus:NAME")
        parser.add_argument(
            "--activate", action="store_true", help="switch the new model on for the taxonomy"
        )
        parser.add_argument("--svm-c", type=float, default=Options.svm_c)

    def handle(self, taxonomy: str, source: str, svm_c: float, **options):
        found = Taxonomy.objects.filter(name=taxonomy).order_by("-created").first()
        if found is None:
            raise CommandError(f"no taxonomy named {taxonomy!r}")
        started = time.monotonic()

        def progress(message: str) -> None:
            self.stdout.write(f"[{time.monotonic() - started:6.0f}s] {message}")

        settings = Options(svm_c=svm_c)
        if source.startswith("corpus:"):
            corpus = Corpus.objects.filter(name=source.removeprefix("corpus:"), taxonomy=found).first()
            if corpus is None:
                raise CommandError(f"no corpus {source.removeprefix('corpus:')!r} classified with {found}")
            model, validation, vectors = train_from_corpus(found, corpus, settings, progress)
        else:
            path = Path(source)
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            model, validation, vectors = train_from_file(found, path, settings, progress)
            source = str(path.resolve())
        metrics = evaluate_validation(model, validation, vectors)
        record = versions.save_model(found, model, trained_on=source, metrics=metrics)
        progress(f"saved {record.version}: validation {metrics}")
        if options["activate"]:
            versions.activate(record)
            progress(f"{record.version} now classifies new documents of {found}")
