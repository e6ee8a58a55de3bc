"""Helpers for mnist_from_scratch.ipynb: load MNIST and train a 784-64-10 network in NumPy.

Two halves, both imported by the notebook and checked by the tests:

* Data. ``load_mnist`` returns the original MNIST arrays. It reads the four IDX files from
  a folder, fetches missing ones from a mirror, and verifies every file's *decompressed*
  content against the published SHA-256 before using or keeping it.
* The network. 784 inputs -> 64 ReLU units -> 10 softmax outputs, cross-entropy loss,
  mini-batch gradient descent with backpropagation written out by hand.

Shapes follow the notebook's notation: a batch ``x`` is ``(n, 784)`` float32 in [0, 1],
``W1`` is ``(784, 64)``, ``b1`` is ``(64,)``, ``W2`` is ``(64, 10)``, ``b2`` is ``(10,)``,
labels ``y`` are integers ``(n,)`` in 0..9. Randomness comes only from seeded
``numpy.random.Generator`` objects, so the same seed gives the same numbers.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import sys
import time
import urllib.parse
import urllib.request
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

# ---------------------------------------------------------------------------------------
# Data: IDX files and MNIST
# ---------------------------------------------------------------------------------------

#: The public mirrors tried after ``$MNIST_MIRROR``; both serve the four original .gz files.
PUBLIC_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)

#: SHA-256 of each file's decompressed content (the published checksums), and its shape.
#: The .gz bytes differ between mirrors, so only the content is checked.
MNIST_FILES = {
    "train-images-idx3-ubyte": (
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        (60000, 28, 28),
    ),
    "train-labels-idx1-ubyte": (
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        (60000,),
    ),
    "t10k-images-idx3-ubyte": (
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        (10000, 28, 28),
    ),
    "t10k-labels-idx1-ubyte": (
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        (10000,),
    ),
}

# IDX type byte -> big-endian NumPy dtype (the format's spec, as published with MNIST).
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


class DataFileError(ValueError):
    """A data file is corrupt, truncated, not IDX, or not the file it claims to be."""


class DownloadError(OSError):
    """No mirror could supply a verified copy of a data file."""


#: Each MNIST file's decompressed size in bytes (its IDX header, then one byte per value).
MNIST_SIZES = {
    name: 4 + 4 * len(shape) + math.prod(shape) for name, (_, shape) in MNIST_FILES.items()
}

#: Largest content ``read_idx`` accepts unless told otherwise: a wrong header or a gzip bomb
#: must not be able to claim all memory.
MAX_IDX_BYTES = 1 << 30

_GZIP_MAGIC = b"\x1f\x8b"
_MAX_HEADER = 4 + 4 * 255  # the longest IDX header: 255 dimensions
_CHUNK = 1 << 20  # bytes per read or decompression step


def _max_raw(size: int) -> int:
    """Most bytes a file whose content is ``size`` bytes can take: deflate's worst case + gzip's."""
    return size + size // 64 + 1024


def _read_limited(path: Path, limit: int) -> bytes:
    """The bytes of file ``path``; raise DataFileError if it holds more than ``limit``."""
    with open(path, "rb") as f:
        raw = f.read(limit + 1)
    if len(raw) > limit:
        raise DataFileError(
            f"{path}: the file is larger than the {limit} bytes its content allows, so it is not "
            "the file it should be. Delete it (or replace it with the original) and run again."
        )
    return raw


def _gunzip(raw: bytes, source: str, limit: int) -> bytes:
    """Decompress gzip ``raw`` (one or more members), refusing content beyond ``limit`` bytes.

    Streams with ``max_length`` so a gzip bomb costs at most ``limit`` bytes of memory and the
    time to produce them, never its full expansion.
    """
    out = bytearray()
    data = raw
    try:
        while data:
            if data[:2] != _GZIP_MAGIC:
                raise zlib.error(f"{len(data)} bytes of trailing data that are not gzip")
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # 16+: expect a gzip wrapper
            while not inflater.eof:
                chunk = inflater.decompress(data, limit + 1 - len(out))
                out += chunk
                if len(out) > limit:
                    raise DataFileError(
                        f"{source}: the gzip data expand to more than the {limit} bytes the "
                        "content can have (a damaged file or a gzip bomb); stopped there. "
                        "Delete the file and run again to re-download it."
                    )
                data = inflater.unconsumed_tail
                if not (data or chunk or inflater.eof):  # no input left, no output pending
                    raise EOFError("the compressed stream ends early")
            data = inflater.unused_data  # the next member, if any
    except (EOFError, zlib.error) as err:
        raise DataFileError(
            f"{source}: the gzip data is truncated or corrupt ({err}). "
            "Delete the file and run again to re-download it."
        ) from None
    return bytes(out)


def _idx_size(head: bytes, source: str) -> int:
    """Total size in bytes (header + data) of the IDX file whose first bytes are ``head``."""
    if len(head) < 4 or head[:2] != b"\x00\x00" or head[2] not in _IDX_DTYPES:
        raise DataFileError(
            f"{source}: wrong magic number {head[:4].hex() or '(empty file)'}; an IDX file "
            "starts with 00 00, a type byte (08, 09, 0b, 0c, 0d or 0e) and the number of "
            "dimensions. This is not an IDX file: replace it with the original."
        )
    dtype, ndim = _IDX_DTYPES[head[2]], head[3]
    header = 4 + 4 * ndim
    if len(head) < header:
        raise DataFileError(f"{source}: truncated header ({len(head)} bytes, need {header}).")
    shape = [int(d) for d in np.frombuffer(head, ">u4", count=ndim, offset=4)]
    return header + math.prod(shape) * dtype.itemsize


def _idx_content(raw: bytes, source: str, max_size: int) -> bytes:
    """The IDX content of ``raw`` (gzip-compressed or not), read no further than it may go.

    The header, read first, says how long the content must be; decompression stops one byte
    past that (or past ``max_size``, if smaller), so a bomb never expands in memory.
    """
    gzipped = raw[:2] == _GZIP_MAGIC
    if gzipped:  # the first bytes alone, to read the header
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(raw, _MAX_HEADER)
        except zlib.error as err:
            raise DataFileError(
                f"{source}: the gzip data is truncated or corrupt ({err}). "
                "Delete the file and run again to re-download it."
            ) from None
    else:
        head = raw[:_MAX_HEADER]
    size = _idx_size(head, source)
    if size > max_size:
        raise DataFileError(
            f"{source}: the header says the file holds {size} bytes, more than the {max_size} "
            "allowed for it. The file is corrupt or not the one expected: replace it."
        )
    return _gunzip(raw, source, size) if gzipped else raw


def parse_idx(content: bytes, source: str = "<bytes>") -> np.ndarray:
    """Parse the (decompressed) bytes of an IDX file into an array.

    Header: two zero bytes, a type byte, the number of dimensions, then each dimension as a
    big-endian uint32; the data follow, big-endian. Returns a native-endian array of the
    header's shape. Raises ``DataFileError`` naming ``source`` if anything is inconsistent.
    """
    expected = _idx_size(content[:_MAX_HEADER], source)
    dtype, ndim = _IDX_DTYPES[content[2]], content[3]
    shape = tuple(int(d) for d in np.frombuffer(content, ">u4", count=ndim, offset=4))
    if len(content) != expected:
        raise DataFileError(
            f"{source}: the header says shape {shape} ({expected} bytes in all) but the file "
            f"has {len(content)} bytes: it is truncated or corrupt. Replace it with the original."
        )
    data = np.frombuffer(content, dtype, offset=4 + 4 * ndim).reshape(shape)
    return data.astype(dtype.newbyteorder("="))  # a native, writable copy


def read_idx(path: str | os.PathLike, max_size: int = MAX_IDX_BYTES) -> np.ndarray:
    """Read an IDX file, gzip-compressed or not, and return its validated array.

    Refuses (DataFileError naming the file) content larger than ``max_size`` bytes or than
    the header says, without reading or decompressing beyond that.
    """
    path = Path(path)
    raw = _read_limited(path, _max_raw(max_size))
    return parse_idx(_idx_content(raw, str(path), max_size), str(path))


def sha256_hex(content: bytes) -> str:
    """SHA-256 of ``content`` as 64 hex digits."""
    return hashlib.sha256(content).hexdigest()


def default_mirrors() -> list[str]:
    """The mirrors to try, in order: ``$MNIST_MIRROR`` (if set), then ``PUBLIC_MIRRORS``."""
    env = os.environ.get("MNIST_MIRROR", "").strip()
    return ([env] if env else []) + list(PUBLIC_MIRRORS)


def _is_url(mirror: str) -> bool:
    return urllib.parse.urlparse(mirror).scheme in ("http", "https", "file")


def _fetch_bytes(
    mirror: str, filename: str, progress: bool | None, max_bytes: int, deadline: float
) -> bytes:
    """Bytes of ``filename`` from ``mirror`` (a folder or an http(s)/file URL).

    Raises DataFileError past ``max_bytes`` bytes and TimeoutError past ``deadline`` seconds
    for the whole download (a server that drips bytes never trips a per-read timeout).
    """
    if not _is_url(mirror):
        return _read_limited(Path(mirror) / filename, max_bytes)
    url = mirror.rstrip("/") + "/" + filename
    start = time.monotonic()
    # The per-read timeout bounds a silent server; the deadline below bounds a slow one.
    with urllib.request.urlopen(url, timeout=min(30.0, deadline)) as response:
        total = int(response.headers.get("Content-Length") or 0)
        if total > max_bytes:
            raise DataFileError(f"{url}: the server offers {total} bytes, more than {max_bytes}")
        chunks: list[bytes] = []
        received, shown = 0, False
        while chunk := response.read1(_CHUNK):  # read1: whatever has arrived, without waiting
            chunks.append(chunk)
            received += len(chunk)
            if received > max_bytes:
                raise DataFileError(
                    f"{url}: received more than {max_bytes} bytes, more than the file can be; "
                    "stopped there"
                )
            elapsed = time.monotonic() - start
            if elapsed > deadline:
                raise TimeoutError(
                    f"{url}: the download took more than its {deadline:g} s deadline "
                    f"({received} bytes received); stopped there"
                )
            # Only a download that takes more than a moment is worth a progress line.
            if progress or (progress is None and elapsed > 1.0):
                _report_progress(filename, received, total)
                shown = True
        if shown:
            print(file=sys.stderr)  # end the progress line
    return b"".join(chunks)


def _report_progress(filename: str, received: int, total: int) -> None:
    size = f"{received / 1e6:.1f}" + (f" of {total / 1e6:.1f}" if total else "")
    print(f"\rdownloading {filename}: {size} MB", end="", file=sys.stderr, flush=True)


def _write_atomically(path: Path, raw: bytes) -> None:
    """Write ``raw`` to a temporary name beside ``path``, then rename: never a half file."""
    # open(..., "x") rather than mkstemp: the file gets the user's usual permissions.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{time.time_ns()}.part")
    try:
        with open(tmp, "xb") as f:
            f.write(raw)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _check_writable_dir(data_dir: Path) -> None:
    """Make ``data_dir`` if need be and make sure a file can be written there, before a download."""
    if data_dir.exists() and not data_dir.is_dir():
        raise NotADirectoryError(
            f"the data folder {data_dir.resolve()} is a file, not a folder: pass another "
            "data_dir, or move that file away"
        )
    probe = data_dir / f".write-test.{os.getpid()}.{time.time_ns()}"
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        probe.touch(exist_ok=False)
        probe.unlink()
    except OSError as err:
        raise PermissionError(
            f"cannot write to the data folder {data_dir.resolve()} ({err.strerror or err}): "
            "pass a data_dir you can write to, make this one writable, or put the MNIST "
            ".gz files there by hand"
        ) from None


def fetch_file(
    name: str,
    data_dir: str | os.PathLike,
    sha256: str,
    mirrors: Sequence[str] | None = None,
    progress: bool | None = None,
    size: int = MAX_IDX_BYTES,
    deadline: float = 120.0,
) -> Path:
    """Make sure a verified copy of IDX file ``name`` is in ``data_dir`` and return its path.

    ``name`` has no ``.gz``: a cached ``name.gz`` or ``name`` is used as it is. Otherwise
    ``name.gz`` is fetched from each of ``mirrors`` in turn (default: ``default_mirrors()``),
    and kept only once its decompressed content has SHA-256 ``sha256``. ``size`` (the
    content's size in bytes, or an upper bound) caps the bytes received and decompressed;
    ``deadline`` is the most seconds one mirror's download may take. Raises
    ``DownloadError`` listing every mirror tried when none gives a verified copy, and an
    OSError before any download if ``data_dir`` is a file or cannot be written.
    """
    data_dir = Path(data_dir)
    for candidate in (data_dir / f"{name}.gz", data_dir / name):
        if candidate.exists():
            return candidate
    _check_writable_dir(data_dir)
    mirrors = default_mirrors() if mirrors is None else list(mirrors)
    failures = []
    for mirror in mirrors:
        try:
            raw = _fetch_bytes(mirror, f"{name}.gz", progress, _max_raw(size), deadline)
            got = sha256_hex(_idx_content(raw, f"{mirror} {name}.gz", size))
            if got != sha256:
                raise DataFileError(f"content SHA-256 {got}, expected {sha256}")
        except (OSError, ValueError) as err:  # URLError and HTTPError are OSErrors
            failures.append(f"  {mirror}: {err}")
            continue
        _write_atomically(data_dir / f"{name}.gz", raw)
        return data_dir / f"{name}.gz"
    tried = "\n".join(failures) or "  (no mirrors given)"
    raise DownloadError(
        f"could not get a verified copy of {name}.gz. Mirrors tried:\n{tried}\n"
        f"Either set MNIST_MIRROR to a folder or URL that holds the original MNIST .gz files, "
        f"or put {name}.gz (or the uncompressed {name}) into {data_dir.resolve()} by hand."
    )


def read_verified(path: str | os.PathLike, sha256: str, size: int = MAX_IDX_BYTES) -> np.ndarray:
    """Read IDX file ``path`` after checking its decompressed content has SHA-256 ``sha256``.

    ``size`` is the content's size in bytes (or an upper bound): nothing beyond it is read.
    """
    path = Path(path)
    content = _idx_content(_read_limited(path, _max_raw(size)), str(path), size)
    got = sha256_hex(content)
    if got != sha256:
        raise DataFileError(
            f"{path}: the content's SHA-256 is {got}, but the original file's is {sha256}. "
            "The file is corrupt or not the original: delete it and run again to re-download."
        )
    return parse_idx(content, str(path))


def load_mnist(
    data_dir: str | os.PathLike = "data",
    mirrors: Sequence[str] | None = None,
    progress: bool | None = None,
    deadline: float = 120.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Load the original MNIST, fetching and verifying any file missing from ``data_dir``.

    Returns ``(x_train, y_train, x_test, y_test)``, uint8 arrays of shapes (60000, 28, 28),
    (60000,), (10000, 28, 28), (10000,), in the original order. ``mirrors`` defaults to
    ``$MNIST_MIRROR`` (a folder, or an http(s) or file:// URL) then the public mirrors;
    ``progress`` None shows progress only for downloads that take more than a second;
    ``deadline`` is the most seconds one file's download from one mirror may take. Every
    file is read and decompressed no further than its known size.
    """
    arrays = []
    for name, (sha256, shape) in MNIST_FILES.items():
        size = MNIST_SIZES[name]
        path = fetch_file(name, data_dir, sha256, mirrors, progress, size, deadline)
        array = read_verified(path, sha256, size)
        if array.shape != shape or array.dtype != np.uint8:  # unreachable with a true checksum
            raise DataFileError(f"{path}: got {array.dtype} {array.shape}, expected uint8 {shape}")
        arrays.append(array)
    x_train, y_train, x_test, y_test = arrays
    return x_train, y_train, x_test, y_test


# ---------------------------------------------------------------------------------------
# Input checks: a clear error beats a silently wrong array
# ---------------------------------------------------------------------------------------

Params = dict[str, np.ndarray]
PARAM_KEYS = ("W1", "b1", "W2", "b2")


def _check_int(name: str, value: int, minimum: int) -> int:
    """``value`` as an int; raise unless it is an integer (Python or NumPy, not bool) >= minimum."""
    # bool is a subclass of int, but batch_size=True is a mistake, not a batch of one.
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"need {name} >= {minimum}, got {value}")
    return int(value)


