"""Language-model perplexity and decoding in numpy: logit filtering (temperature, top-k,
top-p) with Hugging Face generate()'s order and rules, the CTRL repetition penalty, and
beam search with Hugging Face's length penalty."""

# --8<-- [start:imports]
from collections.abc import Callable, Sequence

import numpy as np

# --8<-- [end:imports]


# --8<-- [start:whiteboard_filter]
def filter_logits_whiteboard(logits, temperature=1.0, top_k=None, top_p=None):
    """One row of logits (V,); the entries taken out become -inf."""
    logits = logits / temperature
    if top_k is not None:
        kth = np.sort(logits)[-top_k]  # 第 k 大的值
        logits = np.where(logits < kth, -np.inf, logits)
    if top_p is not None:
        p = np.exp(logits - logits.max())
        p = p / p.sum()
        order = np.argsort(-p)  # 概率从大到小
        before = np.cumsum(p[order]) - p[order]  # 排在它前面的概率之和
        remove = np.zeros(len(p), dtype=bool)
        remove[order] = before >= top_p  # 前面的已经够 top_p 了
        logits = np.where(remove, -np.inf, logits)
    return logits


# --8<-- [end:whiteboard_filter]


# --8<-- [start:whiteboard_beam]
def beam_search_whiteboard(log_probs, prompt, num_beams, steps):
    """log_probs(seq) -> (V,) log-probabilities of the next token; no EOS, fixed length."""
    beams = [(0.0, list(prompt))]  # (累计 log 概率, 序列)
    for _ in range(steps):
        candidates = []
        for score, seq in beams:
            lp = log_probs(seq)
            for token in np.argsort(-lp)[:num_beams]:  # 每条只需看前 num_beams 个
                candidates.append((score + lp[token], [*seq, int(token)]))
        candidates.sort(key=lambda c: -c[0])
        beams = candidates[:num_beams]
    return beams[0][1], beams[0][0]


# --8<-- [end:whiteboard_beam]


# --8<-- [start:check]
def _as_logits(logits, name: str = "logits") -> np.ndarray:
    x = np.asarray(logits)
    if x.dtype == bool or not np.issubdtype(x.dtype, np.number) or np.iscomplexobj(x):
        raise TypeError(f"{name} must be an array of real numbers, got dtype {x.dtype}")
    x = x.astype(np.float64)
    if x.ndim == 0 or x.shape[-1] == 0:
        raise ValueError(f"{name} must have shape (..., vocab_size), got {x.shape}")
    if np.isnan(x).any() or np.isposinf(x).any():
        raise ValueError(f"{name} must not contain NaN or +inf (-inf marks a banned token)")
    if np.isneginf(x).all(axis=-1).any():
        raise ValueError(f"{name} has a row where every token is -inf")
    return x


