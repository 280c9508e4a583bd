"""Byte-level BPE against a brute-force trainer and a merge-by-merge encoder written here,
hand-made tie cases, and round trips on arbitrary Unicode."""

from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from llm.bpe import (
    SAMPLE_EN,
    SAMPLE_ZH,
    _merge_at,
    _Vocab,
    decode,
    encode,
    encode_whiteboard,
    merge_whiteboard,
    tokens_per_char,
    train_bpe,
    train_bpe_whiteboard,
)


def join_all(tokens: tuple, pair: tuple) -> tuple:
    """Brute force: scan with an index, join pair where it starts, never reuse a token."""
    out, skip = [], False
    for i, token in enumerate(tokens):
        if skip:
            skip = False
        elif i + 1 < len(tokens) and tokens[i] == pair[0] and tokens[i + 1] == pair[1]:
            out.append(token + tokens[i + 1])
            skip = True
        else:
            out.append(token)
    return tuple(out)


def reference_train(text: str, vocab_size: int):
    """Count each distinct pair by scanning every position; pick (max count, min first index)."""
    tokens = tuple(bytes([b]) for b in text.encode("utf-8"))
    merges = []
    for _ in range(vocab_size - 256):
        positions = range(len(tokens) - 1)
        candidates = {(tokens[i], tokens[i + 1]) for i in positions}
        if not candidates:
            break

        def key(pair, tokens=tokens, positions=positions):
            hits = [i for i in positions if (tokens[i], tokens[i + 1]) == pair]
            return (len(hits), -hits[0])

        best = max(candidates, key=key)
        merges.append(best)
        tokens = join_all(tokens, best)
    return merges, tokens


def reference_encode(text: str, merges) -> tuple:
    """Apply every merge once, in the order learned, to the whole sequence."""
    tokens = tuple(bytes([b]) for b in text.encode("utf-8"))
    for pair in merges:
        tokens = join_all(tokens, pair)
    return tokens


def as_bytes(ids, merges) -> tuple:
    vocab = [bytes([i]) for i in range(256)] + [a + b for a, b in merges]
    return tuple(vocab[i] for i in ids)


small_text = st.text(alphabet="ab c中文🙂", max_size=40)


@settings(max_examples=60, deadline=None)
@given(small_text, st.integers(256, 290))
def test_train_matches_brute_force(text, vocab_size):
    merges, final_tokens = reference_train(text, vocab_size)
    assert train_bpe(text, vocab_size) == merges
    # Encoding the training text with the merges gives the segmentation training ended with.
    assert as_bytes(encode(text, merges), merges) == final_tokens


@settings(max_examples=40, deadline=None)
@given(small_text, small_text, st.integers(256, 280))
def test_encode_matches_merge_by_merge_reference(train_text, text, vocab_size):
    merges = train_bpe(train_text, vocab_size)
    ids = encode(text, merges)
    assert as_bytes(ids, merges) == reference_encode(text, merges)
    assert decode(ids, merges) == text


@settings(max_examples=30, deadline=None)
@given(small_text, small_text, st.integers(256, 280))
def test_whiteboard_matches_full_version(train_text, text, vocab_size):
    merges = train_bpe(train_text, vocab_size)
    assert train_bpe_whiteboard(train_text, vocab_size) == merges
    assert list(encode_whiteboard(text, merges)) == list(as_bytes(encode(text, merges), merges))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 2), max_size=20), st.integers(0, 2), st.integers(0, 2))
def test_whiteboard_merge_matches_merge_at(seq, left, right):
    tokens = [bytes([b]) for b in seq]
    hit = (np.array(seq[:-1]) == left) & (np.array(seq[1:]) == right)
    merged = _merge_at(np.array(seq, dtype=np.int64), hit, 256)
    as_tokens = [bytes([left, right]) if i == 256 else bytes([i]) for i in merged]
    assert merge_whiteboard(tokens, (bytes([left]), bytes([right]))) == as_tokens


