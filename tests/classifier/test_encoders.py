"""The encoders of the registry give the same document vectors, each on its own runtime."""

import gzip
import json
import subprocess
import sys
from itertools import islice

import numpy as np
import pytest

from classifier.encoders import get_encoder
from classifier.encoders.base import CHARS_PER_TOKEN
from classifier.encoders.torch_encoder import native_bf16
from tests.conftest import ARXIV_DEV, SHARED_DATA
from tests.helpers import huge_abstract

FULL_TEXTS = SHARED_DATA / "corpora" / "unarxive-fulltext-sample.jsonl.gz"


@pytest.fixture(scope="module")
def abstracts() -> list[str]:
    with gzip.open(ARXIV_DEV, "rt", encoding="utf-8") as lines:
        texts = [f"{r['title']}. {r['abstract']}" for r in map(json.loads, islice(lines, 24))]
    return [*texts, "A title alone", "  Spaces around a title  "]


@pytest.fixture(scope="module")
def exact(abstracts) -> np.ndarray:
    return get_encoder("torch-fp32").encode(abstracts)


@pytest.mark.parametrize(("name", "least_cosine"), [("onnx-fp32", 0.9999), ("onnx-int8", 0.97)])
def test_onnx_encoders_match_pytorch_and_ignore_the_other_documents(abstracts, exact, name, least_cosine):
    encoder = get_encoder(name)
    vectors = encoder.encode(abstracts)
    assert encoder.name == f"all-MiniLM-L6-v2/{name}" and vectors.shape == exact.shape
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert (vectors * exact).sum(axis=1).min() > least_cosine
    alone = encoder.encode(abstracts[3:4])[0]  # a document's vector is its own, int8 included
    assert np.array_equal(alone, vectors[3])


def test_bf16_entry_runs_bf16_only_on_bf16_hardware_and_matches_fp32(abstracts, exact):
    encoder = get_encoder("torch-bf16")
    assert encoder.name.endswith("/bf16" if native_bf16() else "/fp32")
    assert (encoder.encode(abstracts) * exact).sum(axis=1).min() > 0.999


def test_a_process_encoding_with_onnx_never_imports_torch(settings):
    get_encoder("onnx-fp32")  # exported here first, so the child only loads
    script = (
        "import sys, django; django.setup()\n"
        "from classifier.encoders import get_encoder\n"
        "get_encoder('onnx-fp32').encode(['Graph neural networks for molecules'])\n"
        "print('torch' in sys.modules, 'transformers' in sys.modules)"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "CLASSIFIER_CACHE_DIR": str(settings.CLASSIFIER_CACHE_DIR),
    }
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.split() == ["False", "False"]


class ReadingTokenizer:
    """A tokenizer that notes how many characters it is given."""

    def __init__(self, tokenizer) -> None:
        self.tokenizer, self.read = tokenizer, []

    def encode(self, text: str):
        self.read.append(len(text))
        return self.tokenizer.encode(text)


def test_text_is_cut_before_the_tokenizer_without_changing_real_texts(abstracts, monkeypatch):
    encoder = get_encoder("onnx-fp32")
    limit = encoder.max_tokens * CHARS_PER_TOKEN
    with gzip.open(FULL_TEXTS, "rt", encoding="utf-8") as lines:
        full_texts = [r["full_text"] for r in map(json.loads, islice(lines, 10))]
    pieces = [t[i : i + 3 * limit] for t in full_texts for i in range(0, len(t), 3 * limit)]
    for text in [*abstracts, *pieces]:  # the tokenizer keeps the same first max_tokens of each
        assert encoder.tokenizer.encode(text).ids == encoder.tokenizer.encode(text[:limit]).ids

    reading = ReadingTokenizer(encoder.tokenizer)
    monkeypatch.setattr(encoder, "tokenizer", reading)
    huge = huge_abstract(2000)
    assert np.array_equal(encoder.encode([huge]), encoder.encode([huge[:limit]]))
    assert reading.read == [limit, limit] and len(huge) > 50 * limit
