"""How often the demo's top subject is one of the paper's own arXiv categories.

    python bench/demo_subjects.py [--corpus arxiv-demo]

Reads the site `bin/demo` made (its database under var/): for each paper of the corpus, the first
subject the model chose (most specific first) against the categories kept in its metadata
(`arxiv_categories`, hidden from the classifier). Prints the figures and writes them to
bench/results/demo_subjects.json. Target: 85% or more.
"""

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(Path(__file__).resolve().parent), str(REPO)]
from procs import setup_django  # noqa: E402

TARGET = 0.85


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="arxiv-demo")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "demo_subjects.json")
    args = parser.parse_args()
    setup_django()
    from library.models import Document
    from library.queries import subjects_of

    documents = list(Document.objects.filter(corpus__name=args.corpus).order_by("pk"))
    subjects = subjects_of(d.pk for d in documents)
    tops = {
        d.pk: next((s for s in subjects[d.pk] if s.is_leaf and s.source == "model"), None) for d in documents
    }
    hits = [
        top is not None and top.code in d.metadata.get("arxiv_categories", [])
        for d, top in zip(documents, tops.values())
    ]
    primary = [
        top is not None and top.code == d.metadata.get("arxiv_categories", [None])[0]
        for d, top in zip(documents, tops.values())
    ]
    models = sorted({top.model_version for top in tops.values() if top is not None})
    figures = {
        "corpus": args.corpus,
        "documents": len(documents),
        "models": models,
        "top_subject_is_a_category": round(sum(hits) / max(len(documents), 1), 4),
        "top_subject_is_the_first_category": round(sum(primary) / max(len(documents), 1), 4),
        "without_subject": sum(top is None for top in tops.values()),
    }
    figures["target_met"] = figures["top_subject_is_a_category"] >= TARGET
    print(json.dumps(figures, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
