"""Export a sentence-transformers folder to ONNX, fp32 and int8, in its own process.

    python -m classifier.encoders.onnx_export SOURCE TARGET

Only this process imports torch: the encoder that runs the result needs ONNX Runtime and the
tokenizer. TARGET gets ``model.onnx``, ``model-int8.onnx`` (weights quantized per output channel,
activations dynamically), ``tokenizer.json`` and ``encoder.json`` (sequence length, input names).
"""

import json
import shutil
import sys
from pathlib import Path

OPSET = 17
FORWARD_ORDER = ("input_ids", "attention_mask", "token_type_ids")  # BERT-style forward() arguments


def mean_pooled(source: Path) -> bool:
    """Whether the folder's pooling is the mean over tokens, which the encoder reproduces."""
    config = source / "1_Pooling" / "config.json"
    return config.exists() and json.loads(config.read_text()).get("pooling_mode_mean_tokens", False)


def export(source: Path, target: Path) -> None:
    """Write the ONNX graphs, tokenizer and settings of ``source`` into the new folder ``target``."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel, AutoTokenizer

    if not mean_pooled(source):
        raise ValueError(f"{source}: only mean-pooled sentence-transformers models can be exported")
    model = AutoModel.from_pretrained(source).eval()
    example = AutoTokenizer.from_pretrained(source)(["A title. An abstract."] * 2, return_tensors="pt")
    names = [name for name in FORWARD_ORDER if name in example]
    target.mkdir(parents=True)
    with torch.inference_mode():
        torch.onnx.export(
            model,
            tuple(example[name] for name in names),
            target / "model.onnx",
            input_names=names,
            output_names=["token_embeddings"],
            dynamic_axes={name: {0: "batch", 1: "tokens"} for name in [*names, "token_embeddings"]},
            opset_version=OPSET,
            dynamo=False,
        )
    quantize_dynamic(
        target / "model.onnx", target / "model-int8.onnx", per_channel=True, weight_type=QuantType.QInt8
    )
    shutil.copy(source / "tokenizer.json", target / "tokenizer.json")
    settings = json.loads((source / "sentence_bert_config.json").read_text())
    (target / "encoder.json").write_text(
        json.dumps({"max_seq_length": settings["max_seq_length"], "inputs": names, "source": str(source)})
    )


if __name__ == "__main__":
    export(Path(sys.argv[1]), Path(sys.argv[2]))
