"""BERT's MLM masking, checked statistically (binomial bounds) and against the whiteboard
version; T5's span corruption against the example in Raffel et al. (2020), Figure 2."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from transformer.pretrained import (
    IGNORE_INDEX,
    mask_tokens,
    mask_tokens_whiteboard,
    random_spans_noise_mask,
    span_corruption,
)

VOCAB, MASK = 30522, 103  # bert-base-uncased: vocabulary size and the id of [MASK]


def within(count: int, n: int, p: float, sigmas: float = 5.0) -> bool:
    """count is within `sigmas` binomial standard deviations of n * p."""
    return abs(count - n * p) <= sigmas * np.sqrt(n * p * (1 - p))


def test_proportions_15_80_10_10():
    rng = np.random.default_rng(1)
    ids = rng.integers(1000, VOCAB, size=(400, 512))  # no id equals [MASK]
    inputs, labels = mask_tokens(ids, vocab_size=VOCAB, mask_token_id=MASK, rng=rng)
    chosen = labels != IGNORE_INDEX
    n, k = ids.size, int(chosen.sum())
    assert within(k, n, 0.15)
    masked = int((inputs[chosen] == MASK).sum())
    unchanged = int((inputs[chosen] == ids[chosen]).sum())
    replaced = k - masked - unchanged
    # A random token can hit [MASK] or the original with probability 1/VOCAB each.
    assert within(masked, k, 0.8 + 0.1 / VOCAB)
    assert within(unchanged, k, 0.1 + 0.1 / VOCAB)
    assert within(replaced, k, 0.1 * (1 - 2 / VOCAB))
    np.testing.assert_array_equal(labels[chosen], ids[chosen])  # the label is the original token
    np.testing.assert_array_equal(inputs[~chosen], ids[~chosen])  # the other 85% untouched


def test_random_replacements_are_uniform_over_the_vocabulary():
    rng = np.random.default_rng(2)
    vocab = 20
    ids = np.zeros((2000, 100), dtype=np.int64)  # every token is 0
    inputs, labels = mask_tokens(ids, vocab_size=vocab, mask_token_id=1, rng=rng)
    replaced = inputs[(labels != IGNORE_INDEX) & (inputs != 1) & (inputs != 0)]
    counts = np.bincount(replaced, minlength=vocab)[2:]  # ids 2..19 can only come from random
    expected = replaced.size / (vocab - 2)
    chi2 = ((counts - expected) ** 2 / expected).sum()
    assert chi2 < 47.57  # chi-square 99.99th percentile with 17 degrees of freedom


def test_special_tokens_are_never_chosen():
    rng = np.random.default_rng(3)
    ids = rng.integers(1000, VOCAB, size=(50, 64))
    special = np.zeros(ids.shape, bool)
    special[:, 0] = special[:, -1] = True  # [CLS] ... [SEP]
    inputs, labels = mask_tokens(
        ids,
        vocab_size=VOCAB,
        mask_token_id=MASK,
        special_tokens_mask=special,
        rng=rng,
        mlm_probability=1.0,
    )
    assert (labels[special] == IGNORE_INDEX).all()
    np.testing.assert_array_equal(inputs[special], ids[special])
    assert (labels[~special] != IGNORE_INDEX).all()  # probability 1: every other token


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 40), st.floats(0.0, 1.0))
def test_whiteboard_matches_full_version(seed, length, p):
    ids = np.random.default_rng(seed).integers(0, 50, size=(3, length))
    a = mask_tokens_whiteboard(ids, 50, 7, np.random.default_rng(seed + 1), p)
    b = mask_tokens(
        ids, vocab_size=50, mask_token_id=7, mlm_probability=p, rng=np.random.default_rng(seed + 1)
    )
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_input_is_not_modified():
    ids = np.arange(100) % 50
    before = ids.copy()
    mask_tokens(
        ids, vocab_size=50, mask_token_id=7, mlm_probability=1.0, rng=np.random.default_rng(0)
    )
    np.testing.assert_array_equal(ids, before)


@pytest.mark.parametrize("dtype", [np.uint16, np.int16, np.int32, np.uint64])
def test_narrow_and_unsigned_id_dtypes(dtype):
    # nanoGPT stores GPT-2 ids as uint16: -100 must not become 65436. With a vocabulary of
    # 50257, random replacements above 32767 must not wrap in int16.
    vocab = 50257
    ids = np.random.default_rng(4).integers(0, 32767, size=(20, 64))
    expected = mask_tokens(
        ids, vocab_size=vocab, mask_token_id=5, mlm_probability=0.5, rng=np.random.default_rng(5)
    )
    got = mask_tokens(
        ids.astype(dtype),
        vocab_size=vocab,
        mask_token_id=5,
        mlm_probability=0.5,
        rng=np.random.default_rng(5),
    )
    board = mask_tokens_whiteboard(ids.astype(dtype), vocab, 5, np.random.default_rng(5), 0.5)
    for inputs, labels in (got, board):
        assert inputs.dtype == labels.dtype == np.int64  # what torch's cross_entropy expects
        assert (labels == IGNORE_INDEX).any()
        assert inputs.max() > 32767  # a random replacement from the upper half of the vocabulary
        np.testing.assert_array_equal(inputs, expected[0])
        np.testing.assert_array_equal(labels, expected[1])


@pytest.mark.parametrize(
    ("ids", "kwargs", "error"),
    [
        (np.ones(4), {}, TypeError),  # float ids
        (np.array([0, 1, 50]), {}, ValueError),  # id out of range
        (np.array([0, 1]), {"mask_token_id": 50}, ValueError),
        (np.array([0, 1]), {"mask_token_id": 7.0}, TypeError),
        (np.array([0, 1]), {"mlm_probability": 1.5}, ValueError),
        (np.array([0, 1]), {"special_tokens_mask": np.array([0, 1])}, ValueError),  # not bool
        (np.array([0, 1]), {"special_tokens_mask": np.array([True])}, ValueError),  # shape
    ],
)
def test_mask_tokens_bad_input(ids, kwargs, error):
    kwargs = {"vocab_size": 50, "mask_token_id": 7, **kwargs}
    with pytest.raises(error, match=r"input_ids|mask_token_id|mlm_probability|special_tokens_mask"):
        mask_tokens(ids, **kwargs)


def test_span_corruption_t5_paper_example():
    words = ["Thank", "you", "for", "inviting", "me", "to", "your", "party", "last", "week", "."]
    noise = [w in {"for", "inviting", "last"} for w in words]
    inputs, targets = span_corruption(words, noise)
    assert " ".join(inputs) == "Thank you <extra_id_0> me to your party <extra_id_1> week ."
    assert " ".join(targets) == "<extra_id_0> for inviting <extra_id_1> last <extra_id_2>"


@settings(max_examples=30, deadline=None)
@given(st.lists(st.booleans(), max_size=30))
def test_span_corruption_round_trip(noise):
    tokens = [f"t{i}" for i in range(len(noise))]
    inputs, targets = span_corruption(tokens, noise)
    # Put each sentinel's span back where the sentinel stands: the original sequence.
    spans, current = {}, None
    for t in targets:
        if t.startswith("<extra_id_"):
            current = t
            spans[current] = []
        else:
            spans[current].append(t)
    restored = [w for t in inputs for w in spans.get(t, [t])]
    assert restored == tokens
    n_spans = sum(1 for i, b in enumerate(noise) if b and (i == 0 or not noise[i - 1]))
    assert len(spans) == n_spans + 1  # one sentinel per span, plus the final one


def test_span_corruption_bad_input():
    with pytest.raises(ValueError, match=r"noise_mask"):
        span_corruption(["a", "b"], [True])
    with pytest.raises(TypeError, match=r"noise_mask"):
        span_corruption(["a", "b"], [1, 0])


def count_spans(mask):
    return int(np.sum(np.diff(np.concatenate(([0], np.asarray(mask, int)))) == 1))


@pytest.mark.parametrize(
    ("length", "density", "mean", "noise", "spans"),
    [
        (512, 0.15, 3.0, 77, 26),  # 76.8 -> 77 noise tokens, 25.67 -> 26 spans
        (114, 0.15, 3.0, 17, 6),  # 17.1 -> 17, 5.67 -> 6
        (10, 0.15, 3.0, 2, 1),  # 1.5 rounds to even: 2, then 0.67 -> 1
        (20, 0.5, 1.0, 10, 10),  # spans of length 1 alternate with gaps of length 1
        (8, 0.01, 3.0, 1, 1),  # at least one noise token
    ],
)
def test_random_spans_counts_by_hand(length, density, mean, noise, spans):
    for seed in range(5):
        mask = random_spans_noise_mask(length, density, mean, np.random.default_rng(seed))
        assert mask.dtype == bool
        assert mask.shape == (length,)
        assert mask.sum() == noise
        assert count_spans(mask) == spans
        assert not mask[0]
        assert mask[-1]


def test_random_spans_every_split_equally_likely():
    # length 8, density 0.5, mean 2: 4 noise tokens in 2 spans, 4 others in 2 gaps.
    # Each count splits into 2 positive parts 3 ways, so 9 masks, each with probability 1/9.
    rng = np.random.default_rng(6)
    draws = 1800
    seen: dict[tuple, int] = {}
    for _ in range(draws):
        key = tuple(random_spans_noise_mask(8, 0.5, 2.0, rng).tolist())
        seen[key] = seen.get(key, 0) + 1
    assert len(seen) == 9
    counts = np.array(list(seen.values()))
    chi2 = ((counts - draws / 9) ** 2 / (draws / 9)).sum()
    assert chi2 < 31.83  # chi-square 99.99th percentile with 8 degrees of freedom


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 300), st.floats(0.01, 0.9), st.floats(1.0, 6.0), st.integers(0, 2**32 - 1))
def test_random_spans_feed_span_corruption(length, density, mean, seed):
    mask = random_spans_noise_mask(length, density, mean, np.random.default_rng(seed))
    assert mask.shape == (length,)
    if length >= 2:
        assert mask.sum() >= 1
        assert not mask.all()
    tokens = [f"t{i}" for i in range(length)]
    inputs, targets = span_corruption(tokens, mask.tolist())
    n_sentinels = sum(t.startswith("<extra_id_") for t in targets)
    assert n_sentinels == count_spans(mask) + 1
    assert len(inputs) + len(targets) == length + 2 * count_spans(mask) + 1


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ((0,), ValueError),
        ((10.0,), TypeError),
        ((10, 0.0), ValueError),
        ((10, 1.0), ValueError),
        ((10, 0.15, 0.5), ValueError),
    ],
)
def test_random_spans_bad_input(args, error):
    with pytest.raises(error, match=r"length|noise_density|mean_noise_span_length"):
        random_spans_noise_mask(*args)


def test_defaults_15_percent_and_a_fresh_generator():
    ids = np.random.default_rng(7).integers(0, 50, size=(4, 30))
    full = mask_tokens(ids, vocab_size=50, mask_token_id=7, rng=np.random.default_rng(8))
    board = mask_tokens_whiteboard(ids, 50, 7, np.random.default_rng(8))
    expected = mask_tokens(
        ids, vocab_size=50, mask_token_id=7, mlm_probability=0.15, rng=np.random.default_rng(8)
    )
    for inputs, labels in (full, board):
        np.testing.assert_array_equal(inputs, expected[0])
        np.testing.assert_array_equal(labels, expected[1])
    inputs, labels = mask_tokens(ids, vocab_size=50, mask_token_id=7)  # rng=None: a new one
    assert inputs.shape == labels.shape == ids.shape


def test_smallest_vocabulary_and_mask_id_zero():
    # One token in the vocabulary: [MASK] is id 0 and every choice (mask, random, keep) is 0.
    inputs, labels = mask_tokens(
        np.zeros(20, dtype=int),
        vocab_size=1,
        mask_token_id=0,
        mlm_probability=1.0,
        rng=np.random.default_rng(0),
    )
    assert inputs.tolist() == [0] * 20
    assert labels.tolist() == [0] * 20


def test_mask_tokens_type_errors_name_the_argument():
    with pytest.raises(TypeError, match=r"^vocab_size must be an int, got float$"):
        mask_tokens(np.array([0, 1]), vocab_size=50.0, mask_token_id=7)
    with pytest.raises(TypeError, match=r"^mask_token_id must be an int, got bool$"):
        mask_tokens(np.array([0, 1]), vocab_size=50, mask_token_id=True)
    with pytest.raises(TypeError, match=r"^noise_mask must hold booleans$"):
        span_corruption(["a", "b"], [1, 0])
    with pytest.raises(TypeError, match=r"^length must be an int, got float$"):
        random_spans_noise_mask(10.0)


def test_random_spans_defaults_seeded_and_short():
    mask = random_spans_noise_mask(512, rng=np.random.default_rng(0))  # 15 %, mean span 3
    assert mask.sum() == 77
    assert count_spans(mask) == 26
    again = random_spans_noise_mask(512, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(again, mask)  # the given generator is used
    assert random_spans_noise_mask(512).sum() == 77  # rng=None: a new one
    # Two tokens: one of each, the noise last; one token: T5 builds 2 and keeps the first.
    assert random_spans_noise_mask(2, rng=np.random.default_rng(1)).tolist() == [False, True]
    assert random_spans_noise_mask(1, rng=np.random.default_rng(1)).tolist() == [False]
    # Density 0.95 of 10 rounds to 10 noise tokens; at most 9, so that one is left before them.
    dense = random_spans_noise_mask(10, 0.95, 3.0, np.random.default_rng(2))
    assert dense.tolist() == [False] + [True] * 9
