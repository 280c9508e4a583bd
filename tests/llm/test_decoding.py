"""Perplexity against torch's cross_entropy and a loop; filter_logits against Hugging Face's
warpers rewritten here (numpy, and torch where installed) and a brute-force top-p rule; the
repetition penalty against HF's gather/scatter; beam search against enumerating every
sequence of a bigram model."""

import itertools

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from llm.decoding import (
    apply_repetition_penalty,
    beam_search,
    beam_search_whiteboard,
    filter_logits,
    filter_logits_whiteboard,
    log_softmax,
    perplexity,
)

rng = np.random.default_rng(0)


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def hf_filter_numpy(logits, temperature=1.0, top_k=None, top_p=None):
    """generate()'s warpers in its order, as in transformers' logits_process.py."""
    scores = logits / temperature  # TemperatureLogitsWarper
    if top_k is not None:  # TopKLogitsWarper: remove scores < the k-th largest
        kth = np.sort(scores, axis=-1)[..., ::-1][..., min(top_k, scores.shape[-1]) - 1]
        scores = np.where(scores < kth[..., None], -np.inf, scores)
    if top_p is not None and top_p < 1.0:  # TopPLogitsWarper
        order = np.argsort(scores, axis=-1, kind="stable")  # ascending
        sorted_scores = np.take_along_axis(scores, order, axis=-1)
        cumulative = np.cumsum(softmax(sorted_scores), axis=-1)
        remove_sorted = cumulative <= 1 - top_p
        remove_sorted[..., -1] = False  # min_tokens_to_keep = 1
        remove = np.zeros_like(remove_sorted)
        np.put_along_axis(remove, order, remove_sorted, axis=-1)
        scores = np.where(remove, -np.inf, scores)
    return scores


def brute_force_top_p_keep(probs, top_p):
    """Keep token t iff the tokens strictly more probable than t sum to < top_p, and always
    keep the most probable token(s)."""
    return np.array([probs[probs > p].sum() < top_p or p == probs.max() for p in probs])


continuous_logits = st.lists(st.floats(-8, 8), min_size=1, max_size=12).map(np.array)


@settings(max_examples=80, deadline=None)
@given(
    continuous_logits,
    st.sampled_from([0.3, 0.7, 1.0, 2.5]),
    st.one_of(st.none(), st.integers(1, 14)),
    st.one_of(st.none(), st.floats(0.05, 1.0)),
)
def test_filter_matches_hugging_face_order_and_rules(logits, temperature, top_k, top_p):
    # Ties (also ties created by rounding the probabilities): see the tie tests below.
    assume(len(np.unique(softmax(logits / temperature))) == len(logits))
    ours = filter_logits(logits, temperature=temperature, top_k=top_k, top_p=top_p)
    # Away from the exact top-p boundary, where float rounding of the two sums decides.
    if top_p is not None:
        after_k = hf_filter_numpy(logits, temperature, top_k)
        desc = np.sort(softmax(after_k))[::-1]
        assume(np.abs(np.cumsum(desc) - top_p).min() > 1e-9)
    np.testing.assert_array_equal(ours, hf_filter_numpy(logits, temperature, top_k, top_p))
    if top_k is None or top_k <= len(logits):
        np.testing.assert_array_equal(
            ours, filter_logits_whiteboard(logits, temperature, top_k, top_p)
        )


