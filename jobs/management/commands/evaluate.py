"""manage.py evaluate FILE --taxonomy T [--model active|zeroshot|VERSION] [--out DIR]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from classifier import versions
from classifier.acceptance import Acceptance
from classifier.figures import SPACES, ZERO_SHOT_NOTE
from classifier.loading import LoadedClassifier, load_classifier, trained_classifier, zero_shot_model
from classifier.models import ClassifierModel
from classifier.reports import write_report
from jobs.training import evaluate_file
from library.models import ScoreKind
from taxonomy.management.lookup import named_taxonomy
from taxonomy.models import Taxonomy
from taxonomy.tree import Tree

FIGURES = [
    ("P@1", "precision_at_1"),
    ("P@3", "precision_at_3"),
    ("F1@5", "f1_at_5"),
    ("NDCG@5", "ndcg_at_5"),
    ("micro-P", "micro_precision"),
    ("micro-R", "micro_recall"),
    ("micro-F1", "micro_f1"),
    ("macro-F1", "macro_f1"),
    ("ECE", "expected_calibration_error"),
]


class Command(BaseCommand):
    help = "Score a model on a labelled JSONL file next to the TF-IDF + linear SVM baseline."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--taxonomy", required=True)
        parser.add_argument(
            "--model", default="active", help="active (default), zeroshot, or a model version"
        )
        parser.add_argument(
            "--baseline-train",
            type=Path,
            help="train the baseline here (default: the model's own training file)",
        )
        parser.add_argument("--out", type=Path, help="write summary.json, subjects.csv and PNG plots here")

    def handle(
        self, file: Path, taxonomy: str, model: str, baseline_train: Path | None, out: Path | None, **options
    ):
        found = named_taxonomy(taxonomy)
        classifier, trained_on = self._classifier(found, model)
        baseline_train = baseline_train or (
            Path(trained_on) if trained_on and Path(trained_on).is_file() else None
        )
        result = evaluate_file(found, classifier, file, baseline_train=baseline_train)
        self.stdout.write(
            f"{result.file}, every labelled document of the file: {result.shelfmark.documents} documents, "
            f"scored {SPACES[result.space]} (space {result.space}), model {result.model_version}"
        )
        if str(file.resolve()) in trained_on.split(" + "):
            self.stdout.write(
                "the model was trained on this file (all but its validation split): figures overstate"
            )
        if classifier.score_kind == ScoreKind.SIMILARITY:
            self.stdout.write(f"the model is {ZERO_SHOT_NOTE} (no ECE)")
        header = f"{'':12}" + "".join(f"{name:>10}" for name, _ in FIGURES)
        self.stdout.write(header)
        for name, scores in (("Shelfmark", result.shelfmark), ("TF-IDF+SVM", result.baseline)):
            if scores is not None:
                self.stdout.write(_row(name, {a: getattr(scores, a) for _, a in FIGURES}))
        if ratio := result.ratio():
            self.stdout.write(_row("ratio", ratio))
        self.stdout.write(
            f"hierarchical F1 {result.hierarchical_f1:.3f}; not classifiable {result.abstained}"
        )
        self.stdout.write(
            "top-1 accuracy per level: "
            + ", ".join(f"{d + 1}: {a:.3f}" for d, a in result.per_level_accuracy.items())
        )
        self.stdout.write(_accepted(result.accepted))
        if out:
            for path in write_report(result, Tree.from_taxonomy(found), out):
                self.stdout.write(f"wrote {path}")

    def _classifier(self, taxonomy: Taxonomy, name: str) -> tuple[LoadedClassifier, str]:
        if name == "zeroshot":
            return zero_shot_model(taxonomy), ""
        if name == "active":
            record = versions.active_model(taxonomy)
            return load_classifier(taxonomy), record.trained_on if record else ""
        record = ClassifierModel.objects.filter(taxonomy=taxonomy, version=name).first()
        if record is None:
            raise CommandError(f"no model {name!r} for {taxonomy}")
        return trained_classifier(record), record.trained_on


def _accepted(accepted: Acceptance) -> str:
    """The line on documents whose top subject the model accepts without review."""
    if accepted.threshold is None:
        return "accepted without review: nothing (no accept threshold)"
    precision = "–" if accepted.precision is None else f"{accepted.precision:.3f}"
    return (
        f"accepted without review: {accepted.share:.1%} of documents"
        f" (top subject >= {accepted.threshold:.3f}), precision {precision}"
    )


def _row(name: str, figures: dict[str, float | None]) -> str:
    """One line of the table: the name, then each figure of FIGURES (a dash where it has none)."""
    values = (figures.get(attribute) for _, attribute in FIGURES)
    return f"{name:12}" + "".join(f"{v:>10.3f}" if v is not None else f"{'–':>10}" for v in values)
