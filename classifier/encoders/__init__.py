"""Text encoders behind a lazy registry: importing this module does not import torch.

An encoder is named by a registry entry, optionally followed by ``:`` and the folder of a
sentence-transformers model to load instead of the default one (a fine-tuned encoder, say):
``onnx-fp32`` or ``onnx-fp32:/var/shelfmark/encoders/arxiv-20261126``. The ``onnx-*`` entries run
on ONNX Runtime and keep torch out of the process; ``torch-*`` run on PyTorch.
"""

from collections.abc import Callable
from functools import cache
from importlib import import_module
from pathlib import Path

from classifier.encoders.base import Encoder


def _torch(precision: str) -> Callable[[str | None], Encoder]:
    def load(folder: str | None) -> Encoder:
        return import_module("classifier.encoders.torch_encoder").TorchEncoder(precision, folder)

    return load


def _onnx(precision: str) -> Callable[[str | None], Encoder]:
    def load(folder: str | None) -> Encoder:
        from django.conf import settings

        from classifier.encoders.onnx_encoder import OnnxEncoder
        from classifier.encoders.torch_encoder import model_path

        source = Path(folder or model_path())
        label = source.name if folder else "all-MiniLM-L6-v2"
        return OnnxEncoder(precision, source, settings.CLASSIFIER_CACHE_DIR / "onnx", label)

    return load


ENCODERS: dict[str, Callable[[str | None], Encoder]] = {
    "torch-fp32": _torch("fp32"),
    "torch-bf16": _torch("bf16"),
    "onnx-fp32": _onnx("fp32"),
    "onnx-int8": _onnx("int8"),
}


def with_folder(name: str, folder: str) -> str:
    """The name of registry entry ``name``'s encoder loaded from ``folder``."""
    return f"{name.split(':', 1)[0]}:{folder}"


@cache
def get_encoder(name: str) -> Encoder:
    """The process-wide encoder of that name, loaded on first use."""
    kind, _, folder = name.partition(":")
    try:
        factory = ENCODERS[kind]
    except KeyError:
        raise ValueError(f"unknown encoder {kind!r}; known: {', '.join(ENCODERS)}") from None
    return factory(folder or None)
