"""The matrix-multiply work a BERT-style encoder does on a document, from its config and token count."""

import json
from pathlib import Path


def transformer_shape(folder: Path) -> dict[str, int]:
    """Hidden size, feed-forward size and layer count of the transformer in a sentence-transformers
    folder (a student has fewer layers than its teacher)."""
    config = json.loads((folder / "config.json").read_text())
    return {key: config[key] for key in ("hidden_size", "intermediate_size", "num_hidden_layers")}


def gflop(tokens: int, hidden_size: int, intermediate_size: int, num_hidden_layers: int) -> float:
    """GFLOP of the matrix products of one document of ``tokens`` (n) tokens.

    Per layer and token: 2·(4·d² + 2·d·ff) for the query, key, value and output projections and
    the feed-forward's two, plus 2·2·n·d for the attention scores and their weighted sum (d: hidden
    size, ff: feed-forward size); times n tokens and the layers. Embeddings, layer norms, softmax
    and pooling are left out. all-MiniLM-L6-v2 (d 384, ff 1536, 6 layers) at 240 tokens: 5.6.
    """
    d, ff = hidden_size, intermediate_size
    per_token = 2 * (4 * d * d + 2 * d * ff) + 2 * 2 * tokens * d
    return per_token * tokens * num_hidden_layers / 1e9
