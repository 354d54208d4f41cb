"""Fine-tune the distilled encoder end to end on labelled documents, optionally from a teacher.

The student (a sentence-transformers model) gets a linear head over its unit-length document
vector and learns one binary target per subject. With a teacher, each target mixes the gold label
with the teacher's temperature-softened probability (Hinton et al., 2015; one binary distribution
per subject, since documents have several). The same code runs on the CPU and on an NVIDIA GPU,
under bf16 autocast where the hardware computes bf16. It imports only numpy, torch,
sentence-transformers and the encoder module, so it also runs where Django is not installed.
"""

import contextlib
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from sentence_transformers import SentenceTransformer

from classifier.encoders.base import Encoder
from classifier.encoders.torch_encoder import native_bf16


@dataclass(frozen=True)
class FinetuneOptions:
    epochs: int = 3
    batch_size: int = 64
    learning_rate: float = 5e-5  # the encoder's
    head_learning_rate: float = 5e-3
    warmup: float = 0.06  # fraction of the steps spent warming the learning rate up
    max_length: int = 256  # tokens per document
    alpha: float = 0.5  # weight of the teacher's soft targets; 0 learns from the labels alone
    temperature: float = 2.0
    freeze_word_embeddings: bool = True
    seed: int = 0


DEFAULTS = FinetuneOptions()


def pick_device(name: str = "auto") -> torch.device:
    """``auto`` is the GPU when there is one, else the CPU."""
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(name)


def distillation_loss(
    logits: torch.Tensor,
    labels: torch.Tensor,
    teacher_logits: torch.Tensor | None,
    alpha: float,
    temperature: float,
) -> torch.Tensor:
    """Binary cross-entropy to the labels, mixed with the T²-scaled one to the teacher's soft targets."""
    hard = F.binary_cross_entropy_with_logits(logits, labels)
    if teacher_logits is None or alpha == 0:
        return hard
    soft_targets = torch.sigmoid(teacher_logits / temperature)
    soft = F.binary_cross_entropy_with_logits(logits / temperature, soft_targets) * temperature**2
    return (1 - alpha) * hard + alpha * soft


def autocast(device: torch.device):
    """bf16 autocast on a GPU and on CPUs with bf16 hardware; fp32 where bf16 would be emulated."""
    if device.type == "cpu" and not native_bf16():
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=torch.bfloat16)


def embed(
    student: SentenceTransformer, texts: Sequence[str], max_length: int, device: torch.device
) -> torch.Tensor:
    """The model's pooled document vectors, with gradients, for texts cut to ``max_length`` tokens."""
    features = student.tokenizer(
        list(texts), padding=True, truncation=True, max_length=max_length, return_tensors="pt"
    )
    return student({key: value.to(device) for key, value in features.items()})["sentence_embedding"]


def linear_schedule(
    optimizer: torch.optim.Optimizer, total: int, warmup: float
) -> torch.optim.lr_scheduler.LambdaLR:
    """The learning rate rises linearly over the first ``warmup`` fraction of ``total`` steps, then
    falls linearly to zero."""
    rising = max(1, int(warmup * total))
    return torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / rising, max(0.0, (total - step) / max(1, total - rising)))
    )