def _number(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return float(value)


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return int(value)


# --8<-- [end:check]


# --8<-- [start:log_softmax]
def log_softmax(logits: np.ndarray) -> np.ndarray:
    """log softmax over the last axis; -inf stays -inf."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


# --8<-- [end:log_softmax]


# --8<-- [start:perplexity]
def perplexity(logits, targets, ignore_index: int = -100) -> float:
    """exp(mean negative log-likelihood) of targets (..., T) under logits (..., T, V).

    Targets equal to ignore_index (padding, prompt tokens) are left out of the mean, as in
    torch.nn.functional.cross_entropy. For a language model, logits[t] predicts token t + 1:
    pass logits[:-1] with targets = tokens[1:].
    """
    logits = _as_logits(logits)
    targets = np.asarray(targets)
    if targets.dtype == bool or not np.issubdtype(targets.dtype, np.integer):
        raise TypeError(f"targets must be integer token ids, got dtype {targets.dtype}")
    if targets.shape != logits.shape[:-1]:
        raise ValueError(f"targets must have shape {logits.shape[:-1]}, got {targets.shape}")
    used = targets != ignore_index
    if not used.any():
        raise ValueError("every target is ignore_index: the mean is undefined")
    if ((targets[used] < 0) | (targets[used] >= logits.shape[-1])).any():
        raise ValueError(f"targets must be in [0, {logits.shape[-1]}) or ignore_index")
    safe = np.where(used, targets, 0)
    token_log_prob = np.take_along_axis(log_softmax(logits), safe[..., None], axis=-1)[..., 0]
    nll = -token_log_prob[used].mean()  # nats per token
    return float(np.exp(nll))


# --8<-- [end:perplexity]


# --8<-- [start:filter]
def filter_logits(logits, *, temperature=1.0, top_k=None, top_p=None) -> np.ndarray:
    """Temperature, then top-k, then top-p, in the order of Hugging Face generate().

    logits (..., V) -> a float array of the same shape, removed entries set to -inf.
    - temperature > 0 divides the logits (HF rejects 0: that is greedy decoding).
    - top_k keeps every entry >= the k-th largest, ties included (HF TopKLogitsWarper);
      k larger than V keeps everything.
    - top_p keeps the smallest set of most probable tokens whose probabilities, computed
      after the steps before it, add up to >= top_p, and at least one token. A token is kept
      iff the tokens strictly more probable than it add up to < top_p, so tokens tied with
      the last one kept are kept too; HF's TopPLogitsWarper keeps one of them or the other
      depending on its sort. top_p = 1 keeps everything (generate() skips the warper then).
    """
    x = _as_logits(logits)
    temperature = _number(temperature, "temperature")
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0 (use argmax for greedy), got {temperature}")
    x = x / temperature
    if top_k is not None:
        k = min(_positive_int(top_k, "top_k"), x.shape[-1])
        kth = np.sort(x, axis=-1)[..., -k, None]  # the k-th largest of each row
        x = np.where(x < kth, -np.inf, x)
    if top_p is not None:
        top_p = _number(top_p, "top_p")
        if not 0 <= top_p <= 1:
            raise ValueError(f"top_p must be in [0, 1], got {top_p}")
        if top_p < 1:
            probs = np.exp(log_softmax(x))
            desc = -np.sort(-probs, axis=-1)  # most probable first
            # The last token kept is the first one at which the running sum reaches top_p.
            last = np.minimum((np.cumsum(desc, axis=-1) < top_p).sum(axis=-1), x.shape[-1] - 1)
            threshold = np.take_along_axis(desc, last[..., None], axis=-1)
            x = np.where(probs >= threshold, x, -np.inf)
    return x


# --8<-- [end:filter]


# --8<-- [start:repetition]
def apply_repetition_penalty(logits, input_ids, penalty: float) -> np.ndarray:
    """CTRL's repetition penalty as in HF RepetitionPenaltyLogitsProcessor: for each token that
    occurs in input_ids (once per token, however often it occurs), a positive logit is
    divided by penalty and a negative one multiplied by it. logits (V,), input_ids (n,)."""
    x = _as_logits(logits)
    if x.ndim != 1:
        raise ValueError(f"logits must have shape (vocab_size,), got {x.shape}")
    penalty = _number(penalty, "penalty")
    if penalty <= 0:
        raise ValueError(f"penalty must be > 0, got {penalty}")
    ids = np.asarray(input_ids)
    if ids.size and (ids.dtype == bool or not np.issubdtype(ids.dtype, np.integer)):
        raise TypeError(f"input_ids must be integer token ids, got dtype {ids.dtype}")
    ids = ids.astype(np.int64).ravel()
    if ((ids < 0) | (ids >= len(x))).any():
        raise ValueError(f"input_ids must be in [0, {len(x)})")
    seen = np.unique(ids)
    out = x.copy()
    out[seen] = np.where(x[seen] < 0, x[seen] * penalty, x[seen] / penalty)
    return out


# --8<-- [end:repetition]


# --8<-- [start:beam]
def beam_search(
    next_logits: Callable[[list[int]], np.ndarray],
    prompt: Sequence[int],
    *,
    num_beams: int,
    max_new_tokens: int,
    eos_token_id: int | None = None,
    length_penalty: float = 1.0,
) -> tuple[list[int], float]:
    """The best continuation of prompt found by beam search, and its score.

    next_logits(sequence) returns the next-token logits (V,), turned into log-probabilities
    here (-inf bans a token). A hypothesis is
    scored as in Hugging Face: sum of the log-probabilities of the generated tokens divided
    by L ** length_penalty, L = number of generated tokens (EOS included, prompt excluded).
    Each step extends every running beam by every token; candidates that end in EOS are
    finished, and the num_beams best others (by summed log-probability) keep running. After
    max_new_tokens steps the running beams are finished too. Returns the generated tokens
    (without the prompt) of the best finished hypothesis and its score. num_beams=1 is
    greedy decoding only without EOS: an EOS candidate greedy passes over can still win.
    """
    num_beams = _positive_int(num_beams, "num_beams")
    max_new_tokens = _positive_int(max_new_tokens, "max_new_tokens")
    length_penalty = _number(length_penalty, "length_penalty")
    prompt = [int(t) for t in prompt]
    running = [(0.0, [])]  # (summed log-probability, generated tokens)
    finished = []  # (score, generated tokens)

    def finish(total: float, tokens: list[int]) -> None:
        finished.append((total / len(tokens) ** length_penalty, tokens))

    for _ in range(max_new_tokens):
        candidates = []
        for total, tokens in running:
            lp = _as_logits(next_logits(prompt + tokens), "next_logits(...)")
            if lp.ndim != 1:
                raise ValueError(f"next_logits must return shape (vocab_size,), got {lp.shape}")
            lp = log_softmax(lp)
            for token in np.flatnonzero(np.isfinite(lp)):
                candidate = (total + lp[token], [*tokens, int(token)])
                if token == eos_token_id:
                    finish(*candidate)
                else:
                    candidates.append(candidate)
        candidates.sort(key=lambda c: -c[0])  # stable: equal scores keep their order
        running = candidates[:num_beams]
        if not running:
            break
    for total, tokens in running:
        finish(total, tokens)
    score, tokens = max(finished, key=lambda f: f[0])
    return tokens, float(score)


# --8<-- [end:beam]


# --8<-- [start:plot]
def plot_sampling_filters(seed: int = 3, vocab_size: int = 30):
    """Left: one distribution at three temperatures. Right: what top-k and top-p keep."""
    import matplotlib.pyplot as plt

    logits = np.sort(np.random.default_rng(seed).normal(0, 1.6, vocab_size))[::-1]
    rank = np.arange(1, vocab_size + 1)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.5, 3.6))
    for t, style in [(0.5, "o-"), (1.0, "s-"), (2.0, "^-")]:
        left.plot(rank, np.exp(log_softmax(logits / t)), style, ms=3, label=f"T = {t}")
    left.set_title("温度：T 越小越尖，越大越平", fontsize=10)
    probs = np.exp(log_softmax(logits))
    top_k = np.isfinite(filter_logits(logits, top_k=5))
    top_p = np.isfinite(filter_logits(logits, top_p=0.9))
    right.bar(rank, probs, color="0.75", label="被去掉")
    right.bar(rank[top_p], probs[top_p], color="C1", label=f"top-p = 0.9 保留（{top_p.sum()} 个）")
    right.bar(rank[top_k], probs[top_k], color="C0", label="top-k = 5 保留")
    right.set_title("按概率从大到小排序后的截断", fontsize=10)
    for ax in (left, right):
        ax.set_xlabel("token（按概率排序）")
        ax.set_ylabel("概率")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


# --8<-- [end:plot]


if __name__ == "__main__":
    logits = np.array([2.0, 1.0, 0.5, 0.5, -1.0])
    assert np.isfinite(filter_logits(logits, top_k=3)).sum() == 4  # the tie at 0.5 is kept
    kept = np.isfinite(filter_logits(logits, top_p=0.6))
    assert kept.tolist() == [True, True, False, False, False]  # 0.54 < 0.6 <= 0.54 + 0.20
    assert np.isclose(perplexity(np.zeros((4, 10)), np.arange(4)), 10.0)  # uniform: PPL = V
    # Bigram table: row = previous token. Greedy takes 1 (0.6), then 0: 0.6 * 0.4 = 0.24.
    table = np.log(np.array([[0.1, 0.6, 0.3], [0.4, 0.3, 0.3], [0.05, 0.05, 0.9]]))
    tokens, score = beam_search(lambda s: table[s[-1]], [0], num_beams=2, max_new_tokens=2)
    assert tokens == [2, 2]
    assert np.isclose(score, np.log(0.3 * 0.9) / 2)  # 0.27 > 0.24
    print("beam search:", tokens, round(score, 4))
