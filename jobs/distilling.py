"""Fine-tune the student encoder on a labelled file, from its labels and a teacher if given; or build
a smaller student of the configured encoder from the texts of a file."""

from collections.abc import Callable
from itertools import islice
from pathlib import Path

import numpy as np
from django.conf import settings
from django.utils import timezone

from classifier.encoders import get_encoder, with_folder
from classifier.finetuning import (
    DEFAULTS,
    FinetuneOptions,
    TunedEncoder,
    cross_fitted_logits,
    finetune,
    pick_device,
)
from classifier.students import StudentOptions, build_student
from classifier.teacher import TEACHER, teacher_folder
from classifier.training.data import validation_split
from classifier.training.fitting import target_matrix
from classifier.training.pipeline import VALIDATION_FRACTION
from jobs.training import file_texts, file_vectors, read_labelled_file
from taxonomy.labels import LabelResolver
from taxonomy.models import Taxonomy
from taxonomy.tree import Tree


def teacher_logits(
    path: Path, teacher: str, positions: list[int], labels: np.ndarray, progress
) -> np.ndarray:
    """The teacher's out-of-fold logits for the training documents (``positions`` in the file)."""
    folder = teacher_folder() if teacher == TEACHER else Path(teacher)
    encoder = get_encoder(with_folder(settings.CLASSIFIER_ENCODER, str(folder)))
    vectors = file_vectors(path, encoder, progress)[positions].astype(np.float32)
    progress(f"teacher {encoder.name}: soft targets from a 2-fold probe on its vectors")
    return cross_fitted_logits(vectors, labels)


def distill_from_file(
    taxonomy: Taxonomy,
    path: Path,
    teacher: str = "",
    options: FinetuneOptions = DEFAULTS,
    device: str = "auto",
    progress: Callable[[str], None] = print,
) -> str:
    """Fine-tune the configured encoder on the file's training split; returns the new encoder's name.

    The validation split is held out, as ``train`` calibrates on it. The file's vectors from the
    new encoder are computed on the training device and cached for the heads that ``train`` fits.
    """
    path = Path(path)
    tree = Tree.from_taxonomy(taxonomy)
    data, positions = read_labelled_file(path, LabelResolver(tree))
    train, _ = validation_split(data.ids, VALIDATION_FRACTION)
    labels = target_matrix(tree, sorted(tree.parents), [data.targets[i] for i in train])
    labels = labels[:, labels.any(axis=0)].astype(np.float32)
    progress(f"{len(train)} training documents, {labels.shape[1]} subjects")
    soft = teacher_logits(path, teacher, [positions[i] for i in train], labels, progress) if teacher else None

    from sentence_transformers import SentenceTransformer

    student = SentenceTransformer(configured_folder(), device="cpu")  # never the process-wide instance
    where = pick_device(device)
    progress(f"fine-tuning {settings.CLASSIFIER_ENCODER} on {where}")
    finetune(student, [data.texts[i] for i in train], labels, soft, options, where, progress)
    return _saved(student, path, taxonomy.name, where, progress)


def student_from_file(
    path: Path,
    options: StudentOptions,
    limit: int | None = None,
    device: str = "auto",
    cache_vectors: bool = True,
    progress: Callable[[str], None] = print,
) -> str:
    """Build a student of the configured encoder with ``options.layers`` of its layers, trained to give
    its vectors for the file's first ``limit`` texts (all by default); returns the student's name.

    With ``cache_vectors``, the whole file's vectors from the student are computed on the training
    device and cached for the heads that ``train`` fits.
    """
    path = Path(path)
    texts = list(islice(file_texts(path), limit))
    where = pick_device(device)
    student = build_student(configured_folder(), texts, options, where, progress)
    name = _saved(student, path if cache_vectors else None, f"student-{options.layers}l", where, progress)
    folder = name.partition(":")[2]
    progress(f"load it as {with_folder('onnx-fp32', folder)} or {with_folder('onnx-int8', folder)}")
    return name


def configured_folder() -> str:
    """The sentence-transformers folder of the configured encoder."""
    _, _, folder = settings.CLASSIFIER_ENCODER.partition(":")
    if not folder:
        from classifier.encoders.torch_encoder import model_path

        folder = model_path()
    return folder


def _saved(student, path: Path | None, prefix: str, where, progress: Callable[[str], None]) -> str:
    """Save a trained encoder under the model folder; cache the vectors of ``path``, if given, from it
    on its own device; returns its name."""
    folder = Path(settings.CLASSIFIER_MODEL_DIR) / "encoders" / f"{prefix}-{timezone.now():%Y%m%d-%H%M%S}"
    student.save(str(folder))
    name = with_folder(settings.CLASSIFIER_ENCODER, str(folder))
    if path is not None:
        file_vectors(path, TunedEncoder(student, get_encoder(name).name, where), progress)
    progress(f"saved the encoder to {folder}")
    return name