def finetune(
    student: SentenceTransformer,
    texts: Sequence[str],
    labels: np.ndarray,
    teacher_logits: np.ndarray | None = None,
    options: FinetuneOptions = DEFAULTS,
    device: torch.device | None = None,
    progress: Callable[[str], None] = print,
) -> torch.nn.Linear:
    """Train ``student`` in place on (documents, subjects) ``labels`` (n × k, 0/1); returns its head."""
    device = device or pick_device()
    torch.manual_seed(options.seed)
    generator = np.random.default_rng(options.seed)
    student.to(device).train()
    if options.freeze_word_embeddings:
        student[0].auto_model.embeddings.word_embeddings.weight.requires_grad_(False)
    head = torch.nn.Linear(student.get_sentence_embedding_dimension(), labels.shape[1]).to(device)
    encoder_parameters = [p for p in student.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(
        [
            {"params": encoder_parameters, "lr": options.learning_rate},
            {"params": head.parameters(), "lr": options.head_learning_rate},
        ],
        weight_decay=0.01,
    )
    total = math.ceil(len(texts) / options.batch_size) * options.epochs
    schedule = linear_schedule(optimizer, total, options.warmup)
    started, step = time.monotonic(), 0
    for epoch in range(options.epochs):
        order = generator.permutation(len(texts))
        for first in range(0, len(order), options.batch_size):
            batch = order[first : first + options.batch_size]
            with autocast(device):
                logits = head(embed(student, [texts[i] for i in batch], options.max_length, device))
            loss = distillation_loss(
                logits.float(),
                torch.as_tensor(labels[batch], dtype=torch.float32, device=device),
                None
                if teacher_logits is None
                else torch.as_tensor(teacher_logits[batch], dtype=torch.float32, device=device),
                options.alpha,
                options.temperature,
            )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(encoder_parameters, 1.0)
            optimizer.step()
            schedule.step()
            step += 1
            if step % 200 == 0 or step == total:
                rate = step * options.batch_size / (time.monotonic() - started)
                progress(f"epoch {epoch + 1} step {step}/{total} loss {loss.item():.4f} ({rate:.0f} docs/s)")
    student.eval()
    return head.eval()


@torch.inference_mode()
def encode(
    student: SentenceTransformer,
    texts: Sequence[str],
    max_length: int = 256,
    batch_size: int = 256,
    device: torch.device | None = None,
) -> np.ndarray:
    """Unit document vectors (n × dims, float32), longest texts batched together."""
    device = device or pick_device()
    student.to(device).eval()
    order = np.argsort([-len(text) for text in texts], kind="stable")
    vectors = np.zeros((len(texts), student.get_sentence_embedding_dimension()), np.float32)
    for first in range(0, len(order), batch_size):
        batch = order[first : first + batch_size]
        with autocast(device):
            embedded = embed(student, [texts[i] for i in batch], max_length, device)
        vectors[batch] = embedded.float().cpu().numpy()
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def probe_logits(
    train_vectors: np.ndarray,
    train_labels: np.ndarray,
    vectors: np.ndarray,
    epochs: int = 200,
    device: torch.device | None = None,
) -> np.ndarray:
    """Logits of a one-vs-rest logistic head fitted on fixed vectors (full batch, Adam)."""
    device = device or pick_device()
    torch.manual_seed(0)
    x = torch.as_tensor(train_vectors, dtype=torch.float32, device=device)
    y = torch.as_tensor(train_labels, dtype=torch.float32, device=device)
    head = torch.nn.Linear(x.shape[1], y.shape[1]).to(device)
    optimizer = torch.optim.Adam(head.parameters(), lr=0.05, weight_decay=1e-6)
    for _ in range(epochs):
        optimizer.zero_grad()
        F.binary_cross_entropy_with_logits(head(x), y).backward()
        optimizer.step()
    with torch.no_grad():
        return head(torch.as_tensor(vectors, dtype=torch.float32, device=device)).cpu().numpy()


def cross_fitted_logits(vectors: np.ndarray, labels: np.ndarray, folds: int = 2) -> np.ndarray:
    """A teacher's logits for every document from a probe that never saw it: its soft targets."""
    fold = np.arange(len(vectors)) % folds
    logits = np.zeros(labels.shape, np.float32)
    for k in range(folds):
        held = fold == k
        logits[held] = probe_logits(vectors[~held], labels[~held], vectors[held])
    return logits


class TunedEncoder(Encoder):
    """A model being trained, encoding on its own device, under the name it will be loaded by."""

    def __init__(self, student: SentenceTransformer, name: str, device: torch.device) -> None:
        self.student, self.name, self.device = student, name, device
        self.dimensions = student.get_sentence_embedding_dimension()

    def _encode(self, texts: list[str]) -> np.ndarray:
        return encode(self.student, texts, self.student.max_seq_length, device=self.device)
