"""The distilled encoder through ONNX Runtime, in fp32 or int8, without torch in the process.

The sentence-transformers folder is exported once per version of its weights, by a child process
(``onnx_export``), into ``cache``; every later process only loads the result. fp32 gives the same
vectors as PyTorch; int8 is faster, at a cosine of about 0.99 to them. Each document runs alone:
without padding that is faster on the CPU than batches, and since int8 scales activations over what
it is given, a document's vector then depends on that document only.
"""

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from classifier.encoders.base import Encoder, encoder_threads

GRAPHS = {"fp32": "model.onnx", "int8": "model-int8.onnx"}


def exported(source: Path, cache: Path) -> Path:
    """The ONNX export of ``source`` under ``cache``, made now in a child process if missing."""
    weights = max(source.glob("*.safetensors"), default=source / "modules.json")
    stamp = f"{source.resolve()}:{weights.stat().st_size}:{weights.stat().st_mtime_ns}"
    folder = cache / f"{source.name}-{hashlib.sha256(stamp.encode()).hexdigest()[:12]}"
    if (folder / "encoder.json").exists():
        return folder
    cache.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=cache, prefix=".export-"))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "classifier.encoders.onnx_export", str(source), str(scratch / "out")],
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        if done.returncode:
            raise RuntimeError(f"exporting {source} to ONNX failed:\n{done.stderr[-2000:]}")
        try:
            (scratch / "out").rename(folder)
        except OSError:  # another process finished the same export first
            if not (folder / "encoder.json").exists():
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return folder


class OnnxEncoder(Encoder):
    """A mean-pooled sentence-transformers model (all-MiniLM-L6-v2 by default) on ONNX Runtime."""

    def __init__(self, precision: str, source: Path, cache: Path, label: str = "") -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        folder = exported(source, cache)
        settings = json.loads((folder / "encoder.json").read_text())
        self.name = f"{label or source.name}/onnx-{precision}"
        self.inputs = settings["inputs"]
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.max_tokens = settings["max_seq_length"]
        self.tokenizer.enable_truncation(self.max_tokens)
        self.tokenizer.no_padding()  # the file may pad to a fixed length; a document runs alone
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = encoder_threads() or 0
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(
            str(folder / GRAPHS[precision]), options, providers=["CPUExecutionProvider"]
        )
        self.dimensions = self.session.get_outputs()[0].shape[-1]

    def _encode(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._mean_pooled(text.strip()) for text in texts])

    def _mean_pooled(self, text: str) -> np.ndarray:
        encoding = self.tokenizer.encode(text)
        feed = {
            "input_ids": np.array([encoding.ids], dtype=np.int64),
            "attention_mask": np.array([encoding.attention_mask], dtype=np.int64),
            "token_type_ids": np.array([encoding.type_ids], dtype=np.int64),
        }
        tokens = self.session.run(None, {name: feed[name] for name in self.inputs})[0]
        return tokens[0].mean(axis=0)
