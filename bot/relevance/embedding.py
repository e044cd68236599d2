"""Meaning, computed once per paper: static token embeddings shipped inside the `wordllama` wheel.

WordLlama's vectors are a 32k-token table (16 MB of weights in the wheel); a text's embedding is
the mean of its tokens' rows, normalised. Nothing is downloaded: the loader is pointed at the
package's own directory with downloads disabled (its default looks for `tokenizer/` while the
wheel ships `tokenizers/`, then tries the model hub). We pool ourselves, without padding, which
is faster than `WordLlamaInference.embed` and needs a fraction of its memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from bot.domain.paper import Paper

Vectors = NDArray[np.float32]

DIMENSIONS = 256
_CHUNK = 16  # texts tokenized and pooled together: bounds the gathered token rows to ~5 MB


class EmbeddingUnavailable(RuntimeError):
    """The model's weights are not in the installed package (a broken or partial install)."""


@dataclass(frozen=True, slots=True)
class TextEmbedder:
    """Turns texts into unit vectors of `dimensions` floats; cosine similarity is a dot product."""

    table: NDArray[np.float16]  # (vocabulary, dimensions), one row per token, as the wheel ships it
    tokenizer: Any  # tokenizers.Tokenizer: encode_batch(texts) -> encodings with .ids

    @property
    def dimensions(self) -> int:
        """How many floats a vector has."""
        return int(self.table.shape[1])

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One unit vector per text, in order; an empty text gets the zero vector."""
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for start in range(0, len(texts), _CHUNK):
            chunk = list(texts[start : start + _CHUNK])
            ids = [e.ids for e in self.tokenizer.encode_batch(chunk, add_special_tokens=False)]
            out[start : start + len(chunk)] = self._pool(ids)
        return out

    def _pool(self, ids: list[list[int]]) -> Vectors:
        lengths = np.fromiter((len(i) for i in ids), dtype=np.int64, count=len(ids))
        pooled = np.zeros((len(ids), self.dimensions), dtype=np.float32)
        present = lengths > 0
        if not present.any():
            return pooled
        flat = np.fromiter((t for i in ids for t in i), dtype=np.int64, count=int(lengths.sum()))
        np.clip(flat, 0, self.table.shape[0] - 1, out=flat)
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))[present]
        rows = self.table[flat].astype(np.float32)
        pooled[present] = np.add.reduceat(rows, starts, axis=0)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        np.divide(pooled, norms, out=pooled, where=norms > 0)
        return pooled


def paper_text(paper: Paper) -> str:
    """What a paper's vector is made of: its title and abstract (never its categories)."""
    return f"{paper.title}. {paper.abstract}"


@cache
def load_embedder() -> TextEmbedder:
    """The wheel's model, loaded once per process without touching the network."""
    try:
        import wordllama
        from wordllama import WordLlama
    except ImportError as error:  # pragma: no cover - a declared dependency
        raise EmbeddingUnavailable("the `wordllama` package is not installed") from error
    package = Path(wordllama.__file__).parent
    try:
        model = WordLlama.load(cache_dir=package, dim=DIMENSIONS, disable_download=True)
    except FileNotFoundError as error:
        raise EmbeddingUnavailable(f"wordllama's weights are missing from {package}: {error}") from error
    tokenizer = model.tokenizer
    tokenizer.no_padding()
    tokenizer.no_truncation()
    # The wheel's weights are float16; wordllama widens them to float32. Kept narrow, they take
    # 16 MB instead of 32, and each chunk's rows are widened when pooled: the same sums.
    return TextEmbedder(np.ascontiguousarray(model.embedding, dtype=np.float16), tokenizer)
