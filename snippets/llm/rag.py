"""Retrieval for RAG in numpy: cosine top-k over embedding vectors, and a toy character-bigram
embedding to try it on Chinese text."""

# --8<-- [start:imports]
from itertools import pairwise

import numpy as np

# --8<-- [end:imports]


# --8<-- [start:whiteboard]
def cosine_top_k_whiteboard(query, docs, k):
    """query (d,), docs (N, d): indices and cosine similarities of the k most similar docs."""
    q = query / np.linalg.norm(query)
    d = docs / np.linalg.norm(docs, axis=1, keepdims=True)  # 每行单位化
    scores = d @ q
    top = np.argsort(-scores, kind="stable")[:k]  # 同分时编号小的在前
    return top, scores[top]


# --8<-- [end:whiteboard]


# --8<-- [start:check]
def _as_vectors(x, name: str, ndim: tuple[int, ...]) -> np.ndarray:
    a = np.asarray(x)
    if a.dtype == bool or not np.issubdtype(a.dtype, np.number) or np.iscomplexobj(a):
        raise TypeError(f"{name} must be an array of real numbers, got dtype {a.dtype}")
    if a.ndim not in ndim:
        raise ValueError(f"{name} must have {' or '.join(map(str, ndim))} axes, got {a.shape}")
    if not np.isfinite(a).all():
        raise ValueError(f"{name} must not contain NaN or inf")
    return a.astype(np.float64)  # pragma: no mutate (astype(None) is float64 too)


# --8<-- [end:check]


# --8<-- [start:cosine_top_k]
def _unit_rows(x: np.ndarray) -> np.ndarray:
    """Each row divided by its length; a zero row stays zero (cosine 0 with everything,
    as sklearn.metrics.pairwise.cosine_similarity does)."""
    # x is always 2-D here (atleast_2d queries, docs): axis 1 is axis -1.
    norm = np.linalg.norm(x, axis=-1, keepdims=True)  # pragma: no mutate
    return np.divide(x, norm, out=np.zeros_like(x), where=norm > 0)


def cosine_top_k(query, docs, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k documents most similar to each query by cosine similarity.

    query (d,) or (Q, d), docs (N, d), 1 <= k <= N. Returns (indices, scores), each (k,) or
    (Q, k), best first; equal computed scores keep document order (smaller index first). A zero
    vector has cosine 0 with everything.
    """
    q = _as_vectors(query, "query", (1, 2))
    docs = _as_vectors(docs, "docs", (2,))
    if q.shape[-1] != docs.shape[1]:
        raise ValueError(f"query has {q.shape[-1]} features, docs have {docs.shape[1]}")
    if isinstance(k, bool) or not isinstance(k, int | np.integer):
        raise TypeError(f"k must be an int, got {type(k).__name__}")
    if not 1 <= k <= len(docs):
        raise ValueError(f"k must be in [1, {len(docs)}] (number of docs), got {k}")
    scores = _unit_rows(np.atleast_2d(q)) @ _unit_rows(docs).T  # (Q, N)
    # scores is (Q, N): axis 1 is the default axis -1; numpy ignores the case of kind.
    top = np.argsort(-scores, axis=1, kind="stable")[:, :k]  # pragma: no mutate
    top_scores = np.take_along_axis(scores, top, axis=1)  # pragma: no mutate (as above)
    return (top[0], top_scores[0]) if q.ndim == 1 else (top, top_scores)


# --8<-- [end:cosine_top_k]


# --8<-- [start:embed]
def bigram_embedding(texts: list[str], dim: int = 4096) -> np.ndarray:
    """A toy embedding: counts of each text's character bigrams, hashed into dim buckets.

    Deterministic (crc32, not Python's salted hash); different bigrams can share a bucket,
    fewer the more buckets there are. A real system uses a trained encoder
    whose vectors put paraphrases close together; this one only sees shared characters.
    """
    from zlib import crc32

    out = np.zeros((len(texts), dim))
    for row, text in enumerate(texts):
        for a, b in pairwise(text):
            out[row, crc32((a + b).encode()) % dim] += 1
    return out


# --8<-- [end:embed]


# --8<-- [start:plot]
def plot_cosine_vs_dot():
    """Five document vectors and a query: the dot product favours the long vector, cosine
    the one pointing the same way."""
    import matplotlib.pyplot as plt

    docs = np.array([[3.2, 2.2], [0.9, 0.4], [0.2, 1.0], [-0.8, 0.6], [1.2, -0.5]])
    query = np.array([1.0, 0.35])
    best_cos = cosine_top_k(query, docs, 1)[0][0]
    best_dot = int(np.argmax(docs @ query))
    fig, ax = plt.subplots(figsize=(5.2, 4.0))
    for i, (x, y) in enumerate(docs):
        color = "C1" if i == best_cos else "C2" if i == best_dot else "0.6"
        ax.annotate("", (x, y), (0, 0), arrowprops={"arrowstyle": "->", "color": color, "lw": 1.5})
        ax.text(x * 1.05, y * 1.05 + 0.08, f"文档 {i}", color=color, fontsize=9)
    ax.annotate("", query, (0, 0), arrowprops={"arrowstyle": "->", "color": "C0", "lw": 2.5})
    ax.text(query[0] - 0.2, query[1] - 0.3, "查询", color="C0")
    ax.set_title(f"点积最大：文档 {best_dot}；余弦最大：文档 {best_cos}", fontsize=10)
    ax.set_xlim(-1.2, 3.8)
    ax.set_ylim(-0.9, 2.8)
    ax.set_aspect("equal")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


# --8<-- [end:plot]


if __name__ == "__main__":
    docs = np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 3.0], [0.0, 0.0]])
    idx, scores = cosine_top_k([2.0, 0.1], docs, 2)
    assert idx.tolist() == [0, 2]
    assert np.isclose(scores[0], 2 / np.hypot(2, 0.1))
    idx, scores = cosine_top_k([0.0, 0.0], docs, 4)  # zero query: all 0, document order
    assert idx.tolist() == [0, 1, 2, 3]
    assert not scores.any()
    passages = ["KV cache 存下每层的键和值", "BPE 把常见的字节对合并", "检索增强生成先检索再生成"]
    vectors = bigram_embedding(passages)
    best, _ = cosine_top_k(bigram_embedding(["什么是检索增强生成"])[0], vectors, 1)
    assert best[0] == 2
    print("retrieved:", passages[best[0]])