def test_filter_matches_hugging_face_torch_code_on_a_batch():
    torch = pytest.importorskip("torch", reason="HF's warpers are written in torch")
    logits = rng.normal(size=(64, 50)) * 3
    for temperature, top_k, top_p in [(0.7, 10, 0.9), (1.3, 40, 0.5), (1.0, None, 0.95)]:
        scores = torch.from_numpy(logits) / temperature
        if top_k is not None:
            kth = torch.topk(scores, top_k)[0][..., -1, None]
            scores = scores.masked_fill(scores < kth, -float("inf"))
        sorted_logits, sorted_indices = torch.sort(scores, descending=False)
        cumulative_probs = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
        sorted_to_remove = cumulative_probs <= (1 - top_p)
        sorted_to_remove[..., -1:] = 0
        to_remove = sorted_to_remove.scatter(1, sorted_indices, sorted_to_remove)
        expected = scores.masked_fill(to_remove, -float("inf")).numpy()
        ours = filter_logits(logits, temperature=temperature, top_k=top_k, top_p=top_p)
        np.testing.assert_array_equal(np.isfinite(ours), np.isfinite(expected))
        np.testing.assert_allclose(ours[np.isfinite(ours)], expected[np.isfinite(expected)])


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.integers(-3, 3), min_size=1, max_size=10).map(lambda v: np.array(v, float)),
    st.floats(0.0, 0.999),
)
def test_top_p_with_ties_keeps_every_token_tied_with_the_last_one(logits, top_p):
    probs = softmax(logits)
    desc = np.sort(probs)[::-1]
    assume(np.abs(np.cumsum(desc) - top_p).min() > 1e-9)
    kept = np.isfinite(filter_logits(logits, top_p=top_p))
    np.testing.assert_array_equal(kept, brute_force_top_p_keep(probs, top_p))
    assert kept.sum() >= 1
    # The kept set reaches top_p, and is minimal up to ties: without the least probable kept
    # group it would not.
    assert probs[kept].sum() >= top_p - 1e-12
    smallest = probs[kept].min()
    assert probs[kept & (probs > smallest)].sum() < max(top_p, 1e-300)


def test_top_p_stops_where_the_sum_reaches_top_p_exactly():
    logits = np.log([0.5, 0.25, 0.125, 0.125])  # these probabilities are exact in binary
    # 0.5 + 0.25 = 0.75 >= 0.75: two tokens are enough. (HF's ascending sum 0.125 + 0.125
    # <= 1 - 0.75 agrees in exact arithmetic; in floats either side can round the other way.)
    assert np.isfinite(filter_logits(logits, top_p=0.75)).tolist() == [True, True, False, False]
    assert np.isfinite(filter_logits(logits, top_p=0.5)).tolist() == [True, False, False, False]


def test_whiteboard_top_p_stops_where_the_sum_reaches_top_p_exactly():
    logits = np.log([0.5, 0.25, 0.125, 0.125])
    kept = np.isfinite(filter_logits_whiteboard(logits, top_p=0.75))
    assert kept.tolist() == [True, True, False, False]


def test_whiteboard_defaults_change_nothing_and_large_logits_are_safe():
    logits = np.array([1000.0, 999.0, 990.0, 0.0])  # exp(1000) overflows: subtract the max
    np.testing.assert_array_equal(filter_logits_whiteboard(logits), logits)
    kept = np.isfinite(filter_logits_whiteboard(logits, top_p=0.5))
    assert kept.tolist() == [True, False, False, False]


def test_top_p_one_keeps_tokens_whose_probability_rounds_away():
    # p = (1, 4e-18): the running sum is 1.0 already after the first token.
    logits = np.array([0.0, -40.0])
    assert np.isfinite(filter_logits(logits, top_p=1.0)).all()
    assert np.isfinite(filter_logits(logits, top_p=1)).all()  # an int is a number too


def test_top_p_just_below_one_when_the_whole_sum_rounds_below_it():
    # Ten times 0.1 sums to 0.9999999999999998 in floats, less than top_p: keep every token.
    logits = np.zeros(10)
    assert np.cumsum(np.exp(log_softmax(logits)))[-1] < 1 - 1e-16 < 1
    assert np.isfinite(filter_logits(logits, top_p=1 - 1e-16)).all()


def test_log_softmax_is_stable_row_by_row():
    logits = np.array([[0.0, 1.0, -np.inf], [-1e4, -1e4 + 1, -np.inf], [1e4, 1e4 + 1, -np.inf]])
    out = log_softmax(logits)
    np.testing.assert_allclose(out[:, :2], np.tile(np.log([1, np.e]) - np.log(1 + np.e), (3, 1)))
    assert np.isneginf(out[:, 2]).all()


