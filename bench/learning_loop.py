"""Corrections that teach, measured: how much librarians' decisions on later papers lift the model.

    python bench/learning_loop.py [--decisions 250,500,1000] [--compact]

In a fresh site (its own folder and SQLite database; document vectors from the usual cache):
train on the arXiv train file and switch the model on; store the first half of
`arxiv-2025-dev.jsonl.gz` (by id: 2604.0xxxx first) without its categories and classify it; take
documents off the review queue in its own order (most useful first), and for each have a librarian
give the paper its arXiv categories (``classifier.review.correct``), as a librarian reviewing the
queue would; after each count of decisions, train again from the train file and the corpus (as the
Models page does) and score every model on the second half of the file, which no decision touched:
P@1, micro-F1, macro-F1 on leaves. Prints the table and writes bench/results/learning_loop.json.

Target: 500 decisions raise P@1 on the second half by 0.01 or more.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(Path(__file__).resolve().parent), str(REPO)]
from procs import setup_django  # noqa: E402

SHARED = REPO.parent / "shared" / "data"
TRAIN = SHARED / "corpora" / "arxiv-2025-train.jsonl.gz"
DEV = SHARED / "corpora" / "arxiv-2025-dev.jsonl.gz"
TAXONOMY = REPO / "demo" / "arxiv-nodes.csv"
FIGURES = ("precision_at_1", "micro_f1", "macro_f1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", default="250,500,1000", help="decisions after which to train again")
    parser.add_argument("--compact", action="store_true", help="compact models (the demo's kind)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "learning_loop.json")
    args = parser.parse_args()
    os.environ.setdefault("CLASSIFIER_CACHE_DIR", str(REPO / "var" / "cache"))  # the vectors encoded before
    os.environ["SHELFMARK_VAR"] = tempfile.mkdtemp(prefix="shelfmark-loop-")
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    figures = run([int(n) for n in args.decisions.split(",")], args.compact)
    print(json.dumps(figures, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n")


def run(counts: list[int], compact: bool) -> dict:
    from django.contrib.auth import get_user_model

    from accounts.roles import Role, grant
    from classifier import review, versions
    from classifier.actions import classify_documents
    from classifier.evaluation import evaluate
    from classifier.loading import trained_classifier
    from classifier.training.fitting import Options
    from ingest.parsers import parse_file
    from ingest.types import ParsedRecord
    from jobs.training import labelled_with_vectors, train_and_register
    from library.actions import get_or_create_corpus
    from library.models import Document, DocumentEmbedding
    from library.queue import QueueFilter, review_queue
    from taxonomy.actions import import_taxonomy

    started = time.monotonic()
    log = lambda message: print(f"[{time.monotonic() - started:6.0f}s] {message}", flush=True)  # noqa: E731
    options = Options(compact=compact)
    taxonomy = import_taxonomy(TAXONOMY, name="arxiv")
    base = train_and_register(taxonomy, [TRAIN], options, progress=log)
    versions.activate(base)

    dev, dev_vectors = labelled_with_vectors(taxonomy, DEV, progress=log)
    order = sorted(range(len(dev)), key=lambda i: dev.ids[i])
    first, second = order[: len(order) // 2], order[len(order) // 2 :]
    test, test_vectors = dev.subset(second), dev_vectors[second]

    corpus = get_or_create_corpus("arxiv-dev-first-half", taxonomy)
    encoder = trained_classifier(base).encoder
    records = {r.external_id: r for r in parse_file(DEV) if isinstance(r, ParsedRecord)}
    documents = Document.objects.bulk_create(  # without their categories
        Document(
            corpus=corpus,
            external_id=dev.ids[i],
            title=records[dev.ids[i]].title,
            abstract=records[dev.ids[i]].abstract,
            content_hash=records[dev.ids[i]].content_hash,
        )
        for i in first
    )
    DocumentEmbedding.objects.bulk_create(  # the vectors of the dev file, as the classifier would make them
        DocumentEmbedding(
            document=d, encoder=encoder.name, vector=dev_vectors[i].tobytes(), content_hash=d.content_hash
        )
        for d, i in zip(documents, first)
    )
    gold = {dev.ids[i]: dev.targets[i] for i in first}
    for start in range(0, len(documents), 256):
        classify_documents(taxonomy, documents[start : start + 256])
    log(f"classified {len(documents)} papers of the first half")
    queue = list(review_queue(QueueFilter(corpus=corpus.name)).documents)
    log(f"{len(queue)} of them wait for review")

    librarian = get_user_model().objects.create_user("loop-librarian")
    grant(librarian, Role.LIBRARIAN)

    def score(record) -> dict:
        result = evaluate(taxonomy, trained_classifier(record), DEV.name, test, test_vectors)
        return {name: round(getattr(result.shelfmark, name), 4) for name in FIGURES}

    runs = [{"decisions": 0, "model": base.version, **score(base)}]
    log(f"train file alone: {runs[-1]}")
    decided = 0
    for count in counts:
        for document in queue[decided:count]:
            for code in sorted(gold[document.external_id]):
                review.correct(document, code, by=librarian)
        decided = min(count, len(queue))
        model = train_and_register(taxonomy, [TRAIN, corpus], options, progress=log)
        runs.append({"decisions": decided, "model": model.version, **score(model)})
        log(f"after {decided} decisions: {runs[-1]}")
    lift = next(
        (r["precision_at_1"] - runs[0]["precision_at_1"] for r in runs if r["decisions"] == 500), None
    )
    return {
        "train": TRAIN.name,
        "scored_on": f"{DEV.name}, second half by id: {len(test)} papers, leaves",
        "decided_on": f"{DEV.name}, first half: {len(first)} papers, {len(queue)} waiting for review",
        "compact": compact,
        "runs": runs,
        "precision_at_1_lift_at_500": None if lift is None else round(lift, 4),
        "target_met": lift is not None and lift >= 0.01,
    }


if __name__ == "__main__":
    main()
