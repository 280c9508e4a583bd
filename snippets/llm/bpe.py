"""Byte-level BPE in numpy: train merges on a text, encode with them, decode back.

Token ids 0-255 are the 256 byte values; merge i creates token id 256 + i. A merge is
recorded as the pair of byte strings it joins, as in GPT-2's merges.txt. Two tokens with the
same bytes behave the same in training and encoding (pairs are identified by their bytes), so
a merge whose result already exists (b"ab" + b"c" and b"a" + b"bc") is harmless: both ids
decode to the same bytes.

No pre-tokenisation: the whole text is one byte sequence. GPT-2 and tiktoken first split the
text with a regular expression (words, numbers, punctuation, spaces) so that no merge
crosses those boundaries; that is a separate step in front of this one.
"""

# --8<-- [start:imports]
from itertools import pairwise

import numpy as np

# --8<-- [end:imports]


# --8<-- [start:whiteboard_train]
def train_bpe_whiteboard(text, vocab_size):
    """Learn vocab_size - 256 byte-level BPE merges on text."""
    seq = [bytes([b]) for b in text.encode("utf-8")]  # 一个字节一个 token
    merges = []
    while len(merges) < vocab_size - 256 and len(seq) > 1:
        counts = {}  # dict 按第一次出现的顺序保存 key
        for pair in pairwise(seq):
            counts[pair] = counts.get(pair, 0) + 1
        best = max(counts, key=counts.get)  # 次数相同取最先出现的
        merges.append(best)
        seq = merge_whiteboard(seq, best)
    return merges


def merge_whiteboard(seq, pair):
    """Replace each occurrence of pair in seq (left to right, no overlaps) by one token."""
    out, i = [], 0
    while i < len(seq):
        if i + 1 < len(seq) and (seq[i], seq[i + 1]) == pair:
            out.append(seq[i] + seq[i + 1])  # bytes + bytes
            i += 2
        else:
            out.append(seq[i])
            i += 1
    return out


# --8<-- [end:whiteboard_train]


# --8<-- [start:whiteboard_encode]
def encode_whiteboard(text, merges):
    """Returns the tokens as byte strings; merge rank = position in merges."""
    rank = {pair: i for i, pair in enumerate(merges)}
    seq = [bytes([b]) for b in text.encode("utf-8")]
    while len(seq) > 1:
        best = min(pairwise(seq), key=lambda p: rank.get(p, float("inf")))  # 最早学到的合并
        if best not in rank:
            break  # 没有可用的合并了
        seq = merge_whiteboard(seq, best)
    return seq


# --8<-- [end:whiteboard_encode]


# --8<-- [start:check]
def _as_bytes(text: str, name: str = "text") -> bytes:
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a str, got {type(text).__name__}")
    try:
        return text.encode("utf-8")  # pragma: no mutate (codec names ignore case)
    except UnicodeEncodeError as error:  # a lone surrogate such as "\ud800"
        raise ValueError(
            f"{name} is not valid Unicode text: {error.reason} at index {error.start}"
        ) from None


# --8<-- [end:check]


# --8<-- [start:vocab]
class _Vocab:
    """Ids -> bytes for a merge list, and the lookup tables that encode() needs."""

    def __init__(self, merges):
        if not isinstance(merges, list | tuple):
            raise TypeError(f"merges must be a list of (bytes, bytes), got {type(merges).__name__}")
        self.bytes = [bytes([i]) for i in range(256)]  # id -> bytes
        canonical = {b: i for i, b in enumerate(self.bytes)}  # bytes -> first id with them
        self.canon = list(range(256))  # id -> that first id: equal bytes, equal behaviour
        codes = []
        # Any base above the largest canonical id (255 + len(merges)) gives distinct pair codes.
        n = 256 + len(merges)  # pragma: no mutate
        for i, pair in enumerate(merges):
            if not (isinstance(pair, tuple) and len(pair) == 2):
                raise TypeError(f"merges[{i}] must be a tuple (bytes, bytes), got {pair!r}")
            left, right = pair
            if not (isinstance(left, bytes) and isinstance(right, bytes)):
                raise TypeError(f"merges[{i}] must hold two bytes objects, got {pair!r}")
            if left not in canonical or right not in canonical:
                raise ValueError(f"merges[{i}] = {pair!r} joins a token no earlier merge made")
            codes.append(canonical[left] * n + canonical[right])
            merged = left + right
            canonical.setdefault(merged, 256 + i)
            self.bytes.append(merged)
            self.canon.append(canonical[merged])
        # Python ints: numpy's default integer is int64 anyway (numpy >= 2, any platform).
        self.canon = np.array(self.canon, dtype=np.int64)  # pragma: no mutate
        self.n = n
        # As above; an empty list would be float64, but encode() never searches empty codes.
        self.codes = np.array(codes, dtype=np.int64)  # pragma: no mutate (pair code of merge i)
        # The stable sort: the first rank wins a repeated pair (numpy ignores kind's case).
        self.order = np.argsort(self.codes, kind="stable")  # pragma: no mutate
        self.sorted_codes = self.codes[self.order]