def _check_real(name: str, value: float, positive: bool) -> float:
    """``value`` as a float; raise unless it is a finite real number > 0 (``positive``) or >= 0."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    if isinstance(value, complex | np.complexfloating):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    number = float(value)
    if not (math.isfinite(number) and (number > 0 if positive else number >= 0)):
        raise ValueError(
            f"{name} must be a finite number {'> 0' if positive else '>= 0'}, got {value!r} "
            "(the default recipe uses lr=0.5 and weight_decay=5e-4)"
        )
    return number


def _check_params(params: Params, source: str) -> None:
    """Raise unless params has exactly W1, b1, W2, b2: finite floats of matching 2-layer shapes."""
    if not isinstance(params, dict) or set(params) != set(PARAM_KEYS):
        got = ", ".join(sorted(params)) if isinstance(params, dict) else type(params).__name__
        raise ValueError(f"{source}: expected the keys {', '.join(PARAM_KEYS)}, got {got}")
    W1, b1, W2, b2 = (np.asarray(params[k]) for k in PARAM_KEYS)
    if not (
        W1.ndim == 2
        and W2.ndim == 2
        and b1.shape == (W1.shape[1],)
        and W2.shape[0] == W1.shape[1]
        and b2.shape == (W2.shape[1],)
    ):
        shapes = ", ".join(f"{k} {np.shape(params[k])}" for k in PARAM_KEYS)
        raise ValueError(
            f"{source}: inconsistent shapes {shapes}; "
            "expected W1 (a, b), b1 (b,), W2 (b, c), b2 (c,)"
        )
    for key, value in zip(PARAM_KEYS, (W1, b1, W2, b2), strict=True):
        if not np.issubdtype(value.dtype, np.floating):
            raise TypeError(
                f"{source}: {key} has dtype {value.dtype}; weights must be real floats "
                "(float32 or float64): start from init_params or a file saved by save_params"
            )
        if not np.isfinite(value).all():
            raise ValueError(
                f"{source}: {key} holds {np.count_nonzero(~np.isfinite(value))} NaN or infinite "
                "values, so every output would be garbage; start again from init_params or a "
                "file saved before the run diverged"
            )


def _check_batch(x: np.ndarray, n_in: int) -> None:
    """Raise if ``x`` is not a non-empty float batch of shape (n, n_in)."""
    if not isinstance(x, np.ndarray) or x.ndim != 2 or x.shape[1] != n_in:
        shape = getattr(x, "shape", type(x).__name__)
        raise ValueError(f"x must be an array of shape (n, {n_in}), got {shape}")
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(
            f"x has dtype {x.dtype}; the network takes floats in [0, 1]: pass preprocess(images)"
        )
    if x.shape[0] == 0:
        raise ValueError("x is an empty batch (0 rows)")


def _check_scaled(x: np.ndarray) -> None:
    """Raise if pixels are NaN or outside [0, 1]: raw 0..255 pixels give confident nonsense."""
    lo, hi = float(x.min()), float(x.max())  # NaN propagates into both
    if math.isnan(lo) or math.isnan(hi):
        raise ValueError(
            f"x holds {np.count_nonzero(np.isnan(x))} NaN values; the images are damaged: "
            "make x with preprocess(images) from the original uint8 pixels"
        )
    # Written so that a comparison with NaN could not pass it either.
    if not (lo >= 0.0 and hi <= 1.0):
        raise ValueError(
            f"x has values in [{lo:g}, {hi:g}], outside [0, 1]; scale raw pixels with "
            "preprocess(images) exactly as for training"
        )


def _check_data(params: Params, x: np.ndarray, y: np.ndarray | None = None) -> None:
    """Raise unless params are sound, x a float batch in [0, 1] that fits them, y its labels."""
    _check_params(params, "params")
    _check_batch(x, params["W1"].shape[0])
    _check_scaled(x)
    if y is not None:
        _check_labels(y, len(x), params["W2"].shape[1])


def _check_labels(y: np.ndarray, n: int | None, num_classes: int = 10) -> None:
    """Raise unless ``y`` is (n,) integers in 0..num_classes-1 (any length if n is None)."""
    if not isinstance(y, np.ndarray) or y.ndim != 1 or (n is not None and len(y) != n):
        shape = getattr(y, "shape", type(y).__name__)
        raise ValueError(f"labels must have shape ({'n' if n is None else n},), got {shape}")
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"labels must be integers 0..{num_classes - 1}, got dtype {y.dtype}")
    if len(y) and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(
            f"labels must lie in 0..{num_classes - 1}, got values from {y.min()} to {y.max()}"
        )


# ---------------------------------------------------------------------------------------
# Building blocks
# ---------------------------------------------------------------------------------------


def preprocess(images: np.ndarray) -> np.ndarray:
    """Flatten and scale raw images: (n, 28, 28) or (n, 784) uint8 -> (n, 784) float32 in [0, 1]."""
    if not isinstance(images, np.ndarray) or images.dtype != np.uint8:
        got = getattr(images, "dtype", type(images).__name__)
        raise TypeError(f"preprocess takes raw uint8 pixels 0..255, got {got}")
    if images.ndim not in (2, 3) or math.prod(images.shape[1:]) != 784:
        raise ValueError(f"images must have shape (n, 28, 28) or (n, 784), got {images.shape}")
    # float32 halves memory traffic against float64 and is plenty for 8-bit pixels.
    return images.reshape(len(images), 784).astype(np.float32) / np.float32(255)


def one_hot(y: np.ndarray, num_classes: int = 10) -> np.ndarray:
    """Integer labels (n,) -> float32 (n, num_classes) with a single 1 per row."""
    num_classes = _check_int("num_classes", num_classes, 1)
    _check_labels(y, None, num_classes)
    out = np.zeros((len(y), num_classes), np.float32)
    out[np.arange(len(y)), y] = 1
    return out


def relu(z: np.ndarray) -> np.ndarray:
    """max(z, 0), elementwise."""
    return np.maximum(z, 0)


def relu_grad(z: np.ndarray) -> np.ndarray:
    """d relu / dz: 1 where z > 0, else 0 (the kink at 0 gets 0, as in PyTorch)."""
    return (z > 0).astype(z.dtype)


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of logits z: (n, k) -> probabilities (n, k), rows summing to 1.

    Subtracting each row's max leaves the result unchanged (it cancels in the ratio) but
    makes the largest exponent exp(0) = 1, so exp never overflows to inf (and inf/inf = NaN).
    """
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy(probs: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy -log p[i, y_i] over the batch; probs (n, k), y (n,) integer labels.

    Probabilities are floored at the smallest normal float, so a 0 gives a large but finite
    loss (about 87 in float32) instead of inf.
    """
    if not isinstance(probs, np.ndarray) or probs.ndim != 2 or len(probs) == 0:
        raise ValueError(f"probs must be a non-empty (n, k) array, got shape {np.shape(probs)}")
    if not np.issubdtype(probs.dtype, np.floating):
        raise TypeError(f"probs must be floats (softmax outputs), got dtype {probs.dtype}")
    _check_labels(y, len(probs), probs.shape[1])
    lo, hi = float(probs.min()), float(probs.max())
    if not (lo >= 0.0 and hi <= 1.0):  # false for NaN too
        raise ValueError(
            f"probs must be probabilities in [0, 1] (softmax outputs), got values from {lo:g} "
            f"to {hi:g}"
        )
    return _cross_entropy(probs, y)


def _cross_entropy(probs: np.ndarray, y: np.ndarray) -> float:
    """cross_entropy without the checks, for the training loop's batches."""
    p = probs[np.arange(len(y)), y]
    return float(-np.log(np.maximum(p, np.finfo(probs.dtype).tiny)).mean())


def init_params(
    sizes: tuple[int, int, int] = (784, 64, 10), seed: int = 0, dtype: type = np.float32
) -> Params:
    """He (Kaiming) initialisation: W ~ N(0, 2 / fan_in), b = 0.

    The variance 2 / fan_in keeps the scale of ReLU activations steady from layer to layer;
    unscaled N(0, 1) weights (the old notebook's) make the 784-input layer's outputs
    ~20x too large (sqrt(784 / 2)) and the softmax saturate. Returns W1 (n_in, n_hidden),
    b1 (n_hidden,), W2 (n_hidden, n_out), b2 (n_out,) in ``dtype``.
    """
    if len(sizes) != 3:
        raise ValueError(f"sizes must be (n_in, n_hidden, n_out), got {sizes!r}")
    n_in, n_hidden, n_out = (_check_int("each of sizes", size, 1) for size in sizes)
    rng = np.random.default_rng(_check_int("seed", seed, 0))
    if not np.issubdtype(dtype, np.floating):
        raise TypeError(f"dtype must be a float type such as np.float32, got {dtype!r}")
    return {
        "W1": (rng.standard_normal((n_in, n_hidden)) * np.sqrt(2 / n_in)).astype(dtype),
        "b1": np.zeros(n_hidden, dtype),
        "W2": (rng.standard_normal((n_hidden, n_out)) * np.sqrt(2 / n_hidden)).astype(dtype),
        "b2": np.zeros(n_out, dtype),
    }


# ---------------------------------------------------------------------------------------
# Forward and backward passes
# ---------------------------------------------------------------------------------------
# Each public function checks its inputs, then calls an unchecked twin (_forward, ...) that
# the training loop calls directly: checks belong where data enter, not in every batch.


def forward(params: Params, x: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Forward pass. x: (n, 784) float in [0, 1] -> probs (n, 10) and the cache for backward.

    Z1 = x W1 + b1, A1 = relu(Z1), Z2 = A1 W2 + b2, probs = softmax(Z2).
    """
    _check_data(params, x)
    return _forward(params, x)


def _forward(params: Params, x: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """forward without the checks."""
    Z1 = x @ params["W1"] + params["b1"]
    A1 = relu(Z1)
    Z2 = A1 @ params["W2"] + params["b2"]
    probs = softmax(Z2)
    return probs, {"x": x, "Z1": Z1, "A1": A1, "probs": probs}


def backward(params: Params, cache: dict[str, np.ndarray], y: np.ndarray) -> Params:
    """Gradients of the *mean* batch cross-entropy w.r.t. each parameter (same keys and shapes).

    y: (n,) integer labels. Dividing by n here (the mean, not the sum) keeps the step size
    independent of the batch size; summing, as the old notebook did, makes every step n
    times larger.
    """
    _check_params(params, "params")
    if not isinstance(cache, dict) or set(cache) != {"x", "Z1", "A1", "probs"}:
        raise ValueError("cache must be the dict that forward(params, x) returned")
    _check_labels(y, len(cache["x"]), cache["probs"].shape[1])
    return _backward(params, cache, y)


def _backward(params: Params, cache: dict[str, np.ndarray], y: np.ndarray) -> Params:
    """backward without the checks."""
    x, Z1, A1, probs = cache["x"], cache["Z1"], cache["A1"], cache["probs"]
    n = len(x)
    dZ2 = probs.copy()
    dZ2[np.arange(n), y] -= 1  # softmax + cross-entropy: dL/dZ2 = probs - one_hot(y)
    dZ2 /= n
    dZ1 = (dZ2 @ params["W2"].T) * relu_grad(Z1)  # back through W2, then the ReLU's gate
    return {
        "W1": x.T @ dZ1,
        "b1": dZ1.sum(axis=0),
        "W2": A1.T @ dZ2,
        "b2": dZ2.sum(axis=0),
    }


def sgd_step(params: Params, grads: Params, lr: float, weight_decay: float = 0.0) -> None:
    """One gradient-descent step, in place: p <- p - lr * (dp + weight_decay * p).

    Weight decay is the gradient of an L2 penalty (weight_decay / 2) * ||W||^2; it pulls
    the weight matrices (not the biases) towards 0, which here generalises better.
    """
    lr = _check_real("lr", lr, positive=True)
    weight_decay = _check_real("weight_decay", weight_decay, positive=False)
    for key, g in grads.items():
        if key not in params or np.shape(g) != np.shape(params[key]):
            raise ValueError(f"grads[{key!r}] has no parameter of its shape {np.shape(g)}")
        if not np.isfinite(g).all():
            raise ValueError(f"grads[{key!r}] holds NaN or infinite values; no step taken")
    _sgd_step(params, grads, lr, weight_decay)


def _sgd_step(params: Params, grads: Params, lr: float, weight_decay: float) -> None:
    """sgd_step without the checks."""
    for key, g in grads.items():
        p = params[key]
        if weight_decay and key.startswith("W"):
            p *= 1 - lr * weight_decay  # the same step, without a temporary the size of W1
        p -= lr * g


# ---------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------


def cosine_lr(lr: float, epoch: int, epochs: int) -> float:
    """Learning rate for ``epoch`` (0-based): lr at the start, easing to ~0 by the last epoch.

    Large steps early cover ground fast; small steps late settle into a minimum instead of
    bouncing around it (cosine annealing, Loshchilov & Hutter 2017).
    """
    return lr * 0.5 * (1 + math.cos(math.pi * epoch / epochs))


def evaluate(params: Params, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Mean loss and accuracy of the network on x: (n, 784) float in [0, 1], y: (n,) labels."""
    _check_data(params, x, y)
    probs, _ = _forward(params, x)
    return _cross_entropy(probs, y), accuracy(y, probs.argmax(axis=1))


def train(
    params: Params,
    x: np.ndarray,
    y: np.ndarray,
    epochs: int = 20,
    batch_size: int = 64,
    lr: float = 0.5,
    weight_decay: float = 5e-4,
    schedule: str = "cosine",
    seed: int = 0,
    x_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    grad_reduction: str = "mean",
) -> tuple[Params, dict[str, list[float]]]:
    """Mini-batch gradient descent on the cross-entropy; returns (new params, history).

    x: (n, 784) float32 in [0, 1]; y: (n,) integer labels. Each epoch visits the examples
    in a fresh order drawn from a Generator seeded with ``seed``. The default recipe (found
    on a validation split held out of the training set): learning rate 0.5 with a cosine
    schedule (``"cosine"``, or ``"constant"``) and weight decay 5e-4. ``grad_reduction``
    ``"mean"`` steps along the gradient of the batch's mean loss; ``"sum"`` along that of
    its summed loss (len(batch) times larger, as the old notebook did), so lr η with
    ``"sum"`` equals lr η·batch_size with ``"mean"`` while every batch is full.

    ``params`` is not modified. The history has one entry per epoch: ``lr``, ``train_loss``
    and ``train_acc`` (running means over the epoch's batches), ``seconds`` (training time
    of the epoch), and ``val_loss``/``val_acc`` at the epoch's end when validation data are
    given. Inputs are checked first (NaN, range, types), so a loss that stops being finite,
    or an epoch whose second half has a higher mean loss than the very first batch had (and
    than uniform guessing), means the steps are too large: FloatingPointError names the
    epoch and the losses.
    """
    epochs = _check_int("epochs", epochs, 0)
    batch_size = _check_int("batch_size", batch_size, 1)
    seed = _check_int("seed", seed, 0)
    lr = _check_real("lr", lr, positive=True)
    weight_decay = _check_real("weight_decay", weight_decay, positive=False)
    if schedule not in ("cosine", "constant"):
        raise ValueError(f"schedule must be 'cosine' or 'constant', got {schedule!r}")
    if grad_reduction not in ("mean", "sum"):
        raise ValueError(f"grad_reduction must be 'mean' or 'sum', got {grad_reduction!r}")
    if (x_val is None) != (y_val is None):
        raise ValueError("give both x_val and y_val, or neither")
    _check_data(params, x, y)
    if x_val is not None:
        _check_data(params, x_val, y_val)

    params = {key: value.copy() for key, value in params.items()}  # leave the caller's alone
    rng = np.random.default_rng(seed)
    history: dict[str, list[float]] = {
        key: [] for key in ("lr", "train_loss", "train_acc", "seconds")
    }
    if x_val is not None:
        history.update(val_loss=[], val_acc=[])
    first_loss = math.inf  # the loss of the very first batch, before any step
    for epoch in range(epochs):
        epoch_lr = cosine_lr(lr, epoch, epochs) if schedule == "cosine" else lr
        start = time.perf_counter()
        loss, acc, batch_losses = _train_epoch(
            params, x, y, batch_size, epoch_lr, weight_decay, rng, epoch, grad_reduction == "sum"
        )
        if epoch == 0:
            first_loss = batch_losses[0]
        _check_progress(epoch, batch_losses, first_loss, epoch_lr, params["W2"].shape[1])
        history["seconds"].append(time.perf_counter() - start)
        history["lr"].append(epoch_lr)
        history["train_loss"].append(loss)
        history["train_acc"].append(acc)
        if x_val is not None:
            val_loss, val_acc = evaluate(params, x_val, y_val)
            history["val_loss"].append(val_loss)
            history["val_acc"].append(val_acc)
    return params, history


def _check_progress(
    epoch: int, batch_losses: list[float], first_loss: float, lr: float, num_classes: int
) -> None:
    """Raise if training made things worse: the loss late in an epoch is above where it began.

    The loss floor (about 87 in float32) keeps a diverging run's loss finite, so this is what
    catches steps so large that they climb. "Late" is the mean over the epoch's second half of
    batches: a run that stumbles early and then settles (as summed gradients at lr 0.1 do,
    killing every hidden unit) is not diverging. "Above" means above both the first batch's
    loss before any step and log(num_classes), the loss of guessing uniformly, which a network
    that has only learnt the class frequencies never exceeds.
    """
    late = float(np.mean(batch_losses[len(batch_losses) // 2 :]))
    bound = max(first_loss, math.log(num_classes))
    if late > bound:
        raise FloatingPointError(
            f"training diverged: the mean loss over the second half of epoch {epoch + 1} is "
            f"{late:.4g}, above {first_loss:.4g} on the first batch before any step (and above "
            f"log({num_classes}) = {math.log(num_classes):.4g}) at learning rate {lr:g}: the "
            "steps are too large. Try a lower learning rate."
        )


def _train_epoch(
    params: Params,
    x: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    lr: float,
    weight_decay: float,
    rng: np.random.Generator,
    epoch: int,
    summed: bool = False,
) -> tuple[float, float, list[float]]:
    """One pass over (x, y) in a random order, updating params in place.

    Returns the epoch's mean loss and accuracy, and each batch's loss (measured before that
    batch's step). ``summed`` steps along the summed, not the mean, gradient.
    """
    order = rng.permutation(len(x))
    loss_sum, correct, batch_losses = 0.0, 0, []
    # A diverging run overflows before its loss turns inf; we report that below, clearly.
    with np.errstate(over="ignore", invalid="ignore"):
        for step, start in enumerate(range(0, len(x), batch_size)):
            batch = order[start : start + batch_size]
            xb, yb = x[batch], y[batch]
            probs, cache = _forward(params, xb)
            loss = _cross_entropy(probs, yb)
            if not math.isfinite(loss):
                raise FloatingPointError(
                    f"the loss became {loss} at epoch {epoch + 1}, step {step + 1} (learning "
                    f"rate {lr:g}); the inputs and parameters were checked and finite, so the "
                    "steps are too large. Try a lower learning rate."
                )
            grads = _backward(params, cache, yb)
            if summed:  # the gradient of the batch's summed loss: len(batch) times the mean's
                for g in grads.values():
                    g *= len(batch)
            _sgd_step(params, grads, lr, weight_decay)
            loss_sum += loss * len(batch)
            correct += int((probs.argmax(axis=1) == yb).sum())
            batch_losses.append(loss)
    return loss_sum / len(x), correct / len(x), batch_losses


# ---------------------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------------------


def predict(params: Params, x: np.ndarray) -> np.ndarray:
    """Predicted digits (n,) int64 for x: (n, 784) float in [0, 1], preprocessed like training."""
    _check_data(params, x)
    return _forward(params, x)[0].argmax(axis=1)


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Fraction of predictions (n,) equal to the true labels (n,): both 1-D integer labels."""
    for name, labels in (("y_true", y_true), ("y_pred", y_pred)):
        if not isinstance(labels, np.ndarray) or labels.ndim != 1:
            raise ValueError(
                f"{name} must be a 1-D array of labels, got shape {np.shape(labels)}; for "
                "one-hot rows or probabilities, pass rows.argmax(axis=1)"
            )
        if not np.issubdtype(labels.dtype, np.integer):
            raise TypeError(f"{name} must hold integer labels, got dtype {labels.dtype}")
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError(
            f"need two non-empty label arrays of one shape, got {y_true.shape} and {y_pred.shape}"
        )
    return float(np.mean(y_true == y_pred))


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int = 10) -> np.ndarray:
    """Counts (num_classes, num_classes) int64: entry [i, j] = examples of class i predicted j."""
    num_classes = _check_int("num_classes", num_classes, 1)
    _check_labels(y_true, None, num_classes)
    _check_labels(y_pred, len(y_true), num_classes)
    if len(y_true) == 0:
        raise ValueError("no labels given")
    # Each (true, predicted) pair gets one cell index; bincount counts them all at once.
    cells = np.bincount(y_true * num_classes + y_pred, minlength=num_classes**2)
    return cells.reshape(num_classes, num_classes)


def precision_recall(cm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-class precision and recall (k,) from a confusion matrix (k, k) (rows are true classes).

    precision = correct / predicted as that class; recall = correct / truly that class.
    A class never predicted (or absent) has an undefined ratio, returned as NaN.
    """
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"a confusion matrix is square, got shape {cm.shape}")
    hits = np.diag(cm).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return hits / cm.sum(axis=0), hits / cm.sum(axis=1)


# ---------------------------------------------------------------------------------------
# Saving, loading and checking
# ---------------------------------------------------------------------------------------


def save_params(path: str | os.PathLike, params: Params) -> None:
    """Save params to ``path`` as .npz (written to a temporary name first, then renamed).

    Refuses non-finite or non-float weights: a file of NaNs would only fail later, elsewhere.
    """
    _check_params(params, "params")
    buffer = io.BytesIO()
    np.savez(buffer, **params)
    _write_atomically(Path(path), buffer.getvalue())


def _read_npz(path: Path) -> Params:
    """The arrays in .npz file ``path``; ValueError naming the file for anything else."""
    with open(path, "rb") as f:  # a missing file raises FileNotFoundError, naming it
        magic = f.read(6)
    if magic == b"\x93NUMPY":
        raise ValueError(
            f"{path}: this is a single .npy array, not the .npz file of W1, b1, W2, b2 that "
            "save_params writes; save the parameters with save_params(path, params)"
        )
    if magic[:4] not in (b"PK\x03\x04", b"PK\x05\x06"):  # a zip: its first entry, or empty
        raise ValueError(
            f"{path}: not a .npz file (it starts with {magic.hex() or 'nothing: it is empty'}); "
            "give a file written by save_params"
        )
    try:
        with np.load(path, allow_pickle=False) as data:  # no pickles: a file can't run code
            return {key: data[key] for key in data.files}
    except ValueError as err:
        if "pickle" not in str(err):
            raise ValueError(f"{path}: unreadable .npz file ({err})") from None
        raise ValueError(
            f"{path}: holds Python objects, not plain arrays; such files can run code when "
            "loaded, so they are never loaded here. Give a file written by save_params."
        ) from None
    except (EOFError, OSError, zipfile.BadZipFile, zlib.error, KeyError) as err:
        raise ValueError(
            f"{path}: truncated or corrupt .npz file ({type(err).__name__}: {err}); "
            "save the parameters again with save_params"
        ) from None


def load_params(path: str | os.PathLike, sizes: tuple[int, int, int] | None = None) -> Params:
    """Load params saved by ``save_params``; checks the file, keys, shapes, dtypes, finiteness
    and ``sizes`` if given. Raises ValueError (TypeError for non-float weights) naming ``path``.
    """
    params = _read_npz(Path(path))
    _check_params(params, str(path))
    got = (*params["W1"].shape, params["W2"].shape[1])
    if sizes is not None and got != tuple(_check_int("each of sizes", s, 1) for s in sizes):
        raise ValueError(f"{path}: the network is {got}, expected {tuple(sizes)}")
    return params


def gradient_check(
    params: Params,
    x: np.ndarray,
    y: np.ndarray,
    eps: float = 1e-5,
    num_checks: int = 20,
    seed: int = 0,
) -> float:
    """Worst relative error between ``backward`` and central finite differences.

    For ``num_checks`` random entries of each parameter, the numerical gradient is
    (L(p + eps) - L(p - eps)) / (2 eps) with L the mean cross-entropy on (x, y). Use float64
    params and x: float32 rounding alone would swamp the comparison. Relative error is
    |a - n| / max(|a| + |n|, 1e-12); agreement to ~1e-7 or better means backward is right.
    """
    if any(p.dtype != np.float64 for p in params.values()) or x.dtype != np.float64:
        raise TypeError("gradient_check needs float64 params and x (init_params(dtype=np.float64))")
    eps, seed = _check_real("eps", eps, positive=True), _check_int("seed", seed, 0)
    num_checks = _check_int("num_checks", num_checks, 1)
    rng = np.random.default_rng(seed)
    params = {key: value.copy() for key, value in params.items()}
    analytic = backward(params, forward(params, x)[1], y)
    worst = 0.0
    for key, p in params.items():
        for index in zip(*(rng.integers(0, d, num_checks) for d in p.shape), strict=True):
            saved = p[index]
            p[index] = saved + eps
            loss_plus = cross_entropy(forward(params, x)[0], y)
            p[index] = saved - eps
            loss_minus = cross_entropy(forward(params, x)[0], y)
            p[index] = saved
            numeric = (loss_plus - loss_minus) / (2 * eps)
            a = analytic[key][index]
            worst = max(worst, abs(a - numeric) / max(abs(a) + abs(numeric), 1e-12))
    return worst
