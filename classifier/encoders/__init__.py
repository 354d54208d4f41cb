"""Text encoders behind a lazy registry: importing this module does not import torch.

An encoder is named by a registry entry, optionally followed by ``:`` and the folder of a
sentence-transformers model to load instead of the default one (a fine-tuned encoder, say):
``torch-bf16`` or ``torch-bf16:/var/shelfmark/encoders/arxiv-20261126``.
"""

from collections.abc import Callable
from functools import cache
from importlib import import_module

from classifier.encoders.base import Encoder


def _torch(precision: str) -> Callable[[str | None], Encoder]:
    def load(folder: str | None) -> Encoder:
        return import_module("classifier.encoders.torch_encoder").TorchEncoder(precision, folder)

    return load


ENCODERS: dict[str, Callable[[str | None], Encoder]] = {
    "torch-fp32": _torch("fp32"),
    "torch-bf16": _torch("bf16"),
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