# --8<-- [end:vocab]


# --8<-- [start:merge]
def _merge_at(seq: np.ndarray, hit: np.ndarray, new_id) -> np.ndarray:
    """Join seq[i], seq[i + 1] into new_id for each i with hit[i], left to right.

    Two hits can only touch when the pair is (x, x), as in x x x: the leftmost one wins,
    so in a run of consecutive hits every other one is kept.
    """
    starts = np.flatnonzero(hit)
    if len(starts) > 1:  # pragma: no mutate (a single hit is a run of one: the filter keeps it)
        new_run = np.r_[True, np.diff(starts) != 1]
        run_start = np.maximum.accumulate(np.where(new_run, starts, 0))
        # s - r and s + r have the same parity.
        starts = starts[(starts - run_start) % 2 == 0]  # pragma: no mutate
    out = seq.copy()
    out[starts] = new_id
    keep = np.ones(len(seq), dtype=bool)
    keep[starts + 1] = False  # pragma: no mutate (None stored in a bool array is False)
    return out[keep]


# --8<-- [end:merge]


# --8<-- [start:train]
def train_bpe(text: str, vocab_size: int) -> list[tuple[bytes, bytes]]:
    """Learn vocab_size - 256 merges on text's UTF-8 bytes (fewer if the text runs out).

    Each step counts every adjacent pair of tokens (overlapping: b"aaa" has the pair
    (b"a", b"a") twice), takes the most frequent one and merges its occurrences left to
    right. Ties go to the pair whose first occurrence is leftmost: the smallest i such that
    (seq[i], seq[i + 1]) is that pair, in the sequence as it is after the earlier merges.
    """
    data = _as_bytes(text)
    if isinstance(vocab_size, bool) or not isinstance(vocab_size, int | np.integer):
        raise TypeError(f"vocab_size must be an int, got {type(vocab_size).__name__}")
    if vocab_size < 256:
        raise ValueError(f"vocab_size must be >= 256 (the byte tokens), got {vocab_size}")
    vocab = [bytes([i]) for i in range(256)]  # canonical id -> bytes
    index = {b: i for i, b in enumerate(vocab)}
    seq = np.frombuffer(data, dtype=np.uint8).astype(np.int64)
    merges = []
    while len(merges) < vocab_size - 256 and len(seq) > 1:
        n = len(vocab)
        codes = seq[:-1] * n + seq[1:]  # one integer per adjacent pair
        pairs, first, counts = np.unique(codes, return_index=True, return_counts=True)
        tied = counts == counts.max()
        best = pairs[tied][np.argmin(first[tied])]  # most frequent, then leftmost
        left, right = vocab[best // n], vocab[best % n]
        merges.append((left, right))
        merged = left + right
        if merged not in index:  # else reuse the token that already has these bytes
            index[merged] = len(vocab)
            vocab.append(merged)
        seq = _merge_at(seq, codes == best, index[merged])
    return merges


# --8<-- [end:train]


# --8<-- [start:encode]
def encode(text: str, merges: list[tuple[bytes, bytes]]) -> list[int]:
    """Token ids of text: apply the merges in rank order, as GPT-2 and tiktoken do.

    Repeatedly find the adjacent pair with the lowest rank (earliest merge) anywhere in the
    sequence and merge all its occurrences, until no pair is in the merge list.
    """
    data = _as_bytes(text)
    vocab = merges if isinstance(merges, _Vocab) else _Vocab(merges)
    ids = np.frombuffer(data, dtype=np.uint8).astype(np.int64)
    # One id has no pair: known is empty and the loop breaks at once.
    while len(ids) > 1 and len(vocab.codes):  # pragma: no mutate
        c = vocab.canon[ids]
        codes = c[:-1] * vocab.n + c[1:]
        pos = np.minimum(np.searchsorted(vocab.sorted_codes, codes), len(vocab.codes) - 1)
        known = vocab.sorted_codes[pos] == codes
        if not known.any():
            break
        rank = vocab.order[pos[known]].min()
        ids = _merge_at(ids, codes == vocab.codes[rank], 256 + rank)
    return ids.tolist()


def decode(ids, merges: list[tuple[bytes, bytes]], errors: str = "replace") -> str:
    """The text of token ids. Bytes that are not valid UTF-8 (a sequence cut inside a
    character) become U+FFFD with errors="replace", as in GPT-2 and tiktoken."""
    vocab = merges if isinstance(merges, _Vocab) else _Vocab(merges)
    ids = list(ids)
    for i in ids:
        if isinstance(i, bool) or not isinstance(i, int | np.integer):
            raise TypeError(f"token ids must be ints, got {i!r}")
        if not 0 <= i < len(vocab.bytes):
            raise ValueError(f"token id {i} outside the vocabulary [0, {len(vocab.bytes)})")
    # utf-8 is the default of bytes.decode, and codec names ignore case.
    return b"".join(vocab.bytes[i] for i in ids).decode("utf-8", errors=errors)  # pragma: no mutate


# --8<-- [end:encode]


# --8<-- [start:sample]
SAMPLE_ZH = (
    "大语言模型读到的不是文字，而是一串整数。分词器先把文本切成词元，再把每个词元换成词表里的编号。"
    "词表太小，一句话要切成很多词元，序列变长，计算变慢；词表太大，嵌入矩阵和输出层变大，"
    "很多词元在训练数据里只出现几次，学不好。子词分词折中：常见的词整体成为一个词元，"
    "少见的词拆成几个常见的片段，任何文本都能表示，不会出现词表外的词。"
    "字节级的分词从二百五十六个字节出发，每一步把出现次数最多的相邻两个词元合并成一个新词元，"
    "合并的顺序就是词表。中文的每个汉字在 UTF-8 编码里占三个字节，"
    "训练初期最先学到的合并往往就是把常见汉字的三个字节拼回一个字，之后再把常见的词拼起来。"
    "分词决定了模型看到的序列长度，也决定了同样的上下文窗口能装下多少内容。"
)
SAMPLE_EN = (
    "A language model never sees text; it sees a sequence of integers. The tokenizer cuts the "
    "text into tokens and looks each one up in its vocabulary. With a small vocabulary a "
    "sentence becomes many tokens, so sequences get longer and slower to process; with a huge "
    "vocabulary the embedding and output layers grow, and many tokens are seen too rarely to be "
    "learned well. Subword tokenization is the compromise: frequent words become single tokens, "
    "rare words are spelled with a few frequent pieces, and any text can be represented, so "
    "there is no out-of-vocabulary word. Byte-level BPE starts from the 256 bytes and at each "
    "step merges the most frequent adjacent pair of tokens into a new token; the order of the "
    "merges is the vocabulary. The tokenizer decides how long the sequence is and therefore "
    "how much text fits into the same context window."
)


def tokens_per_char(text: str, merges, n_merges) -> np.ndarray:
    """Tokens per character of text when only the first m merges are used, for each m."""
    return np.array([len(encode(text, merges[:m])) / len(text) for m in n_merges])


# --8<-- [end:sample]


# --8<-- [start:plot]
def plot_compression(n_merges: int = 300, step: int = 10):
    """Tokens per character of the Chinese and the English sample against the merges learned."""
    import matplotlib.pyplot as plt

    merges = train_bpe(SAMPLE_ZH + SAMPLE_EN, 256 + n_merges)
    m = np.arange(0, len(merges) + 1, step)
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.plot(m, tokens_per_char(SAMPLE_ZH, merges, m), "o-", ms=3, label="中文样例")
    ax.plot(m, tokens_per_char(SAMPLE_EN, merges, m), "s-", ms=3, label="英文样例")
    ax.set_xlabel("合并次数（词表大小 − 256）")
    ax.set_ylabel("每个字符的 token 数")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


# --8<-- [end:plot]


if __name__ == "__main__":
    merges = train_bpe("low lower lowest", 256 + 3)
    assert merges[:2] == [(b"l", b"o"), (b"lo", b"w")]
    ids = encode("lowest", merges)
    assert ids == [257, ord("e"), ord("s"), ord("t")]  # "low" is token 256 + 1
    for s in ["深度学习", "emoji 🙂 and 中文", ""]:
        assert decode(encode(s, merges), merges) == s
    assert len("深".encode()) == 3  # a Han character is 3 bytes in UTF-8
    print("merges:", merges)