def rank_loop_ids(text: str, merges) -> list[int]:
    """GPT-2's loop on (bytes, id) tokens: the lowest-rank pair (by bytes) anywhere is merged
    everywhere, left to right; the new tokens get id 256 + that rank."""
    rank = {}
    for i, pair in enumerate(merges):
        rank.setdefault(pair, i)
    tokens = [(bytes([b]), b) for b in text.encode("utf-8")]
    while True:
        ranks = [rank.get((x, y)) for (x, _), (y, _) in pairwise(tokens)]
        if all(r is None for r in ranks):
            return [i for _, i in tokens]
        best = min(r for r in ranks if r is not None)
        out, skip = [], False
        for i, token in enumerate(tokens):
            if skip:
                skip = False
            elif i + 1 < len(tokens) and (token[0], tokens[i + 1][0]) == merges[best]:
                out.append((token[0] + tokens[i + 1][0], 256 + best))
                skip = True
            else:
                out.append(token)
        tokens = out


@st.composite
def merge_lists(draw):
    """Random merge lists over a, b, c: several merges often spell the same bytes."""
    made, merges = [b"a", b"b", b"c"], []
    for _ in range(draw(st.integers(1, 8))):
        pair = (draw(st.sampled_from(made)), draw(st.sampled_from(made)))
        merges.append(pair)
        made.append(pair[0] + pair[1])
    return merges


@settings(max_examples=60, deadline=None)
@given(merge_lists(), st.text(alphabet="abc", max_size=12))
def test_encode_gives_the_id_of_the_merge_that_made_each_token(merges, text):
    assert encode(text, merges) == rank_loop_ids(text, merges)


MERGES = train_bpe(SAMPLE_ZH + SAMPLE_EN, 256 + 200)


@settings(max_examples=100, deadline=None)
@given(st.text())  # any code point but lone surrogates: Chinese, emoji, combining marks, NUL
def test_round_trip_on_any_string(text):
    ids = encode(text, MERGES)
    assert decode(ids, MERGES) == text
    assert all(0 <= i < 256 + len(MERGES) for i in ids)


def test_ties_go_to_the_leftmost_first_occurrence():
    # Every pair occurs once: the first pair of the text, not the smallest pair, wins.
    assert train_bpe("dcba", 257) == [(b"d", b"c")]
    # (a, b) and (x, y) both occur twice; (a, b) occurs first.
    assert train_bpe("abxyxyab", 257) == [(b"a", b"b")]
    assert train_bpe("xyabxyab", 257) == [(b"x", b"y")]
    # After the first merge the counts are taken on the new sequence: in "ab c ab c" the
    # tie is between (ab, " ") and (" ", c); the leftmost, (ab, " "), wins.
    assert train_bpe("ab c ab c", 258) == [(b"a", b"b"), (b"ab", b" ")]


def test_overlapping_pairs_are_counted_but_merged_left_to_right():
    # "aaa" holds the pair (a, a) twice but only one merge fits: [aa, a].
    assert train_bpe("aaa", 258) == [(b"a", b"a"), (b"aa", b"a")]
    assert encode("aaaaa", [(b"a", b"a")]) == [256, 256, ord("a")]
    # (a, a) twice in "aaab" beats (a, b) once.
    assert train_bpe("aaab", 257) == [(b"a", b"a")]


def test_merge_i_gets_id_256_plus_i():
    merges = train_bpe("low lower lowest", 256 + 3)
    assert merges == [(b"l", b"o"), (b"lo", b"w"), (b" ", b"low")]
    assert encode("lowest", merges) == [257, *b"est"]
    assert encode(" low", merges) == [258]
    assert [decode([256 + i], merges) for i in range(3)] == ["lo", "low", " low"]


def test_training_stops_when_no_pair_is_left():
    assert train_bpe("", 300) == []
    assert train_bpe("a", 300) == []
    assert train_bpe("abab", 300) == [(b"a", b"b"), (b"ab", b"ab")]
    assert train_bpe("abab", 256) == []


def test_a_han_character_is_three_bytes():
    assert encode("深度学习", []) == list("深度学习".encode())
    assert len(encode("深度学习", [])) == 12
    # Trained on Chinese text, the first merges rebuild Han characters from their bytes.
    merges = train_bpe("的的的是是中文的", 260)
    assert merges[:2] == [(b"\xe7", b"\x9a"), (b"\xe7\x9a", b"\x84")]  # 的 = e7 9a 84
    assert encode("的", merges) == [257]