def test_top_p_tie_at_the_boundary_hand_case():
    logits = np.log([0.5, 0.25, 0.25])
    assert np.isfinite(filter_logits(logits, top_p=0.6)).tolist() == [True, True, True]
    # HF keeps 0.5 and one of the tied 0.25s: which one depends on its sort.
    assert np.isfinite(hf_filter_numpy(logits, top_p=0.6)).sum() == 2


def test_top_k_keeps_ties_like_hugging_face():
    logits = np.array([1.0, 3.0, 3.0, 2.0, 3.0])
    assert np.isfinite(filter_logits(logits, top_k=1)).tolist() == [False, True, True, False, True]
    assert np.isfinite(filter_logits(logits, top_k=4)).tolist() == [False, True, True, True, True]
    assert np.isfinite(filter_logits(logits, top_k=100)).all()  # k > V keeps everything


def test_order_temperature_then_top_k_then_top_p():
    logits = np.log([0.4, 0.3, 0.2, 0.1])
    # top-p alone keeps 0.4 + 0.3; after top-k = 2 the two are renormalised (0.57, 0.43).
    assert np.isfinite(filter_logits(logits, top_p=0.5)).sum() == 2
    assert np.isfinite(filter_logits(logits, top_k=2, top_p=0.5)).sum() == 1
    # A high temperature flattens the distribution: top-p then needs more tokens.
    assert np.isfinite(filter_logits(logits, top_p=0.6)).sum() == 2
    assert np.isfinite(filter_logits(logits, temperature=5.0, top_p=0.6)).sum() == 3
    # Temperature divides the logits that are kept.
    np.testing.assert_allclose(filter_logits(logits, temperature=2.0), logits / 2)


def test_never_fewer_than_one_token_and_banned_tokens_stay_banned():
    logits = np.array([0.0, 5.0, -np.inf, 1.0])
    for top_p in [0.0, 1e-9, 0.5]:
        assert np.isfinite(filter_logits(logits, top_p=top_p)).tolist() == [
            False,
            True,
            False,
            False,
        ]
    out = filter_logits(logits, top_p=1.0)
    assert np.isneginf(out[2])
    assert np.isfinite(out).sum() == 3


def test_filter_works_on_a_batch_row_by_row():
    logits = rng.normal(size=(3, 4, 20))
    out = filter_logits(logits, temperature=0.8, top_k=7, top_p=0.8)
    for i, j in itertools.product(range(3), range(4)):
        np.testing.assert_array_equal(
            out[i, j], filter_logits(logits[i, j], temperature=0.8, top_k=7, top_p=0.8)
        )


def test_filter_bad_input():
    with pytest.raises(ValueError, match="temperature must be > 0"):
        filter_logits([1.0, 2.0], temperature=0.0)
    with pytest.raises(TypeError, match=r"^temperature must be a number, got str$"):
        filter_logits([1.0, 2.0], temperature="1")
    with pytest.raises(ValueError, match=r"^temperature must be finite, got inf$"):
        filter_logits([1.0, 2.0], temperature=np.inf)
    with pytest.raises(ValueError, match="top_k must be >= 1"):
        filter_logits([1.0, 2.0], top_k=0)
    with pytest.raises(TypeError, match=r"^top_k must be an int, got float$"):
        filter_logits([1.0, 2.0], top_k=2.0)
    with pytest.raises(ValueError, match=r"top_p must be in \[0, 1\]"):
        filter_logits([1.0, 2.0], top_p=1.5)
    with pytest.raises(TypeError, match=r"^top_p must be a number, got str$"):
        filter_logits([1.0, 2.0], top_p="0.5")
    message = r"^logits must not contain NaN or \+inf \(-inf marks a banned token\)$"
    for bad in (np.nan, np.inf):
        with pytest.raises(ValueError, match=message):
            filter_logits([bad, 2.0])
    for bad, dtype in [([1 + 1j, 2], "complex128"), (["1", "2"], "<U1")]:
        with pytest.raises(
            TypeError, match=f"^logits must be an array of real numbers, got dtype {dtype}$"
        ):
            filter_logits(bad)
    np.testing.assert_array_equal(filter_logits([3, 1, 2], top_k=2), [3.0, -np.inf, 2.0])  # ints
    with pytest.raises(ValueError, match="every token is -inf"):
        filter_logits([[1.0, 2.0], [-np.inf, -np.inf]])
    with pytest.raises(ValueError, match="vocab_size"):
        filter_logits(np.zeros((2, 0)))
    with pytest.raises(
        ValueError, match=r"^logits must have shape \(\.\.\., vocab_size\), got \(\)$"
    ):
        filter_logits(1.0)
    with pytest.raises(TypeError, match="real numbers"):
        filter_logits([True, False])


