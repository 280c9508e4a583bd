"""Read and write IDX files (the MNIST format), with header, size and checksum checks.

An IDX file is a big-endian header followed by raw array data:
magic = 0x00 0x00 <type code> <number of dimensions>, then one uint32 per dimension.
Files whose name ends in .gz are gzip-compressed.
"""

# --8<-- [start:imports]
import gzip
import hashlib
import math
import struct
import zlib
from pathlib import Path

import numpy as np

# --8<-- [end:imports]

# --8<-- [start:constants]
# IDX type code -> big-endian numpy dtype (LeCun's format description).
IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
# SHA-256 of the four official .gz files, checked whenever a file has one of these names.
OFFICIAL_SHA256 = {
    "train-images-idx3-ubyte.gz": (
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"
    ),
    "train-labels-idx1-ubyte.gz": (
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"
    ),
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
# The subset shipped in this repository (data/): the first 5,000 images of the test set.
SUBSET_FILES = ("t10k-first5000-images-idx3-ubyte.gz", "t10k-first5000-labels-idx1-ubyte.gz")
KNOWN_SHA256 = {
    **OFFICIAL_SHA256,
    SUBSET_FILES[0]: "b90922caef9d2c0b2b1cbd9698e96e241ad6fd147a7140e6e28caffeda64b4f5",
    SUBSET_FILES[1]: "10f486884da73deae529fcd167f812c099397e4da841bfcc50ae76eea0dd7c61",
}
# --8<-- [end:constants]


# --8<-- [start:parse_idx]
def parse_idx(raw: bytes) -> np.ndarray:
    """Decode the bytes of an (uncompressed) IDX file into a native-endian numpy array."""
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise TypeError(f"raw must be bytes, got {type(raw).__name__}")
    raw = bytes(raw)
    if len(raw) < 4:
        raise ValueError(f"raw: {len(raw)} bytes is too short for the 4-byte IDX magic number")
    zero1, zero2, type_code, ndim = raw[:4]
    if zero1 != 0 or zero2 != 0 or type_code not in IDX_DTYPES or ndim == 0:
        raise ValueError(f"raw: bad IDX magic number 0x{raw[:4].hex()}")
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise ValueError(f"raw: truncated header ({len(raw)} < {header_size} bytes)")
    shape = struct.unpack(f">{ndim}I", raw[4:header_size])
    dtype = IDX_DTYPES[type_code]
    expected = header_size + math.prod(shape) * dtype.itemsize  # Python ints: no overflow
    if len(raw) != expected:
        kind = "truncated" if len(raw) < expected else "has trailing bytes"
        raise ValueError(f"raw: data {kind}: {len(raw)} bytes, header {shape} needs {expected}")
    data = np.frombuffer(raw, dtype=dtype, offset=header_size).reshape(shape)
    return data.astype(dtype.newbyteorder("="))  # a native-endian, writable copy


# --8<-- [end:parse_idx]


# --8<-- [start:read_idx]
def read_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (.gz or plain); files with a known MNIST name must match its SHA-256."""
    path = Path(path)
    blob = path.read_bytes()
    known = KNOWN_SHA256.get(path.name)
    if known is not None and (digest := hashlib.sha256(blob).hexdigest()) != known:
        raise ValueError(
            f"path: {path.name} has SHA-256 {digest}, expected {known}; "
            "the file is corrupt, truncated or not the MNIST file of that name"
        )
    if path.suffix == ".gz":
        try:
            blob = gzip.decompress(blob)
        except (OSError, EOFError, zlib.error) as error:  # bad header, truncated, bad CRC
            raise ValueError(f"path: {path.name} is not a valid gzip file ({error})") from error
    try:
        return parse_idx(blob)
    except ValueError as error:
        raise ValueError(f"path: {path.name}: {error}") from error


# --8<-- [end:read_idx]


# --8<-- [start:write_idx]
def write_idx(path: str | Path, array: np.ndarray) -> None:
    """Write array as an IDX file, gzip-compressed (deterministically) if path ends in .gz."""
    array = np.asarray(array)
    codes = {dtype.newbyteorder("="): code for code, dtype in IDX_DTYPES.items()}
    code = codes.get(array.dtype.newbyteorder("="))
    if code is None:
        raise TypeError(f"array: dtype {array.dtype} has no IDX type code")
    if array.ndim == 0 or array.ndim > 255:
        raise ValueError(f"array: IDX needs 1 to 255 dimensions, got {array.ndim}")
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    raw = header + np.ascontiguousarray(array, dtype=IDX_DTYPES[code]).tobytes()
    path = Path(path)
    path.write_bytes(gzip.compress(raw, compresslevel=9, mtime=0) if path.suffix == ".gz" else raw)


# --8<-- [end:write_idx]


# --8<-- [start:load_mnist]
def load_mnist(images_path: str | Path, labels_path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Images (N, 28, 28) uint8 and labels (N,) uint8 from a pair of MNIST IDX files."""
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(
            f"images_path: expected uint8 (N, 28, 28), got {images.dtype} {images.shape}"
        )
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise ValueError(f"labels_path: expected uint8 (N,), got {labels.dtype} {labels.shape}")
    if len(images) != len(labels):
        raise ValueError(f"labels_path: {len(labels)} labels for {len(images)} images")
    if labels.size and labels.max() > 9:
        raise ValueError(f"labels_path: labels must be digits 0..9, found {labels.max()}")
    return images, labels


def load_split(directory: str | Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """The official 'train' (60,000) or 't10k' (10,000) split from a directory of .gz files."""
    if split not in ("train", "t10k"):
        raise ValueError(f"split must be 'train' or 't10k', got {split!r}")
    directory = Path(directory)
    return load_mnist(
        directory / f"{split}-images-idx3-ubyte.gz", directory / f"{split}-labels-idx1-ubyte.gz"
    )


# --8<-- [end:load_mnist]


SUBSET_DIR = Path(__file__).resolve().parent / "data"


def load_subset() -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 real MNIST test images shipped with the repository (see data/README.md)."""
    return load_mnist(SUBSET_DIR / SUBSET_FILES[0], SUBSET_DIR / SUBSET_FILES[1])


if __name__ == "__main__":
    images, labels = load_subset()
    assert images.shape == (5000, 28, 28)
    assert labels.shape == (5000,)
    assert images.dtype == np.uint8
    assert labels.min() >= 0
    assert labels.max() == 9
    assert labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]  # the well-known first digits
    assert set(np.unique(labels)) == set(range(10))
    print("subset:", images.shape, "labels 0..9 counts:", np.bincount(labels).tolist())
