"""IDX reader: files written byte by byte by the test, corrupt files, checksums, the subset."""

import gzip
import hashlib
import re
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mnist import idx
from mnist.idx import (
    KNOWN_SHA256,
    SUBSET_DIR,
    SUBSET_FILES,
    load_mnist,
    load_split,
    load_subset,
    parse_idx,
    read_idx,
    write_idx,
)


def idx_bytes_by_hand(array: np.ndarray, code: int) -> bytes:
    """An IDX file spelled out from the format description, independent of write_idx."""
    header = b"\x00\x00" + bytes([code, array.ndim])
    header += b"".join(struct.pack(">I", n) for n in array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def test_hand_written_label_file(tmp_path: Path):
    raw = b"\x00\x00\x08\x01" + b"\x00\x00\x00\x05" + bytes([3, 1, 4, 1, 5])
    (tmp_path / "labels.gz").write_bytes(gzip.compress(raw))
    (tmp_path / "labels").write_bytes(raw)
    for name in ("labels.gz", "labels"):
        labels = read_idx(tmp_path / name)
        assert labels.dtype == np.uint8
        assert labels.tolist() == [3, 1, 4, 1, 5]


@pytest.mark.parametrize(
    ("dtype", "code"),
    [
        (np.uint8, 0x08),
        (np.int8, 0x09),
        (np.int16, 0x0B),
        (np.int32, 0x0C),
        (np.float32, 0x0D),
        (np.float64, 0x0E),
    ],
)
def test_every_idx_type_round_trips(tmp_path: Path, dtype, code):
    array = (np.arange(24).reshape(2, 3, 4) - 7).astype(dtype)
    if dtype == np.uint8:
        array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    (tmp_path / "by_hand.idx").write_bytes(idx_bytes_by_hand(array, code))
    np.testing.assert_array_equal(read_idx(tmp_path / "by_hand.idx"), array)
    write_idx(tmp_path / "written.gz", array)
    back = read_idx(tmp_path / "written.gz")
    assert back.dtype == array.dtype
    assert back.dtype.isnative
    np.testing.assert_array_equal(back, array)
    # write_idx produces exactly the bytes of the format description
    assert gzip.decompress((tmp_path / "written.gz").read_bytes()) == idx_bytes_by_hand(array, code)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.integers(0, 4), min_size=1, max_size=4).flatmap(
        lambda shape: st.lists(
            st.integers(0, 255), min_size=int(np.prod(shape)), max_size=int(np.prod(shape))
        ).map(lambda values: np.array(values, dtype=np.uint8).reshape(shape))
    )
)
def test_uint8_round_trip_any_shape(array):
    raw = idx_bytes_by_hand(array, 0x08)
    back = parse_idx(raw)
    assert back.shape == array.shape
    np.testing.assert_array_equal(back, array)


def test_mnist_shaped_pair_round_trips(tmp_path: Path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(7, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=7).astype(np.uint8)
    write_idx(tmp_path / "img.gz", images)
    write_idx(tmp_path / "lab.gz", labels)
    got_images, got_labels = load_mnist(tmp_path / "img.gz", tmp_path / "lab.gz")
    np.testing.assert_array_equal(got_images, images)
    np.testing.assert_array_equal(got_labels, labels)


def test_write_is_deterministic(tmp_path: Path):
    array = np.arange(100, dtype=np.uint8)
    write_idx(tmp_path / "a.gz", array)
    write_idx(tmp_path / "b.gz", array)
    assert (tmp_path / "a.gz").read_bytes() == (tmp_path / "b.gz").read_bytes()
    assert (tmp_path / "a.gz").read_bytes()[4:8] == bytes(4)  # gzip's mtime: no timestamp


def test_write_without_gz_is_the_plain_format(tmp_path: Path):
    array = np.arange(12, dtype=np.uint8).reshape(3, 4)
    write_idx(tmp_path / "plain-idx2-ubyte", array)
    assert (tmp_path / "plain-idx2-ubyte").read_bytes() == idx_bytes_by_hand(array, 0x08)


@pytest.mark.parametrize("split", ["train", "t10k"])
def test_load_split_reads_the_official_file_names(monkeypatch, split: str):
    # read_idx accepts those names only with the official files' SHA-256: not written here.
    opened = []
    monkeypatch.setattr(idx, "load_mnist", lambda *paths: opened.append(paths))
    load_split("some/dir", split)
    names = (f"{split}-images-idx3-ubyte.gz", f"{split}-labels-idx1-ubyte.gz")
    assert opened == [tuple(Path("some/dir") / name for name in names)]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\x00\x00", "too short"),
        # the message shows the 4 bytes of the magic number that were read
        (b"\x01\x00\x08\x01\x00\x00\x00\x01\x07", "magic number 0x01000801$"),  # 1st byte
        (b"\x00\x00\x07\x01\x00\x00\x00\x01\x07", "magic number 0x00000701$"),  # type code
        (b"\x00\x00\x08\x00", "bad IDX magic number"),  # zero dimensions: 4 bytes are enough
        (b"\x00\x00\x08\x01", "truncated header"),
        (b"\x00\x00\x08\x03\x00\x00\x00\x01", "truncated header"),
        # 2 of 5 labels; one label too many
        (b"\x00\x00\x08\x01\x00\x00\x00\x05\x01\x02", r"data truncated: 10 .* needs 13$"),
        (b"\x00\x00\x08\x01\x00\x00\x00\x01\x01\x02", r"has trailing bytes: 10 .* needs 9$"),
    ],
)
def test_corrupt_content_raises(raw: bytes, message: str):
    with pytest.raises(ValueError, match=message):
        parse_idx(raw)