def test_repetition_penalty_hand_case():
    logits = np.array([2.0, -2.0, 0.0, 1.0])
    out = apply_repetition_penalty(logits, [0, 1, 1, 2], penalty=2.0)
    np.testing.assert_allclose(out, [1.0, -4.0, 0.0, 1.0])  # token 1 penalised once
    np.testing.assert_array_equal(apply_repetition_penalty(logits, [], 2.0), logits)
    # penalty < 1 rewards repetition instead (HF only requires penalty > 0); int logits.
    np.testing.assert_allclose(apply_repetition_penalty([3, -3, 1], [0, 1], 0.5), [6, -1.5, 1])


def test_repetition_penalty_matches_hugging_face_gather_scatter():
    torch = pytest.importorskip("torch", reason="HF's processor is written in torch")
    logits = rng.normal(size=30)
    ids = rng.integers(0, 30, size=12)
    scores, input_ids = torch.from_numpy(logits)[None], torch.from_numpy(ids)[None]
    score = torch.gather(scores, 1, input_ids)
    score = torch.where(score < 0, score * 1.3, score / 1.3)
    expected = scores.scatter(1, input_ids, score)[0].numpy()
    np.testing.assert_allclose(apply_repetition_penalty(logits, ids, 1.3), expected)


def test_repetition_penalty_bad_input():
    with pytest.raises(ValueError, match="penalty must be > 0"):
        apply_repetition_penalty([1.0, 2.0], [0], 0.0)
    with pytest.raises(TypeError, match=r"^penalty must be a number, got str$"):
        apply_repetition_penalty([1.0, 2.0], [0], "1.2")
    with pytest.raises(ValueError, match=r"input_ids must be in \[0, 2\)"):
        apply_repetition_penalty([1.0, 2.0], [2], 1.2)
    with pytest.raises(TypeError, match="integer token ids"):
        apply_repetition_penalty([1.0, 2.0], [0.5], 1.2)
    with pytest.raises(ValueError, match="vocab_size"):
        apply_repetition_penalty(np.zeros((2, 3)), [0], 1.2)


def nll_loop(logits, targets, ignore_index=-100):
    total, n = 0.0, 0
    for row, target in zip(logits.reshape(-1, logits.shape[-1]), targets.ravel(), strict=True):
        if target != ignore_index:
            total -= row[target] - np.log(np.exp(row).sum())
            n += 1
    return total / n


def test_perplexity_is_exp_of_mean_token_nll():
    logits = rng.normal(size=(2, 7, 11)) * 2
    targets = rng.integers(0, 11, size=(2, 7))
    targets[0, :3] = -100  # e.g. prompt tokens left out of the loss
    assert np.isclose(perplexity(logits, targets), np.exp(nll_loop(logits, targets)))
    assert np.isclose(perplexity(np.zeros((5, 11)), np.arange(5)), 11.0)  # uniform: PPL = V
    sure = np.full((3, 4), -1e9)
    sure[np.arange(3), [2, 0, 1]] = 0.0
    assert np.isclose(perplexity(sure, np.array([2, 0, 1])), 1.0)  # certain and right


def test_perplexity_matches_torch_cross_entropy():
    torch = pytest.importorskip("torch", reason="torch's cross_entropy is the reference")
    logits = rng.normal(size=(3, 9, 17)) * 3
    targets = rng.integers(0, 17, size=(3, 9))
    targets[1, 4:] = -100
    loss = torch.nn.functional.cross_entropy(
        torch.from_numpy(logits).reshape(-1, 17), torch.from_numpy(targets).reshape(-1)
    )
    assert np.isclose(perplexity(logits, targets), torch.exp(loss).item(), rtol=1e-12)


