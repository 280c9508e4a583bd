"""cosine_top_k against a brute-force loop and sklearn's cosine_similarity, with ties, zero
vectors and bad input."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from llm.rag import bigram_embedding, cosine_top_k, cosine_top_k_whiteboard

rng = np.random.default_rng(0)


def brute_force(query, docs, k):
    """Cosine with math.fsum for each doc, then sort by (-score, index)."""

    def cos(a, b):
        na, nb = math.sqrt(math.fsum(x * x for x in a)), math.sqrt(math.fsum(x * x for x in b))
        if na == 0 or nb == 0:
            return 0.0
        return math.fsum(x * y for x, y in zip(a, b, strict=True)) / (na * nb)

    scored = sorted(((-cos(query, d), i) for i, d in enumerate(docs)))
    return [i for _, i in scored[:k]], [-s for s, _ in scored[:k]]


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.int64, st.tuples(st.integers(1, 8), st.integers(1, 4)), elements=st.integers(-3, 3)),
    arrays(np.int64, 4, elements=st.integers(-3, 3)),
    st.data(),
)
def test_matches_brute_force_with_ties_and_zero_vectors(docs, query, data):
    # Small integers: many ties and zero vectors.
    query = query[: docs.shape[1]]
    k = data.draw(st.integers(1, len(docs)))
    idx, scores = cosine_top_k(query, docs, k)
    ref_idx, ref_scores = brute_force(query.tolist(), docs.tolist(), k)
    np.testing.assert_allclose(scores, ref_scores, atol=1e-12)
    assert np.all(np.diff(scores) <= 0)
    tied = np.diff(scores) == 0
    assert np.all(np.diff(idx)[tied] > 0)  # equal scores: smaller index first
    all_scores = np.array(brute_force(query.tolist(), docs.tolist(), len(docs))[1])
    if np.all(np.abs(np.diff(all_scores)) > 1e-9):  # no tie anywhere: the order is unique
        assert idx.tolist() == ref_idx


def test_ties_keep_document_order():
    docs = np.array([[1.0, 0.0], [2.0, 0.0], [0.0, 1.0], [5.0, 0.0]])  # 0, 1, 3 point the same way
    idx, scores = cosine_top_k([1.0, 0.0], docs, 3)
    assert idx.tolist() == [0, 1, 3]
    np.testing.assert_allclose(scores, 1.0)


def test_zero_vectors_have_cosine_zero():
    docs = np.array([[0.0, 0.0], [-1.0, 0.0], [1.0, 1.0]])
    idx, scores = cosine_top_k([1.0, 0.0], docs, 3)
    assert idx.tolist() == [2, 0, 1]  # 0.707, then the zero doc (0), then the opposite (-1)
    np.testing.assert_allclose(scores, [np.sqrt(0.5), 0.0, -1.0])
    idx, scores = cosine_top_k([0.0, 0.0], docs, 2)
    assert idx.tolist() == [0, 1]
    assert not scores.any()


def test_scale_does_not_matter_but_direction_does():
    docs = rng.normal(size=(20, 6))
    query = rng.normal(size=6)
    idx, scores = cosine_top_k(query, docs, 5)
    idx2, scores2 = cosine_top_k(3.0 * query, docs * rng.uniform(0.1, 10, size=(20, 1)), 5)
    assert idx.tolist() == idx2.tolist()
    np.testing.assert_allclose(scores, scores2)
    ranking = cosine_top_k(query, docs, len(docs))[0]
    assert cosine_top_k(-query, docs, 1)[0][0] == ranking[-1]  # the least similar doc


def test_matches_sklearn_cosine_similarity_on_a_batch():
    pairwise = pytest.importorskip("sklearn.metrics.pairwise", reason="sklearn is the reference")
    queries, docs = rng.normal(size=(7, 16)), rng.normal(size=(40, 16))
    docs[3] = 0.0  # sklearn also gives a zero vector similarity 0
    expected = pairwise.cosine_similarity(queries, docs)
    idx, scores = cosine_top_k(queries, docs, 10)
    assert idx.shape == scores.shape == (7, 10)
    np.testing.assert_array_equal(idx, np.argsort(-expected, axis=1, kind="stable")[:, :10])
    np.testing.assert_allclose(scores, np.take_along_axis(expected, idx, axis=1), atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 30), st.integers(1, 8), st.integers(0, 1000))
def test_whiteboard_matches_full_version(n, d, seed):
    r = np.random.default_rng(seed)
    docs, query = r.normal(size=(n, d)), r.normal(size=d)
    k = int(r.integers(1, n + 1))
    pairs = zip(cosine_top_k_whiteboard(query, docs, k), cosine_top_k(query, docs, k), strict=True)
    for a, b in pairs:
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_bigram_embedding_retrieves_by_shared_characters():
    passages = ["KV cache 存下每层的键和值", "BPE 把常见的字节对合并", "检索增强生成先检索再生成"]
    vectors = bigram_embedding(passages)
    assert vectors.shape == (3, 4096)
    assert vectors.sum() == sum(len(p) - 1 for p in passages)  # one count per bigram
    idx, _ = cosine_top_k(bigram_embedding(["检索增强生成是什么"])[0], vectors, 1)
    assert idx.tolist() == [2]
    # A paraphrase that shares no character bigram is invisible to it.
    idx, scores = cosine_top_k(bigram_embedding(["RAG 的原理"])[0], vectors, 1)
    assert scores[0] == 0.0
    # With only 256 buckets, unrelated bigrams collide and the score is no longer 0.
    small = bigram_embedding(passages, dim=256)
    _, scores = cosine_top_k(bigram_embedding(["RAG 的原理"], dim=256)[0], small, 1)
    assert scores[0] > 0.1


def test_bad_input():
    docs = np.ones((3, 2))
    with pytest.raises(ValueError, match=r"k must be in \[1, 3\] \(number of docs\), got 4"):
        cosine_top_k([1.0, 0.0], docs, 4)
    with pytest.raises(ValueError, match=r"k must be in \[1, 3\]"):
        cosine_top_k([1.0, 0.0], docs, 0)
    with pytest.raises(TypeError, match="k must be an int, got float"):
        cosine_top_k([1.0, 0.0], docs, 1.0)
    with pytest.raises(TypeError, match="k must be an int, got bool"):
        cosine_top_k([1.0, 0.0], docs, True)
    with pytest.raises(ValueError, match="query has 3 features, docs have 2"):
        cosine_top_k([1.0, 0.0, 0.0], docs, 1)
    with pytest.raises(ValueError, match="query must not contain NaN or inf"):
        cosine_top_k([np.nan, 0.0], docs, 1)
    with pytest.raises(ValueError, match="docs must not contain NaN or inf"):
        cosine_top_k([1.0, 0.0], [[np.inf, 0.0]], 1)
    with pytest.raises(ValueError, match=r"docs must have 2 axes, got \(2,\)"):
        cosine_top_k([1.0, 0.0], docs[0], 1)
    with pytest.raises(ValueError, match=r"query must have 1 or 2 axes, got \(1, 1, 2\)"):
        cosine_top_k(np.ones((1, 1, 2)), docs, 1)
    with pytest.raises(TypeError, match="query must be an array of real numbers, got dtype <U1"):
        cosine_top_k(["a", "b"], docs, 1)
    with pytest.raises(TypeError, match="docs must be an array of real numbers, got dtype bool"):
        cosine_top_k([1.0, 0.0], docs > 0, 1)
    with pytest.raises(TypeError, match="got dtype complex128"):
        cosine_top_k([1j, 0.0], docs, 1)
