"""Text encoders behind a lazy registry: importing this module does not import torch."""

from collections.abc import Callable
from functools import cache
from importlib import import_module

from classifier.encoders.base import Encoder


def _torch(precision: str) -> Callable[[], Encoder]:
    def load() -> Encoder:
        return import_module("classifier.encoders.torch_encoder").TorchEncoder(precision)

    return load


ENCODERS: dict[str, Callable[[], Encoder]] = {
    "torch-fp32": _torch("fp32"),
    "torch-bf16": _torch("bf16"),
}


@cache
def get_encoder(name: str) -> Encoder:
    """The process-wide encoder of that name, loaded on first use."""
    try:
        factory = ENCODERS[name]
    except KeyError:
        raise ValueError(f"unknown encoder {name!r}; known: {', '.join(ENCODERS)}") from None
    return factory()
