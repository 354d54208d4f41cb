"""A 2-layer student of the real encoder, built on real arXiv abstracts on the CPU, and loaded back."""

import gzip
import io
import json
from itertools import islice

import numpy as np
import pytest
import torch
from django.core.management import call_command
from sentence_transformers import SentenceTransformer

from classifier.encoders import get_encoder
from classifier.encoders.torch_encoder import model_path
from classifier.finetuning import encode
from classifier.students import StudentOptions, agreement, build_student, kept_layers, layer_dropped
from classifier.zeroshot import document_text
from tests.conftest import ARXIV_DEV

CPU = torch.device("cpu")
QUICK = StudentOptions(layers=2, max_length=128, batch_size=8)


@pytest.fixture(scope="module")
def abstracts() -> list[str]:
    """48 dev abstracts: the first 32 teach the student, the others are held out."""
    with gzip.open(ARXIV_DEV, "rt", encoding="utf-8") as lines:
        return [document_text(r["title"], r["abstract"]) for r in map(json.loads, islice(lines, 48))]


@pytest.fixture(scope="module")
def teacher_vectors(abstracts) -> np.ndarray:
    return encode(SentenceTransformer(model_path(), device="cpu"), abstracts, device=CPU)


@pytest.fixture(scope="module")
def student(abstracts) -> SentenceTransformer:
    return build_student(model_path(), abstracts[:32], QUICK, CPU, progress=lambda m: None)


def test_the_student_keeps_evenly_spread_layers_ending_with_the_last():
    assert (
        kept_layers(6, 3) == [1, 3, 5] and kept_layers(6, 2) == [2, 5] and kept_layers(6, 6) == list(range(6))
    )
    with pytest.raises(ValueError, match="1 to 6 layers"):
        kept_layers(6, 7)


def test_training_brings_the_student_closer_to_the_teacher_on_held_out_abstracts(
    abstracts, teacher_vectors, student
):
    assert len(student[0].auto_model.encoder.layer) == 2 and student.max_seq_length == 128
    untrained = layer_dropped(model_path(), 2, 128)
    held_out = abstracts[32:]
    before = agreement(encode(untrained, held_out, 128, device=CPU), teacher_vectors[32:])
    after = agreement(encode(student, held_out, 128, device=CPU), teacher_vectors[32:])
    assert after > before + 0.05, (before, after)


def test_saved_student_loads_as_an_onnx_and_a_torch_encoder(abstracts, student, tmp_path, settings):
    settings.CLASSIFIER_CACHE_DIR = tmp_path / "cache"
    folder = tmp_path / "student-2l"
    student.save(str(folder))
    assert json.loads((folder / "config.json").read_text())["num_hidden_layers"] == 2
    exact = encode(student, abstracts, 128, device=CPU)
    onnx = get_encoder(f"onnx-fp32:{folder}")
    assert onnx.name == "student-2l/onnx-fp32" and onnx.max_tokens == 128
    vectors = onnx.encode(abstracts)
    assert (vectors * exact).sum(axis=1).min() > 0.999
    assert ((get_encoder(f"torch-fp32:{folder}").encode(abstracts) * exact).sum(axis=1).min()) > 0.999
    longest = sorted(abstracts, key=len)[-2:]
    in_batch = onnx.encode([longest[0], abstracts[5], longest[1]])[1]
    assert np.allclose(in_batch, onnx.encode([abstracts[5]])[0], atol=1e-6)
    assert (get_encoder(f"onnx-int8:{folder}").encode(abstracts) * exact).sum(axis=1).min() > 0.95


def test_the_same_seed_builds_the_same_student(abstracts, tmp_path):
    options = StudentOptions(layers=1, max_length=32, batch_size=4, epochs=1)
    built = [build_student(model_path(), abstracts[:8], options, CPU, lambda m: None) for _ in range(2)]
    first, second = (dict(b.named_parameters()) for b in built)
    assert all(torch.equal(first[name], second[name]) for name in first)


def test_distill_student_saves_a_student_under_the_model_folder_and_names_it(tmp_path, settings):
    settings.CLASSIFIER_MODEL_DIR = tmp_path / "models"
    source = tmp_path / "arxiv-16.jsonl"
    with gzip.open(ARXIV_DEV, "rt", encoding="utf-8") as lines:
        source.write_text("".join(islice(lines, 16)), encoding="utf-8")
    out = io.StringIO()
    call_command(
        "distill", "--student", "--layers", "1", "--from", str(source), "--max-length", "32",
        "--limit", "8", "--encoder-only", stdout=out,
    )  # fmt: skip
    (folder,) = (settings.CLASSIFIER_MODEL_DIR / "encoders").iterdir()
    assert folder.name.startswith("student-1l-")
    assert json.loads((folder / "config.json").read_text())["num_hidden_layers"] == 1
    assert f"onnx-fp32:{folder} or onnx-int8:{folder}" in out.getvalue()
