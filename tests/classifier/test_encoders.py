"""The encoder registry's bf16 entry: fast where the CPU has bf16 hardware, correct everywhere."""

import gzip
import json
from itertools import islice

import numpy as np

from classifier.encoders import get_encoder
from classifier.encoders.torch_encoder import native_bf16
from tests.conftest import ARXIV_DEV


def test_bf16_entry_runs_bf16_only_on_bf16_hardware_and_matches_fp32():
    with gzip.open(ARXIV_DEV, "rt", encoding="utf-8") as lines:
        texts = [f"{r['title']}. {r['abstract']}" for r in map(json.loads, islice(lines, 16))]
    fast, exact = get_encoder("torch-bf16"), get_encoder("torch-fp32")
    assert fast.name.endswith("/bf16" if native_bf16() else "/fp32")
    cosines = (fast.encode(texts) * exact.encode(texts)).sum(axis=1)
    assert cosines.min() > 0.999
    assert np.allclose(np.linalg.norm(fast.encode(texts[:2]), axis=1), 1, atol=1e-5)
