"""Pre-training objectives in numpy: BERT's masked-language-model corruption (15% of tokens;
80% [MASK], 10% random, 10% unchanged) and T5's span corruption with sentinel tokens."""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:whiteboard]
def mask_tokens_whiteboard(ids, vocab_size, mask_id, rng, p=0.15):
    """BERT 的 MLM 掩码：选 15% 的位置作预测目标，其中 80% 换成 [MASK]、10% 换成随机 token。"""
    ids = ids.astype(np.int64)  # uint16 存的 id 放不下 -100，int16 放不下大词表
    labels = ids.copy()
    chosen = rng.random(ids.shape) < p  # 每个位置独立地以 15% 概率被选中
    labels[~chosen] = -100  # 只有被选中的位置算损失
    inputs = ids.copy()
    r = rng.random(ids.shape)
    inputs[chosen & (r < 0.8)] = mask_id  # 80% 换成 [MASK]
    rand = chosen & (r >= 0.8) & (r < 0.9)  # 10% 换成随机 token
    inputs[rand] = rng.integers(vocab_size, size=rand.sum())
    return inputs, labels  # 其余 10% 保持原样


# --8<-- [end:whiteboard]


# --8<-- [start:mask_tokens]
IGNORE_INDEX = -100  # label of positions that carry no loss (torch's cross_entropy default)


def mask_tokens(
    input_ids: np.ndarray,
    *,
    vocab_size: int,
    mask_token_id: int,
    mlm_probability: float = 0.15,
    special_tokens_mask: np.ndarray | None = None,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """BERT's MLM corruption: (inputs, labels), labels -100 where no prediction is made."""
    ids = np.asarray(input_ids)
    if not np.issubdtype(ids.dtype, np.integer):
        raise TypeError(f"input_ids must be an integer array, got dtype {ids.dtype}")
    for name, n in (("vocab_size", vocab_size), ("mask_token_id", mask_token_id)):
        if isinstance(n, bool) or not isinstance(n, int | np.integer):
            raise TypeError(f"{name} must be an int, got {type(n).__name__}")
    if vocab_size < 1 or not 0 <= mask_token_id < vocab_size:
        raise ValueError(
            f"need vocab_size >= 1 and 0 <= mask_token_id < vocab_size, got "
            f"{vocab_size} and {mask_token_id}"
        )
    if ids.size and (ids.min() < 0 or ids.max() >= vocab_size):
        raise ValueError(f"input_ids must lie in [0, vocab_size={vocab_size})")
    ids = ids.astype(np.int64)  # uint16 ids (nanoGPT's files) cannot hold -100, int16 wraps
    if not 0.0 <= mlm_probability <= 1.0:
        raise ValueError(f"mlm_probability must be in [0, 1], got {mlm_probability}")
    special = np.zeros(ids.shape, bool) if special_tokens_mask is None else special_tokens_mask
    special = np.asarray(special)
    if special.dtype != bool or special.shape != ids.shape:
        raise ValueError(f"special_tokens_mask must be a bool array of shape {ids.shape}")
    rng = np.random.default_rng() if rng is None else rng

    chosen = (rng.random(ids.shape) < mlm_probability) & ~special  # [CLS], [SEP], padding: never
    labels = np.where(chosen, ids, IGNORE_INDEX)
    r = rng.random(ids.shape)
    inputs = ids.copy()
    inputs[chosen & (r < 0.8)] = mask_token_id
    random_word = chosen & (r >= 0.8) & (r < 0.9)
    inputs[random_word] = rng.integers(vocab_size, size=int(random_word.sum()))
    return inputs, labels


# --8<-- [end:mask_tokens]


# --8<-- [start:span_corruption]
def span_corruption(tokens: list[str], noise_mask: list[bool]) -> tuple[list[str], list[str]]:
    """T5's objective: each noise span becomes one sentinel in the input; the target lists
    every sentinel followed by the tokens it replaced, and ends with one more sentinel."""
    if len(tokens) != len(noise_mask):
        raise ValueError(
            f"tokens and noise_mask differ in length: {len(tokens)} vs {len(noise_mask)}"
        )
    if not all(isinstance(b, bool | np.bool_) for b in noise_mask):
        raise TypeError("noise_mask must hold booleans")
    inputs: list[str] = []
    targets: list[str] = []
    sentinel = 0
    for i, (token, noisy) in enumerate(zip(tokens, noise_mask, strict=True)):
        if noisy and (i == 0 or not noise_mask[i - 1]):  # a span starts: one sentinel for all
            inputs.append(f"<extra_id_{sentinel}>")
            targets.append(f"<extra_id_{sentinel}>")
            sentinel += 1
        (targets if noisy else inputs).append(token)
    targets.append(f"<extra_id_{sentinel}>")  # marks the end of the targets
    return inputs, targets


# --8<-- [end:span_corruption]


# --8<-- [start:random_spans]
def random_spans_noise_mask(
    length: int,
    noise_density: float = 0.15,
    mean_noise_span_length: float = 3.0,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """T5's noise mask: round(length * density) noise tokens in round(that / mean) spans.

    Non-noise and noise spans alternate, starting with non-noise and ending with noise; the
    span lengths split each count at random, every split equally likely (as T5's code does).
    """
    if isinstance(length, bool) or not isinstance(length, int | np.integer):
        raise TypeError(f"length must be an int, got {type(length).__name__}")
    if length < 1:
        raise ValueError(f"length must be >= 1, got {length}")
    if not 0.0 < noise_density < 1.0:
        raise ValueError(f"noise_density must be in (0, 1), got {noise_density}")
    if not mean_noise_span_length >= 1.0:
        raise ValueError(f"mean_noise_span_length must be >= 1, got {mean_noise_span_length}")
    rng = np.random.default_rng() if rng is None else rng
    n = max(int(length), 2)  # as T5: room for one noise and one non-noise token
    num_noise = min(max(round(n * noise_density), 1), n - 1)
    num_spans = max(round(num_noise / mean_noise_span_length), 1)
    num_spans = min(num_spans, n - num_noise)  # each noise span needs a non-noise one before it

    def split(total: int) -> np.ndarray:  # total into num_spans positive parts
        cuts = np.sort(rng.choice(np.arange(1, total), num_spans - 1, replace=False))
        return np.diff(np.concatenate(([0], cuts, [total])))

    lengths = np.column_stack([split(n - num_noise), split(num_noise)]).ravel()
    return np.repeat(np.tile([False, True], num_spans), lengths)[:length]


# --8<-- [end:random_spans]


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    ids = rng.integers(1000, size=100_000)
    inputs, labels = mask_tokens(ids, vocab_size=1000, mask_token_id=103, rng=rng)
    chosen = labels != IGNORE_INDEX
    assert abs(chosen.mean() - 0.15) < 0.01
    assert abs((inputs[chosen] == 103).mean() - 0.8) < 0.02
    assert (inputs[~chosen] == ids[~chosen]).all()
    words = ["Thank", "you", "for", "inviting", "me", "to", "your", "party", "last", "week", "."]
    noise = [w in {"for", "inviting", "last"} for w in words]
    print(span_corruption(words, noise))
    mask = random_spans_noise_mask(512, rng=rng)
    assert mask.sum() == 77  # round(512 * 0.15)
    assert (np.diff(mask.astype(int)) == 1).sum() == 26  # round(77 / 3) spans