def test_perplexity_of_a_one_token_vocabulary_with_padding():
    assert perplexity(np.zeros((3, 1)), np.array([0, -100, 0])) == 1.0


def test_perplexity_bad_input():
    with pytest.raises(ValueError, match=r"^targets must have shape \(2, 3\), got \(2, 4\)$"):
        perplexity(np.zeros((2, 3, 5)), np.zeros((2, 4), int))
    with pytest.raises(ValueError, match=r"^targets must be in \[0, 5\) or ignore_index$"):
        perplexity(np.zeros((2, 3, 5)), np.array([[0, 5, 1], [0, 0, 0]]))
    with pytest.raises(ValueError, match=r"^every target is ignore_index: the mean is undefined$"):
        perplexity(np.zeros((2, 5)), np.array([-100, -100]))
    with pytest.raises(TypeError, match="integer token ids"):
        perplexity(np.zeros((2, 5)), np.array([0.0, 1.0]))


def bigram(seed, vocab_size):
    table = np.random.default_rng(seed).normal(size=(vocab_size, vocab_size)) * 1.5
    log_probs = table - np.log(np.exp(table).sum(axis=1, keepdims=True))
    return log_probs, (lambda seq: log_probs[seq[-1]])


def brute_force_scores(log_probs, prompt, max_new_tokens, eos, length_penalty):
    """The score of every possible output: EOS-terminated ones and unfinished full-length ones."""
    vocab = range(len(log_probs))
    scores = {}
    for length in range(1, max_new_tokens + 1):
        for tokens in itertools.product(vocab, repeat=length):
            if eos in tokens[:-1] or (length < max_new_tokens and tokens[-1] != eos):
                continue
            seq = [*prompt, *tokens]
            total = sum(log_probs[a, b] for a, b in itertools.pairwise(seq[len(prompt) - 1 :]))
            scores[tokens] = total / length**length_penalty
    return scores


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([-1.0, 0.0, 0.5, 1.0, 2.0]))
def test_wide_beam_equals_brute_force_and_narrow_beam_is_never_better(seed, length_penalty):
    vocab, max_new, eos = 4, 3, 0
    log_probs, model = bigram(seed, vocab)
    scores = brute_force_scores(log_probs, [1], max_new, eos, length_penalty)
    best_score = max(scores.values())
    # 9 beams hold every unfinished prefix (3 non-EOS tokens, 2 steps): the search is exact.
    tokens, score = beam_search(
        model, [1], num_beams=9, max_new_tokens=max_new, eos_token_id=eos,
        length_penalty=length_penalty,
    )  # fmt: skip
    assert np.isclose(score, best_score, rtol=0, atol=1e-12)
    # An optimum, scored independently; a bigram's sums can tie ([1, 3, 1] and [3, 1, 1]).
    assert np.isclose(scores[tuple(tokens)], best_score, rtol=0, atol=1e-12)
    for beams in (1, 2):
        _, narrow = beam_search(
            model, [1], num_beams=beams, max_new_tokens=max_new, eos_token_id=eos,
            length_penalty=length_penalty,
        )  # fmt: skip
        assert narrow <= best_score + 1e-12


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 5), st.sampled_from([0.0, 1.0, 2.0]))
def test_one_beam_is_greedy_without_eos(seed, steps, length_penalty):
    log_probs, model = bigram(seed, 6)
    seq = [3]
    for _ in range(steps):
        seq.append(int(np.argmax(log_probs[seq[-1]])))
    tokens, _ = beam_search(
        model, [3], num_beams=1, max_new_tokens=steps, length_penalty=length_penalty
    )
    assert tokens == seq[1:]


