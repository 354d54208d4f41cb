"""The machine's matrix-multiply peak per precision, in GFLOP/s (int8: giga integer ops/s).

    python bench/peaks.py [--threads 2] [--precisions fp32,bf16,int8] [--size 2048]

fp32: numpy (OpenBLAS) on square float32 matrices; bf16: ``torch.matmul`` on bfloat16 ones; int8:
ONNX Runtime's ``MatMulInteger`` with uint8 activations times int8 weights and a zero point per
weight column, as the dynamically quantized encoder runs it. A product of two ``size``-square
matrices counts 2·size³ operations; each precision keeps the best of a few repeats after a warm-up.
``measure`` runs this in a child process whose environment holds the thread count, so OpenBLAS
starts with that many threads (run directly, it takes OPENBLAS_NUM_THREADS from yours).
"""

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable

REPEATS = 5


def measure(precisions: list[str], threads: int, size: int = 2048) -> dict[str, float]:
    """Each precision's peak on ``threads`` threads, measured in a child process."""
    count = str(threads)
    env = os.environ | {"OPENBLAS_NUM_THREADS": count, "OMP_NUM_THREADS": count, "MKL_NUM_THREADS": count}
    command = [sys.executable, __file__, "--threads", count, "--size", str(size)]
    command += ["--precisions", ",".join(precisions)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def fp32(size: int, threads: int) -> Callable[[], object]:
    """A float32 product by numpy; OpenBLAS took its thread count from the environment at start."""
    import numpy as np

    a, b = np.random.default_rng(0).standard_normal((2, size, size), dtype=np.float32)
    return lambda: a @ b


def bf16(size: int, threads: int) -> Callable[[], object]:
    """A bfloat16 product by torch on ``threads`` threads."""
    import torch

    torch.set_num_threads(threads)
    a, b = torch.randn(2, size, size, dtype=torch.bfloat16)
    return lambda: torch.matmul(a, b)


def int8(size: int, threads: int) -> Callable[[], object]:
    """A uint8 by int8 ``MatMulInteger`` (int32 out) on ONNX Runtime with ``threads`` threads."""
    import numpy as np
    import onnxruntime
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    weights = numpy_helper.from_array(rng.integers(-128, 128, (size, size), dtype=np.int8), "B")
    zero_points = numpy_helper.from_array(rng.integers(-8, 8, size, dtype=np.int8), "b_zero_point")
    graph = helper.make_graph(
        [helper.make_node("MatMulInteger", ["A", "B", "a_zero_point", "b_zero_point"], ["Y"])],
        "matmul_integer",
        [
            helper.make_tensor_value_info("A", TensorProto.UINT8, [size, size]),
            helper.make_tensor_value_info("a_zero_point", TensorProto.UINT8, []),
        ],
        [helper.make_tensor_value_info("Y", TensorProto.INT32, [size, size])],
        initializer=[weights, zero_points],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
    session = onnxruntime.InferenceSession(
        model.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )
    feed = {
        "A": rng.integers(0, 256, (size, size), dtype=np.uint8),
        "a_zero_point": np.array(128, dtype=np.uint8),
    }
    return lambda: session.run(None, feed)


PRECISIONS = {"fp32": fp32, "bf16": bf16, "int8": int8}


def best_seconds(product: Callable[[], object]) -> float:
    """The fastest of ``REPEATS`` runs of ``product``, after one to warm up."""
    product()
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        product()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--precisions", default=",".join(PRECISIONS))
    parser.add_argument("--size", type=int, default=2048)
    args = parser.parse_args()
    peaks = {}
    for precision in args.precisions.split(","):
        seconds = best_seconds(PRECISIONS[precision](args.size, args.threads))
        peaks[precision] = round(2 * args.size**3 / seconds / 1e9, 1)
    print(json.dumps(peaks))


if __name__ == "__main__":
    main()