def test_two_merges_may_spell_the_same_bytes():
    merges = [(b"a", b"b"), (b"b", b"c"), (b"ab", b"c"), (b"a", b"bc")]
    assert encode("abc", merges) == [258]  # (a, b) has the lowest rank, then (ab, c)
    assert encode("xbcabc", merges) == [ord("x"), 257, 258]
    assert decode([258], merges) == decode([259], merges) == "abc"
    # b"aaa" is spelled by merge 1 (a, aa) and merge 2 (aa, a). "aaa" becomes aa a after
    # merge 0, so merge 2 joins it: id 258, not 257, the first id with these bytes.
    same = [(b"a", b"a"), (b"a", b"aa"), (b"aa", b"a")]
    assert encode("aaa", same) == rank_loop_ids("aaa", same) == [258]


def test_pair_codes_do_not_collide_next_to_a_nul_byte():
    # Pairs are coded left * (256 + number of merges) + right; the last merge's id is the
    # largest, and (a, that id) must not read as (b, NUL), the pair of merge 0.
    merges = [(b"b", b"\x00"), (b"x", b"y")]
    assert encode("axy", merges) == [ord("a"), 257]
    assert encode("b\x00xy", merges) == [256, 257]


def test_a_prebuilt_vocab_can_be_reused():
    vocab = _Vocab(MERGES)
    text = SAMPLE_ZH[:40]
    assert encode(text, vocab) == encode(text, MERGES)
    assert decode(encode(text, vocab), vocab) == text


def test_decode_cut_inside_a_character_gives_replacement_character():
    ids = encode("中", [])
    assert decode(ids[:2], []) == "\ufffd"
    with pytest.raises(UnicodeDecodeError):
        decode(ids[:2], [], errors="strict")


def test_chinese_costs_more_tokens_per_character_until_merges_are_learned():
    first, last = tokens_per_char(SAMPLE_ZH, MERGES, [0, len(MERGES)])
    assert first > 2.5  # mostly 3 bytes per character
    assert last < first / 2
    assert tokens_per_char(SAMPLE_EN, MERGES, [0])[0] == 1.0  # ASCII: one byte each


@pytest.mark.parametrize("text", ["\ud800", "a\udfffb"])
def test_lone_surrogates_are_rejected(text):
    with pytest.raises(ValueError, match="not valid Unicode"):
        train_bpe(text, 300)
    with pytest.raises(ValueError, match="not valid Unicode"):
        encode(text, MERGES)


def test_bad_input():
    with pytest.raises(TypeError, match="text must be a str, got bytes"):
        train_bpe(b"bytes", 300)
    with pytest.raises(TypeError, match="vocab_size must be an int, got float"):
        train_bpe("abc", 300.0)
    with pytest.raises(TypeError, match="vocab_size"):
        train_bpe("abc", True)
    with pytest.raises(ValueError, match="vocab_size must be >= 256"):
        train_bpe("abc", 255)
    with pytest.raises(TypeError, match="text must be a str"):
        encode(None, [])
    with pytest.raises(ValueError, match="no earlier merge"):
        encode("abc", [(b"ab", b"c")])  # b"ab" was never made
    with pytest.raises(TypeError, match="two bytes"):
        encode("abc", [("a", "b")])
    with pytest.raises(TypeError, match=r"merges\[1\] must hold two bytes objects"):
        encode("abc", [(b"a", b"b"), (b"a", "b")])
    with pytest.raises(TypeError, match="tuple"):
        encode("abc", [(b"a", b"b", b"c")])
    with pytest.raises(TypeError, match=r"merges must be a list of \(bytes, bytes\), got str"):
        encode("abc", "ab")
    with pytest.raises(ValueError, match="outside the vocabulary"):
        decode([256], [])
    with pytest.raises(ValueError, match="outside the vocabulary"):
        decode([-1], [])
    with pytest.raises(TypeError, match="must be ints"):
        decode([1.0], [])