def test_one_beam_is_not_greedy_with_eos():
    # Greedy takes EOS (0.6) at once. One beam finishes that candidate and keeps running on
    # 2 (0.3999), then 2 (0.98): per token, log(0.3999 * 0.98) / 2 > log 0.6.
    table = np.log([[1 / 3] * 3, [0.6, 1e-4, 0.3999], [0.01, 0.01, 0.98]])
    assert int(np.argmax(table[1])) == 0
    tokens, score = beam_search(
        lambda s: table[s[-1]], [1], num_beams=1, max_new_tokens=2, eos_token_id=0
    )
    assert tokens == [2, 2]
    assert np.isclose(score, np.log(0.3999 * 0.98) / 2)


def test_beam_finds_what_greedy_misses_hand_case():
    table = np.log([[0.1, 0.6, 0.3], [0.4, 0.3, 0.3], [0.05, 0.05, 0.9]])
    greedy, g = beam_search(lambda s: table[s[-1]], [0], num_beams=1, max_new_tokens=2)
    beam, b = beam_search(lambda s: table[s[-1]], [0], num_beams=2, max_new_tokens=2)
    assert (greedy, beam) == ([1, 0], [2, 2])
    np.testing.assert_allclose([g, b], np.log([0.24, 0.27]) / 2)


def test_length_penalty_decides_between_short_and_long():
    # From token 1: EOS (0) at once with p = 0.5, or token 2 (0.5) then EOS (0.9).
    table = np.log([[1 / 3] * 3, [0.5, 0.0001, 0.4999], [0.9, 0.05, 0.05]])
    run = lambda lp: beam_search(  # noqa: E731
        lambda s: table[s[-1]], [1], num_beams=3, max_new_tokens=2, eos_token_id=0,
        length_penalty=lp,
    )  # fmt: skip
    assert run(0.0)[0] == [0]  # plain sum of log-probs: log 0.5 > log 0.45
    assert run(1.0)[0] == [2, 0]  # per-token average: log(0.45) / 2 > log 0.5
    assert np.isclose(run(1.0)[1], np.log(0.4999 * 0.9) / 2)


def test_beam_search_stops_when_every_beam_has_ended():
    # Only EOS (0) may follow token 2 (-inf bans the others): after one step no beam runs.
    table = np.log([[1 / 3] * 3, [0.1, 0.2, 0.7], [1.0, 1.0, 1.0]])
    table[2, 1:] = -np.inf
    tokens, score = beam_search(
        lambda s: table[s[-1]], [2], num_beams=2, max_new_tokens=5, eos_token_id=0
    )
    assert (tokens, score) == ([0], 0.0)


def test_equal_scores_go_to_the_lowest_token_like_argmax():
    tokens, score = beam_search(lambda s: np.zeros(3), [1], num_beams=2, max_new_tokens=1)
    assert tokens == [0]
    assert np.isclose(score, -np.log(3))


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 4), st.integers(1, 4))
def test_whiteboard_beam_matches_full_version(seed, num_beams, steps):
    _, model = bigram(seed, 5)
    tokens, score = beam_search(model, [2], num_beams=num_beams, max_new_tokens=steps)
    wb_tokens, wb_total = beam_search_whiteboard(model, [2], num_beams, steps)
    assert wb_tokens[1:] == tokens
    assert np.isclose(wb_total / steps, score)  # length_penalty 1: divided by the length


def test_beam_search_bad_input():
    _, model = bigram(0, 3)
    with pytest.raises(ValueError, match="num_beams must be >= 1"):
        beam_search(model, [0], num_beams=0, max_new_tokens=2)
    with pytest.raises(TypeError, match="max_new_tokens must be an int"):
        beam_search(model, [0], num_beams=2, max_new_tokens=2.0)
    with pytest.raises(ValueError, match=r"shape \(vocab_size,\)"):
        beam_search(lambda s: np.zeros((2, 3)), [0], num_beams=2, max_new_tokens=2)
    message = r"^next_logits\(\.\.\.\) must not contain NaN or \+inf \(-inf marks a banned token\)$"
    with pytest.raises(ValueError, match=message):
        beam_search(lambda s: np.array([0.0, np.nan]), [0], num_beams=2, max_new_tokens=2)
    with pytest.raises(TypeError, match=r"^length_penalty must be a number, got str$"):
        beam_search(model, [0], num_beams=2, max_new_tokens=2, length_penalty="1")