def test_element_count_beyond_int64_is_not_wrapped_around():
    # 2^31 * 2^31 * 4 = 2^64 elements: 0 in int64 arithmetic, so a size check in int64
    # would accept a header with no data at all.
    raw = b"\x00\x00\x08\x03" + struct.pack(">3I", 2**31, 2**31, 4)
    with pytest.raises(ValueError, match=rf"data truncated: 16 bytes, .* needs {2**64 + 16}$"):
        parse_idx(raw)


def test_truncated_gzip_file_raises(tmp_path: Path):
    write_idx(tmp_path / "full.gz", np.arange(5000, dtype=np.int32))
    blob = (tmp_path / "full.gz").read_bytes()
    (tmp_path / "cut.gz").write_bytes(blob[: len(blob) // 2])
    with pytest.raises(ValueError, match=r"cut\.gz.*gzip"):
        read_idx(tmp_path / "cut.gz")


def test_payload_shorter_than_header_raises(tmp_path: Path):
    raw = idx_bytes_by_hand(np.zeros((3, 28, 28), dtype=np.uint8), 0x08)
    (tmp_path / "short.gz").write_bytes(gzip.compress(raw[:-100]))
    with pytest.raises(ValueError, match=r"short\.gz.*truncated"):
        read_idx(tmp_path / "short.gz")


def test_not_gzip_raises(tmp_path: Path):
    (tmp_path / "plain.gz").write_bytes(idx_bytes_by_hand(np.zeros(3, dtype=np.uint8), 0x08))
    with pytest.raises(ValueError, match="gzip"):
        read_idx(tmp_path / "plain.gz")


def test_bad_magic_in_file_raises(tmp_path: Path):
    (tmp_path / "bad.gz").write_bytes(gzip.compress(b"\x1f\x8b\x08\x01\x00\x00\x00\x01\x00"))
    with pytest.raises(ValueError, match=r"bad\.gz.*magic"):
        read_idx(tmp_path / "bad.gz")


def test_official_name_with_wrong_hash_raises(tmp_path: Path):
    # A valid IDX file, but not the official one that its name promises.
    path = tmp_path / "train-labels-idx1-ubyte.gz"
    write_idx(path, np.zeros(60000, dtype=np.uint8))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    expected = KNOWN_SHA256[path.name]
    message = (
        f"train-labels-idx1-ubyte.gz has SHA-256 {digest}, expected {expected}; "
        "the file is corrupt, truncated or not the MNIST file of that name"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        read_idx(path)
    # The same content under another name is read without a checksum.
    renamed = path.rename(tmp_path / "labels.gz")
    assert read_idx(renamed).shape == (60000,)


def test_load_mnist_checks_shapes_and_labels(tmp_path: Path):
    write_idx(tmp_path / "img.gz", np.zeros((3, 28, 28), dtype=np.uint8))
    write_idx(tmp_path / "img27.gz", np.zeros((3, 27, 28), dtype=np.uint8))
    write_idx(tmp_path / "lab.gz", np.array([1, 2, 3], dtype=np.uint8))
    write_idx(tmp_path / "lab2.gz", np.array([1, 2], dtype=np.uint8))
    write_idx(tmp_path / "lab10.gz", np.array([1, 2, 10], dtype=np.uint8))
    write_idx(tmp_path / "lab_i32.gz", np.array([1, 2, 3], dtype=np.int32))
    write_idx(tmp_path / "img_f32.gz", np.zeros((3, 28, 28), dtype=np.float32))
    with pytest.raises(ValueError, match="images_path"):
        load_mnist(tmp_path / "img27.gz", tmp_path / "lab.gz")
    with pytest.raises(ValueError, match=r"images_path: expected uint8 .* got float32"):
        load_mnist(tmp_path / "img_f32.gz", tmp_path / "lab.gz")  # right shape, wrong dtype
    with pytest.raises(ValueError, match=r"labels_path.*2 labels for 3"):
        load_mnist(tmp_path / "img.gz", tmp_path / "lab2.gz")
    with pytest.raises(ValueError, match=r"labels_path.*0\.\.9"):
        load_mnist(tmp_path / "img.gz", tmp_path / "lab10.gz")
    with pytest.raises(ValueError, match="labels_path"):
        load_mnist(tmp_path / "img.gz", tmp_path / "lab_i32.gz")


def test_bad_arguments():
    with pytest.raises(ValueError, match="split"):
        load_split(".", "test")
    with pytest.raises(TypeError, match="raw must be bytes, got str"):
        parse_idx("not bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="array"):
        write_idx("x.idx", np.zeros(3, dtype=np.uint16))
    with pytest.raises(ValueError, match="array"):
        write_idx("x.idx", np.uint8(3))


def test_shipped_subset_matches_readme_and_checksums():
    readme = (SUBSET_DIR / "README.md").read_text(encoding="utf-8")
    for name in SUBSET_FILES:
        digest = hashlib.sha256((SUBSET_DIR / name).read_bytes()).hexdigest()
        assert digest == KNOWN_SHA256[name]
        assert re.search(rf"{re.escape(name)}.*{digest}", readme), f"README lacks {name}'s hash"
    images, labels = load_subset()
    assert images.shape == (5000, 28, 28)
    assert labels.shape == (5000,)
    # The first test digits of MNIST, as every tutorial prints them.
    assert labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    # Real handwriting: a dark background, ink in the middle, every digit present.
    assert images[:, 0, :].max() == 0 or images[:, 0, :].mean() < 1
    assert images[:, 10:18, 10:18].mean() > 50
    assert np.bincount(labels, minlength=10).min() > 400
