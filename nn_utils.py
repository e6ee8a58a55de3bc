"""Helpers for mnist_from_scratch.ipynb: load MNIST and train a 784-64-10 network in NumPy.

Three parts, all imported by the notebook and checked by the tests:

* Data. ``load_mnist`` returns the original MNIST arrays. It reads the four IDX files from
  a folder, fetches missing ones from a mirror, and verifies every file's *decompressed*
  content against the published SHA-256 before using or keeping it.
* The network. 784 inputs -> 64 ReLU units -> 10 softmax outputs, cross-entropy loss,
  mini-batch gradient descent with backpropagation written out by hand.
* For the notebook's later parts: a validation split and baselines (nearest class mean,
  softmax regression, PCA, dead units), ``prepare_digit`` for a digit from outside MNIST,
  and the exercise checks, each returning the message the notebook prints.

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
from collections.abc import Callable, Sequence
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
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
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
    sizes: tuple[int, int, int] = (784, 64, 10),
    seed: int = 0,
    dtype: type = np.float32,
    scheme: str = "he",
) -> Params:
    """He (Kaiming) initialisation: W ~ N(0, 2 / fan_in), b = 0.

    The variance 2 / fan_in keeps the scale of ReLU activations steady from layer to layer;
    unscaled N(0, 1) weights (the old notebook's) make the 784-input layer's outputs
    ~20x too large (sqrt(784 / 2)) and the softmax saturate. ``scheme="standard_normal"``
    gives those old weights, from the same draws unscaled, for comparison. Returns W1
    (n_in, n_hidden), b1 (n_hidden,), W2 (n_hidden, n_out), b2 (n_out,) in ``dtype``.
    """
    if scheme not in ("he", "standard_normal"):
        raise ValueError(f"scheme must be 'he' or 'standard_normal', got {scheme!r}")
    if len(sizes) != 3:
        raise ValueError(f"sizes must be (n_in, n_hidden, n_out), got {sizes!r}")
    n_in, n_hidden, n_out = (_check_int("each of sizes", size, 1) for size in sizes)
    rng = np.random.default_rng(_check_int("seed", seed, 0))
    if not np.issubdtype(dtype, np.floating):
        raise TypeError(f"dtype must be a float type such as np.float32, got {dtype!r}")
    W1 = rng.standard_normal((n_in, n_hidden))
    W2 = rng.standard_normal((n_hidden, n_out))
    if scheme == "he":
        W1 *= np.sqrt(2 / n_in)
        W2 *= np.sqrt(2 / n_hidden)
    return {
        "W1": W1.astype(dtype),
        "b1": np.zeros(n_hidden, dtype),
        "W2": W2.astype(dtype),
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
    backward_fn: Callable | None = None,
) -> float:
    """Worst relative error between ``backward_fn`` (None: ``backward``) and finite differences.

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
    # None, not a default of backward: looked up now, so a patched nn_utils.backward is used.
    backward_fn = backward if backward_fn is None else backward_fn
    analytic = backward_fn(params, forward(params, x)[1], y)
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
            error = abs(a - numeric) / max(abs(a) + abs(numeric), 1e-12)
            # max() would pass over a NaN error; a NaN gradient is as wrong as it gets.
            worst = math.inf if math.isnan(error) else max(worst, error)
    return worst


# ---------------------------------------------------------------------------------------
# Validation split and baselines
# ---------------------------------------------------------------------------------------


def _check_features(x: object, name: str = "x") -> np.ndarray:
    """Raise unless ``x`` is a non-empty, finite, real (n, d) array; return it."""
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name} must be a NumPy array, got {type(x).__name__}: use np.asarray")
    if x.ndim != 2 or 0 in x.shape:
        raise ValueError(
            f"{name} must be a non-empty (n, d) array with one example per row, got shape "
            f"{x.shape}; flatten images with x.reshape(len(x), -1)"
        )
    if not (np.issubdtype(x.dtype, np.integer) or np.issubdtype(x.dtype, np.floating)):
        raise TypeError(f"{name} must hold real numbers, got dtype {x.dtype}")
    if not np.isfinite(x).all():
        raise ValueError(f"{name} contains NaN or inf: fix or drop those rows first")
    return x


def train_val_split(
    x: np.ndarray, y: np.ndarray, n_val: int = 10_000, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split (x, y) at random into a part to fit and ``n_val`` examples to validate on.

    x: (n, ...) any array, y: (n,) labels, with n > n_val >= 1. Returns (x_fit, y_fit,
    x_val, y_val); on MNIST's 60,000 training rows the default gives 50,000 + 10,000.
    The same seed gives the same split. The test set stays untouched: choices made by
    looking at it would make its score an optimistic guess instead of a measurement.
    """
    for name, array in (("x", x), ("y", y)):
        if not isinstance(array, np.ndarray) or array.ndim == 0:
            got = "a 0-d array" if isinstance(array, np.ndarray) else type(array).__name__
            raise TypeError(
                f"{name} must be a NumPy array with one row per example, got {got}: use np.asarray"
            )
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} rows but y has {len(y)} labels: they must match")
    n_val = _check_int("n_val", n_val, 1)
    seed = _check_int("seed", seed, 0)
    if n_val >= len(y):
        raise ValueError(
            f"n_val={n_val} leaves nothing to fit: there are only {len(y)} examples; "
            f"choose n_val < {len(y)}"
        )
    order = np.random.default_rng(seed).permutation(len(y))
    val, fit = order[:n_val], order[n_val:]
    return x[fit], y[fit], x[val], y[val]


def nearest_class_mean_fit(x: np.ndarray, y: np.ndarray, num_classes: int = 10) -> np.ndarray:
    """The mean image of each class: x (n, d) real, y (n,) labels -> means (num_classes, d) float32.

    The simplest learned classifier there is: a baseline any network should beat.
    """
    x = _check_features(x)
    num_classes = _check_int("num_classes", num_classes, 1)
    _check_labels(y, len(x), num_classes)
    counts = np.bincount(y, minlength=num_classes)
    if (counts == 0).any():
        missing = np.flatnonzero(counts == 0).tolist()
        raise ValueError(
            f"class(es) {missing} have no examples in y, so they have no mean; give examples "
            f"of every class 0..{num_classes - 1}, or a smaller num_classes"
        )
    # One class at a time: a float64 sum per class, without an (n, d) float64 copy of x.
    means = [x[y == c].mean(axis=0, dtype=np.float64) for c in range(num_classes)]
    return np.stack(means).astype(np.float32)


def nearest_class_mean_predict(means: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Class of the nearest mean (Euclidean) for each row: means (k, d), x (n, d) -> (n,) int64."""
    means = _check_features(means, "means")
    x = _check_features(x)
    if x.shape[1] != means.shape[1]:
        raise ValueError(
            f"x has {x.shape[1]} columns but the means have {means.shape[1]}: "
            "preprocess x exactly as the data the means were fitted on"
        )
    # ||x - m||^2 = ||x||^2 - 2 x.m + ||m||^2: one matrix product, no (n, k, d) temporary.
    x_sq = np.einsum("ij,ij->i", x, x, dtype=np.float64)[:, None]
    m_sq = np.einsum("ij,ij->i", means, means, dtype=np.float64)[None, :]
    dist_sq = x_sq - 2 * (x @ means.T) + m_sq
    return dist_sq.argmin(axis=1).astype(np.int64)


def softmax_regression(
    x: np.ndarray,
    y: np.ndarray,
    epochs: int = 5,
    lr: float = 0.5,
    batch_size: int = 64,
    seed: int = 0,
    num_classes: int = 10,
) -> Params:
    """Fit a linear classifier, probs = softmax(x W + b): the network without a hidden layer.

    x: (n, d) float32 in [0, 1]; y: (n,) integer labels. Mini-batch gradient descent on the
    mean cross-entropy from W = 0, b = 0 (with no hidden layer there is no symmetry to
    break), examples shuffled each epoch by a Generator seeded with ``seed``. Returns
    {"W": (d, num_classes), "b": (num_classes,)} in x's float dtype. Raises
    FloatingPointError if the loss stops being finite (lr too large).
    """
    x = _check_features(x)
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"x has dtype {x.dtype}; pass floats in [0, 1]: preprocess(images)")
    num_classes = _check_int("num_classes", num_classes, 2)
    _check_labels(y, len(x), num_classes)
    epochs = _check_int("epochs", epochs, 0)
    batch_size = _check_int("batch_size", batch_size, 1)
    seed = _check_int("seed", seed, 0)
    lr = _check_real("lr", lr, positive=True)

    W = np.zeros((x.shape[1], num_classes), x.dtype)
    b = np.zeros(num_classes, x.dtype)
    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            xb, yb = x[batch], y[batch]
            probs = softmax(xb @ W + b)
            if not math.isfinite(_cross_entropy(probs, yb)):  # inputs were checked above
                raise FloatingPointError(
                    f"the loss stopped being finite in epoch {epoch + 1} (lr {lr:g}): "
                    "try a smaller learning rate"
                )
            dZ = probs  # softmax + cross-entropy: dL/dZ = probs - one_hot(y), over n
            dZ[np.arange(len(yb)), yb] -= 1
            dZ /= len(yb)
            W -= lr * (xb.T @ dZ)
            b -= lr * dZ.sum(axis=0)
    return {"W": W, "b": b}


def softmax_regression_predict(params: Params, x: np.ndarray) -> np.ndarray:
    """Predicted classes (n,) int64 for x: (n, d), from ``softmax_regression``'s params."""
    if not isinstance(params, dict) or set(params) != {"W", "b"}:
        raise ValueError("params must be the dict {'W': ..., 'b': ...} from softmax_regression")
    x = _check_features(x)
    W, b = params["W"], params["b"]
    if W.ndim != 2 or b.shape != (W.shape[1],) or x.shape[1] != W.shape[0]:
        raise ValueError(
            f"shapes do not fit: x {x.shape}, W {W.shape}, b {b.shape}; expected x (n, d), "
            "W (d, k), b (k,)"
        )
    # softmax keeps the order of the logits, so the largest logit is the prediction.
    return (x @ W + b).argmax(axis=1).astype(np.int64)


def pca(x: np.ndarray, k: int = 2) -> np.ndarray:
    """Coordinates of x's rows along its top-k principal directions: x (n, d) -> (n, k) float64.

    The rows are centred, then projected onto the first k right singular vectors of the
    centred data. A direction's sign is arbitrary (v and -v are equally good), so each is
    flipped to make its largest-magnitude entry positive: plots then look the same on every
    machine. The SVD of all 60,000 MNIST rows takes over a gigabyte; a few thousand suffice.
    """
    x = _check_features(x)
    k = _check_int("k", k, 1)
    if k > min(x.shape):
        raise ValueError(f"k={k} directions need at least k rows and k columns, x is {x.shape}")
    centred = x.astype(np.float64) - x.mean(axis=0, dtype=np.float64)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    directions = vt[:k]
    biggest = directions[np.arange(k), np.abs(directions).argmax(axis=1)]
    directions = directions * np.where(biggest < 0, -1.0, 1.0)[:, None]
    return centred @ directions.T


def dead_units(params: Params, x: np.ndarray) -> np.ndarray:
    """Hidden units whose ReLU is zero on every row of x: (n_hidden,) bool, True = dead.

    x: (n, 784) float in [0, 1]. A dead unit passes no gradient back (relu_grad is 0), so
    training can never revive it: it is wasted capacity.
    """
    _check_params(params, "params")
    x = _check_features(x)
    if x.shape[1] != params["W1"].shape[0]:
        raise ValueError(f"x has {x.shape[1]} columns, the network takes {params['W1'].shape[0]}")
    alive = np.zeros(params["W1"].shape[1], bool)
    # Chunks of 10,000 rows: Z1 for all of MNIST at once would be 60,000 x n_hidden floats.
    for start in range(0, len(x), 10_000):
        Z1 = x[start : start + 10_000] @ params["W1"] + params["b1"]
        alive |= (Z1 > 0).any(axis=0)
    return ~alive


# ---------------------------------------------------------------------------------------
# A digit from outside MNIST
# ---------------------------------------------------------------------------------------

#: After scaling to [0, 1] and inverting, a pixel brighter than this counts as ink for the
#: bounding box. Not 0: in a photo, paper grain, shadows and JPEG noise lift the background
#: a little, and counting them as ink would make the box the whole photo. Not 0.5: the soft,
#: anti-aliased edges of a stroke belong to the digit and would be cut off.
INK_THRESHOLD = 0.2

#: Where prepare_digit puts the centre of mass, in pixel-index coordinates (row, column).
#: Not the geometric centre 13.5: MNIST's own digits have theirs at (14.0, 14.0) on average
#: (measured on the training set), and with 14.0 re-preparing an MNIST digit gives it back
#: unchanged (median correlation 1.000 on 5,000 validation digits; 0.805 with 13.5, which
#: shifts thin strokes by a pixel and costs a trained network about 1.7 points of accuracy).
FIELD_CENTER = 14.0

#: The field is MNIST's 28 x 28 image; the digit's longer side is scaled to 20 pixels in it.
FIELD_SIZE = 28
DIGIT_SIZE = 20

#: A border brighter than this on average (after scaling to [0, 1]) is light paper under dark
#: ink, so prepare_digit inverts the image when not told whether to.
LIGHT_BORDER = 0.5

#: More ink than this share of the pixels is no digit on paper: prepare_digit refuses it.
MAX_INK_SHARE = 0.9

#: prepare_digit rounds the shift that centres the digit to a multiple of this (2**-20 pixel)
#: before rounding it to a whole pixel. A symmetric digit's centre of mass can sit exactly on
#: a half pixel, and there the last bit of a matrix product, which depends on the CPU and its
#: BLAS kernel (and differs in drawing_pad.js), would otherwise decide which pixel it goes to.
SHIFT_RESOLUTION = 2.0**-20


def _check_image(image: object, name: str = "image") -> np.ndarray:
    """Raise unless ``image`` is a non-empty, finite, real 2-D array; return it."""
    if not isinstance(image, np.ndarray):
        raise TypeError(
            f"{name} must be a 2-D NumPy array of grayscale pixels, got {type(image).__name__}: "
            "use np.asarray(...)"
        )
    if image.ndim == 3 and image.shape[2] in (3, 4):
        raise ValueError(
            f"{name} has shape {image.shape}, a colour (RGB or RGBA) picture; convert it to "
            "grayscale first, e.g. image[..., :3].mean(axis=2)"
        )
    if image.ndim != 2:
        raise ValueError(f"{name} must be 2-D (height, width), got shape {image.shape}")
    if image.size == 0:
        raise ValueError(f"{name} is empty (shape {image.shape}): there is no picture to use")
    if image.dtype != bool and not (
        np.issubdtype(image.dtype, np.integer) or np.issubdtype(image.dtype, np.floating)
    ):
        raise TypeError(f"{name} must hold real numbers, got dtype {image.dtype}")
    if not np.isfinite(image).all():
        raise ValueError(f"{name} contains NaN or inf; replace them (e.g. np.nan_to_num) first")
    return image


def _area_weights(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in) weights: how much of each input pixel each output pixel covers, rows sum 1.

    Output pixel i covers input interval [i * s, (i + 1) * s) with s = n_in / n_out; its
    weight on input pixel j is the overlap of that interval with [j, j + 1), over s.
    """
    s = n_in / n_out
    starts = np.arange(n_out)[:, None] * s
    j = np.arange(n_in)[None, :]
    overlap = np.minimum(starts + s, j + 1) - np.maximum(starts, j)
    return np.clip(overlap, 0, None) / s


def resize_area(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Resample a 2-D image (H, W) to ``shape`` (h, w) by area averaging -> float64 (h, w).

    Each output pixel is the mean of the input area it covers, partial pixels weighted by
    their overlap, so the mean intensity is kept and thin strokes fade rather than vanish
    when shrinking. Rows and columns are separable: out = R_rows @ image @ R_cols.T.
    """
    image = _check_image(image)
    if not (isinstance(shape, tuple | list) and len(shape) == 2):
        raise TypeError(f"shape must be a pair (height, width), got {shape!r}")
    h = _check_int("height", shape[0], 1)
    w = _check_int("width", shape[1], 1)
    R_rows = _area_weights(image.shape[0], h)
    R_cols = _area_weights(image.shape[1], w)
    return R_rows @ image.astype(np.float64) @ R_cols.T


def _center_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(row, column) of the intensity-weighted mean position in a non-negative 2-D image."""
    total = image.sum()
    rows = (image.sum(axis=1) * np.arange(image.shape[0])).sum() / total
    cols = (image.sum(axis=0) * np.arange(image.shape[1])).sum() / total
    return float(rows), float(cols)


def _whole_pixels(shift: float) -> int:
    """``shift`` rounded to the nearest whole pixel, a half up, once rounded (the same way) to a
    multiple of SHIFT_RESOLUTION: float noise cannot tip a tie. Every step is exact in floats."""
    snapped = math.floor(shift / SHIFT_RESOLUTION + 0.5) * SHIFT_RESOLUTION
    return math.floor(snapped + 0.5)


def prepare_digit(image: np.ndarray, invert: bool | None = None) -> np.ndarray:
    """Make any grayscale picture of one digit look like an MNIST digit: (28, 28) float32 in [0, 1].

    image: (H, W) any real dtype, e.g. a photo of a digit on paper. The steps follow how
    MNIST was made (LeCun et al.): scale to [0, 1] by the image's min and max; light ink on
    a dark background (``invert`` None decides: a border brighter than ``LIGHT_BORDER``, 0.5,
    on average means dark ink on light paper, so it is inverted); crop to the ink's bounding
    box (pixels above ``INK_THRESHOLD``; more than ``MAX_INK_SHARE`` of them is refused);
    shrink or enlarge with ``resize_area`` so the longer side is ``DIGIT_SIZE`` (20) pixels,
    keeping the aspect ratio; place in a 28 x 28 field so that the centre of mass is at
    MNIST's centre, ``FIELD_CENTER`` (an integer shift, kept within the field).
    A network trained on MNIST only knows digits prepared like this.
    """
    image = _check_image(image)
    if invert is not None and not isinstance(invert, bool | np.bool_):
        raise TypeError(f"invert must be None, True or False, got {invert!r}")
    img = image.astype(np.float64)
    lo, hi = img.min(), img.max()
    if lo == hi:
        raise ValueError(
            f"the image is flat (every pixel is {lo:g}): all background or all ink, "
            "no digit to find"
        )
    img = (img - lo) / (hi - lo)
    if invert is None:
        border = np.concatenate([img[0], img[-1], img[:, 0], img[:, -1]])
        invert = bool(border.mean() > LIGHT_BORDER)
    if invert:
        img = 1 - img

    ink = img > INK_THRESHOLD
    if ink.mean() > MAX_INK_SHARE:
        raise ValueError(
            f"{ink.mean():.0%} of the pixels are ink, i.e. all ink: is the photo cropped too "
            "tightly or too dark? Leave some paper around the digit, or pass invert= explicitly"
        )
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    crop = img[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]

    height, width = crop.shape
    scale = DIGIT_SIZE / max(height, width)
    small = resize_area(crop, (max(1, round(height * scale)), max(1, round(width * scale))))

    # Shift so the centre of mass lands on the field's centre (pixel centres are 0..27).
    cy, cx = _center_of_mass(small)
    top = min(max(_whole_pixels(FIELD_CENTER - cy), 0), FIELD_SIZE - small.shape[0])
    left = min(max(_whole_pixels(FIELD_CENTER - cx), 0), FIELD_SIZE - small.shape[1])
    out = np.zeros((FIELD_SIZE, FIELD_SIZE), np.float32)
    out[top : top + small.shape[0], left : left + small.shape[1]] = small
    return np.clip(out, 0, 1)


# ---------------------------------------------------------------------------------------
# Exercise checks
# ---------------------------------------------------------------------------------------
# Each check returns a message for the notebook to print, starting with exactly one of
# "Not attempted yet:", "Correct!" or "Not yet:". A learner's wrong answer, or an error in
# the learner's code, is reported in the message: it never raises.

NOT_ATTEMPTED, CORRECT, NOT_YET = "Not attempted yet:", "Correct!", "Not yet:"


def _raised(err: Exception) -> str:
    """The message for an exception raised by the learner's code."""
    return f"{NOT_YET} your function raised {type(err).__name__}: {err}"


def _as_number(answer: object) -> float | None:
    """``answer`` as a float if it is one real number (not a bool), else None."""
    if isinstance(answer, bool | np.bool_):
        return None
    if isinstance(answer, np.ndarray) and answer.size == 1:
        answer = answer.item()
    if not isinstance(answer, int | float | np.integer | np.floating):
        return None
    return float(answer)


def _one_number_hint(answer: object) -> str:
    return f"{NOT_YET} the answer should be one number, got {answer!r} ({type(answer).__name__})"


def check_background_share(answer: float | None, images: np.ndarray) -> str:
    """Exercise: the share of training pixels that are exactly 0 (the black background).

    images: the raw training images, e.g. (60000, 28, 28) uint8. Correct within 1e-4.
    """
    if answer is None:
        return f"{NOT_ATTEMPTED} set `background_share` to the share of pixels equal to 0."
    a = _as_number(answer)
    if a is None or not math.isfinite(a):
        return _one_number_hint(answer)
    share = float(np.mean(np.asarray(images) == 0))
    if abs(a - share) <= 1e-4:
        return f"{CORRECT} {share:.4f} of all pixels are exactly 0: most of an image is background."
    if abs(a - 100 * share) <= 1e-2:
        return f"{NOT_YET} {a:g} looks like a percentage; give a share in [0, 1] (divide by 100)."
    if not 0 <= a <= 1:
        return f"{NOT_YET} {a:g} is outside [0, 1]; a share is a count divided by the total count."
    if abs(a - (1 - share)) <= 1e-4:
        return (
            f"{NOT_YET} {a:.4f} is the share of pixels that are NOT 0 (the ink); "
            "count the pixels equal to 0 instead."
        )
    return (
        f"{NOT_YET} {a:.4f} is not the share. Hint: `images == 0` is an array of True/False "
        "with one entry per pixel, and the mean of True/False counts True as 1."
    )


def check_cross_entropy(answer: float | None, probs: np.ndarray, label: int) -> str:
    """Exercise: the cross-entropy -ln(probs[label]) of one row of probabilities (k,).

    Correct within 1e-3.
    """
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim != 1 or not 0 <= label < len(probs) or not (probs > 0).all():
        raise ValueError("probs must be (k,) positive probabilities and label in 0..k-1")
    if answer is None:
        return f"{NOT_ATTEMPTED} set `loss_by_hand` to the loss for the true class {label}."
    a = _as_number(answer)
    if a is None or not math.isfinite(a):
        return _one_number_hint(answer)
    p = probs[label]
    if abs(a - -np.log(p)) <= 1e-3:
        return f"{CORRECT} -ln({p:.3f}) = {-np.log(p):.4f}: the less sure of the truth, the larger."
    top = int(probs.argmax())
    if top != label and abs(a - -np.log(probs[top])) <= 1e-3:
        return (
            f"{NOT_YET} {a:.4f} is the loss of the most likely class ({top}); the loss uses "
            f"the probability of the TRUE class, probs[{label}]."
        )
    if abs(a - np.log(p)) <= 1e-3:
        return f"{NOT_YET} {a:.4f} has the wrong sign: the loss is MINUS the log of a probability."
    if abs(abs(a) - -np.log10(p)) <= 1e-3:
        return f"{NOT_YET} {a:.4f} uses log base 10; cross-entropy uses the natural log, np.log."
    if abs(a - p) <= 1e-3:
        return f"{NOT_YET} {a:.4f} is the probability itself; the loss is -ln of it."
    return f"{NOT_YET} {a:.4f} is not it. Hint: take the probability of class {label}, then -ln."


class _BadAnswer(Exception):
    """A learner's function returned something unusable; the message says what."""


def _check_grads(grads: object, params: Params) -> None:
    """Raise _BadAnswer unless grads is a dict of finite arrays shaped like params."""
    if not isinstance(grads, dict):
        raise _BadAnswer(f"your backward returned {type(grads).__name__}; return a dict of arrays")
    if set(grads) != set(params):
        raise _BadAnswer(
            f"your backward returned the keys {sorted(grads)}; return {sorted(params)}"
        )
    for key, p in params.items():
        g = grads[key]
        if np.shape(g) != p.shape:
            raise _BadAnswer(f"grads[{key!r}] has shape {np.shape(g)}; it must be {p.shape}")
        if not np.isfinite(g).all():
            raise _BadAnswer(f"grads[{key!r}] contains NaN or inf")


def check_broken_backward(
    my_backward: Callable | None, params: Params, x: np.ndarray, y: np.ndarray
) -> str:
    """Exercise: break one line of a copy of ``backward``; the gradient check must notice.

    params and x must be float64 (see gradient_check); y: (n,) labels.
    """
    if any(p.dtype != np.float64 for p in params.values()) or x.dtype != np.float64:
        # The notebook's slip, not the learner's: raise rather than blame their function.
        raise TypeError("check_broken_backward needs float64 params and x, as gradient_check")
    if my_backward is None:
        return f"{NOT_ATTEMPTED} copy `backward` into `my_backward` and break one line."
    if not callable(my_backward):
        return f"{NOT_YET} my_backward must be a function, got {type(my_backward).__name__}."

    unchanged = []  # whether my_backward gives backward's own gradients

    def checked(params: Params, cache: dict[str, np.ndarray], y: np.ndarray) -> Params:
        # Copies: a backward that changed params in place would spoil the numerical side.
        copies = {key: value.copy() for key, value in params.items()}
        grads = my_backward(copies, {key: value.copy() for key, value in cache.items()}, y)
        _check_grads(grads, params)
        grads = {key: np.asarray(g, np.float64) for key, g in grads.items()}
        reference = backward(params, cache, y)
        unchanged.append(all(_close(grads[key], reference[key]) for key in reference))
        return grads

    try:
        worst = gradient_check(params, x, y, backward_fn=checked)
    except _BadAnswer as err:
        return f"{NOT_YET} {err}."
    except Exception as err:
        return _raised(err)
    # Also unbroken: backward's own gradients that a ReLU kink pushed just past 1e-6.
    if worst < 1e-6 or (worst <= 1e-3 and unchanged[0]):
        return (
            f"{NOT_YET} your backward still agrees with the numerical gradient (worst relative "
            f"error {worst:.1e}): it isn't broken yet; change one line, e.g. drop `dZ2 /= n`."
        )
    if worst > 1e-3:
        return (
            f"{CORRECT} the gradient check caught your bug: worst relative error {worst:.1e} "
            "(a correct backward stays below 1e-6)."
        )
    return (
        f"{NOT_YET} the worst relative error is {worst:.1e}: between 1e-6 (correct) and 1e-3 "
        "(clearly wrong). Such a small disagreement means your change barely alters the "
        "gradient (a tiny scale factor, or a path that is almost never used); make a plainer "
        "mistake, e.g. drop `dZ2 /= n` or the ReLU gate."
    )


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-12, atol=1e-12))


def _momentum_mistake(
    key: str,
    p_old: np.ndarray,
    v_old: np.ndarray,
    g: np.ndarray,
    p: np.ndarray,
    v: np.ndarray,
    lr: float,
    beta: float,
) -> str | None:
    """What is wrong with one key's update (None if nothing): p, v are after the step."""
    v_new = beta * v_old + g
    if not _close(v, v_new):
        if _close(v, v_old):
            return (
                f"velocity[{key!r}] was not updated in place: it still holds its old value. "
                "Change the arrays in the dict, e.g. velocity[key] *= beta; velocity[key] += g "
                "(a local `v = beta * v + g` is lost when the function returns)"
            )
        if _close(v, beta * v_old - lr * g):
            return (
                f"velocity[{key!r}] follows the other convention, v <- beta v - lr g; this "
                "exercise uses v <- beta v + g, then p <- p - lr v"
            )
        if _close(v, -v_new):
            return f"velocity[{key!r}] has the wrong sign: v <- beta v + g"
        if _close(v, g):
            return f"velocity[{key!r}] is just the gradient: add beta times the old velocity"
        if _close(v, beta * v_old + (1 - beta) * g):
            return f"velocity[{key!r}] averages (1 - beta) g; this exercise adds g itself"
        return f"velocity[{key!r}] is not beta * v + g (off by up to {np.abs(v - v_new).max():.3g})"
    if _close(p, p_old - lr * v_new):
        return None
    if _close(p, p_old):
        return f"params[{key!r}] was not updated in place: it still holds its old value"
    if _close(p, p_old + lr * v_new):
        return f"params[{key!r}] has the wrong sign: the step goes uphill; use p <- p - lr v"
    if _close(p, p_old - lr * g):
        return f"params[{key!r}] moved by the gradient; move it by the new velocity: p - lr v"
    if _close(p, p_old - lr * v_old):
        return f"params[{key!r}] used the old velocity: update v first, then p <- p - lr v"
    off = np.abs(p - (p_old - lr * v_new)).max()
    return f"params[{key!r}] is not p - lr * v (off by up to {off:.3g})"


def _verify_momentum(momentum_step: Callable) -> str | None:
    """Two steps on small random float64 arrays against v <- beta v + g, p <- p - lr v."""
    rng = np.random.default_rng(0)
    shapes = {"W1": (4, 3), "b1": (3,), "W2": (3, 2), "b2": (2,)}
    params = {k: rng.standard_normal(s) for k, s in shapes.items()}
    velocity = {k: rng.standard_normal(s) for k, s in shapes.items()}  # non-zero: tests beta
    lr, beta = 0.1, 0.9
    for step in (1, 2):
        grads = {k: rng.standard_normal(s) for k, s in shapes.items()}
        p_old = {k: v.copy() for k, v in params.items()}
        v_old = {k: v.copy() for k, v in velocity.items()}
        momentum_step(params, {k: g.copy() for k, g in grads.items()}, velocity, lr, beta)
        for key in shapes:
            if key not in params or key not in velocity:
                return f"after step {step}, the key {key!r} is missing from params or velocity"
            p, v = np.asarray(params[key]), np.asarray(velocity[key])
            mistake = _momentum_mistake(key, p_old[key], v_old[key], grads[key], p, v, lr, beta)
            if mistake:
                return f"after step {step}: {mistake}"
    return None


def _train_with(
    step: Callable, params: Params, x: np.ndarray, y: np.ndarray, epochs: int, seed: int
) -> Params:
    """Mini-batches of 64 in nn_utils.train's order for ``seed``; step(params, grads) updates."""
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), 64):
            batch = order[start : start + 64]
            probs, cache = forward(params, x[batch])
            if not math.isfinite(cross_entropy(probs, y[batch])):
                raise FloatingPointError("the loss stopped being finite: training diverged")
            step(params, backward(params, cache, y[batch]))
    return params


def check_momentum(
    momentum_step: Callable | None,
    x_fit: np.ndarray,
    y_fit: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    epochs: int = 2,
    seed: int = 0,
) -> str:
    """Exercise: ``momentum_step(params, grads, velocity, lr, beta)``, in place, for every key:
    v <- beta * v + g, then p <- p - lr * v.

    Checked first on small arrays; if right, the 784-64-10 network is trained for ``epochs``
    epochs on (x_fit, y_fit) with it (lr 0.05, beta 0.9) and with plain sgd_step (lr 0.5),
    batches of 64 in nn_utils.train's order for ``seed``, and both validation accuracies
    are reported. x_*: (n, 784) float32 in [0, 1]; y_*: (n,) labels.
    """
    if momentum_step is None:
        return f"{NOT_ATTEMPTED} write momentum_step(params, grads, velocity, lr, beta)."
    if not callable(momentum_step):
        return f"{NOT_YET} momentum_step must be a function, got {type(momentum_step).__name__}."
    try:
        mistake = _verify_momentum(momentum_step)
    except Exception as err:
        return _raised(err)
    if mistake:
        return f"{NOT_YET} {mistake}."

    start = init_params((x_fit.shape[1], 64, 10), seed)
    _check_data(start, x_fit, y_fit)
    _check_data(start, x_val, y_val)
    plain = {k: v.copy() for k, v in start.items()}
    _train_with(lambda p, g: sgd_step(p, g, 0.5), plain, x_fit, y_fit, epochs, seed)
    velocity = {k: np.zeros_like(v) for k, v in start.items()}
    moving = {k: v.copy() for k, v in start.items()}
    try:
        _train_with(
            lambda p, g: momentum_step(p, g, velocity, 0.05, 0.9),
            moving,
            x_fit,
            y_fit,
            epochs,
            seed,
        )
    except Exception as err:
        return _raised(err)
    acc_momentum = accuracy(y_val, predict(moving, x_val))
    acc_plain = accuracy(y_val, predict(plain, x_val))
    return (
        f"{CORRECT} your step matches v <- beta v + g, p <- p - lr v. Validation accuracy with "
        f"momentum: {acc_momentum:.2%}, plain SGD: {acc_plain:.2%} ({epochs} epochs each). "
        "lr 0.05 with beta 0.9 ends up stepping like lr 0.5 (0.05 / (1 - 0.9)), but smoothed."
    )


def _param_count(sizes: tuple[int, int, int]) -> int:
    n_in, n_hidden, n_out = sizes
    return n_in * n_hidden + n_hidden + n_hidden * n_out + n_out


def check_hidden_size(
    hidden_size: int | None,
    x_fit: np.ndarray,
    y_fit: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    epochs: int = 2,
    seed: int = 0,
) -> str:
    """Exercise: pick another hidden-layer size; trains 784-h-10 and 784-64-10 and compares.

    Both are trained with nn_utils.train for ``epochs`` epochs from init_params(..., seed);
    reports the validation accuracies and parameter counts.
    """
    if hidden_size is None:
        return f"{NOT_ATTEMPTED} set `hidden_size` to a number of hidden units, e.g. 16 or 256."
    if isinstance(hidden_size, bool | np.bool_) or not isinstance(hidden_size, int | np.integer):
        return (
            f"{NOT_YET} hidden_size must be a whole number like 16, got {hidden_size!r} "
            f"({type(hidden_size).__name__})."
        )
    h = int(hidden_size)
    if h < 1:
        return f"{NOT_YET} a layer needs at least 1 unit, got {h}."
    if h > 2048:
        return f"{NOT_YET} {h} units would train for a long time here; pick at most 2048."
    if h == 64:
        return f"{NOT_YET} 64 is the size the notebook already uses; try 16 or 256."
    d = x_fit.shape[1]
    results = []
    for size in (h, 64):
        params, _ = train(init_params((d, size, 10), seed), x_fit, y_fit, epochs=epochs, seed=seed)
        results.append((accuracy(y_val, predict(params, x_val)), _param_count((d, size, 10))))
    (acc_h, count_h), (acc_64, count_64) = results
    return (
        f"{CORRECT} {h} hidden units: validation accuracy {acc_h:.2%} with {count_h:,} "
        f"parameters; 64 units: {acc_64:.2%} with {count_64:,} parameters ({epochs} epochs each)."
    )


def check_confusion_by_hand(answer: object, y_true: object, y_pred: object) -> str:
    """Exercise: the confusion matrix of a few labels, by hand (a nested list or an array).

    Rows are true classes, columns predicted classes; classes 0..max label.
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    k = int(max(y_true.max(), y_pred.max())) + 1
    expected = confusion_matrix(y_true, y_pred, num_classes=k)
    if answer is None:
        return f"{NOT_ATTEMPTED} fill in `cm_by_hand`, a {k} x {k} table of counts."
    try:
        got = np.asarray(answer)
    except ValueError:
        return f"{NOT_YET} the rows have different lengths; every row needs {k} counts."
    if not (np.issubdtype(got.dtype, np.integer) or np.issubdtype(got.dtype, np.floating)):
        return f"{NOT_YET} the answer should hold numbers (counts), got dtype {got.dtype}."
    if got.shape != expected.shape:
        return (
            f"{NOT_YET} the answer has shape {got.shape}; it should be ({k}, {k}): one row per "
            f"true class and one column per predicted class, 0..{k - 1}."
        )
    if np.array_equal(got, expected):
        return f"{CORRECT} the diagonal holds the {np.trace(expected)} right answers."
    if np.array_equal(got, expected.T):
        return (
            f"{NOT_YET} rows and columns are swapped: rows are the TRUE classes, columns the "
            "predictions (entry [i, j] counts true i predicted as j)."
        )
    if got.sum() != len(y_true):
        return (
            f"{NOT_YET} the counts add up to {got.sum():g}, but there are {len(y_true)} "
            "examples; each example adds 1 to exactly one cell."
        )
    i, j = np.argwhere(got != expected)[0]
    return (
        f"{NOT_YET} cell [{i}, {j}] (true {i}, predicted {j}) is {got[i, j]:g}; count again "
        f"the examples whose label is {i} and prediction {j}."
    )


def _box_and_com(out: np.ndarray) -> tuple[int, tuple[float, float]] | None:
    """Longer side of the visible ink's bounding box and the centre of mass (None: no ink)."""
    # Low threshold: shrinking to 20 px averages a stroke's edge with paper, so edges are faint.
    visible = out > 0.05
    if not visible.any():
        return None
    rows, cols = np.flatnonzero(visible.any(axis=1)), np.flatnonzero(visible.any(axis=0))
    return max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1, _center_of_mass(out)


def _best_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Largest correlation of a with b shifted by up to 1 pixel (centring is checked apart)."""
    return max(
        float(np.corrcoef(a.ravel(), np.roll(b, (dy, dx), axis=(0, 1)).ravel())[0, 1])
        for dy in (-1, 0, 1)
        for dx in (-1, 0, 1)
    )


def _prepare_mistake(out: object, image: np.ndarray) -> str | None:
    """What is wrong with my_prepare's output for ``image`` (None if nothing)."""
    if not isinstance(out, np.ndarray):
        return f"it returned {type(out).__name__}; return a NumPy array"
    if out.shape != (28, 28):
        return f"it returned shape {out.shape}; MNIST digits are (28, 28)"
    if not (np.issubdtype(out.dtype, np.floating) or np.issubdtype(out.dtype, np.integer)):
        return f"it returned dtype {out.dtype}; return floats in [0, 1]"
    out = out.astype(np.float64)
    if not np.isfinite(out).all():
        return "it contains NaN or inf; check for divisions by zero"
    if out.min() < -1e-6 or out.max() > 1 + 1e-6:
        return f"its values span [{out.min():g}, {out.max():g}]; scale them into [0, 1]"
    border = np.ones((28, 28), bool)
    border[2:-2, 2:-2] = False
    if out[border].mean() >= 0.05:
        return (
            f"the 2-pixel border averages {out[border].mean():.2f}: the background should be "
            "black (0) with light ink, as in MNIST; invert dark-on-light photos (1 - img)"
        )
    measured = _box_and_com(out)
    if measured is None:
        return "no ink is visible (every pixel <= 0.05); did the digit get lost in the crop?"
    side, (cy, cx) = measured
    if not 19 <= side <= 21:
        return (
            f"the ink's bounding box is {side} px on its longer side; crop to the ink, then "
            "scale so the longer side is 20 px"
        )
    if max(abs(cy - 13.5), abs(cx - 13.5)) > 1 + 1e-4:  # 1e-4: float32 rounding
        return (
            f"the centre of mass is at ({cy:.1f}, {cx:.1f}); shift the digit so it lands at "
            "the centre, (13.5, 13.5)"
        )
    if out.std() == 0:
        return "every pixel has the same value"
    corr = _best_correlation(out, prepare_digit(image))
    if corr <= 0.9:
        return (
            f"it looks unlike nn_utils.prepare_digit(image) (correlation {corr:.2f}); show "
            "both with plt.imshow side by side. Usual causes: light paper left in the picture "
            "(not inverted), or a crop that is not the ink's bounding box"
        )
    return None


def check_prepare(my_prepare: Callable | None, images: Sequence[np.ndarray]) -> str:
    """Exercise: ``my_prepare(image) -> (28, 28)`` turns a photo-like digit into an MNIST one.

    images: raw 2-D grayscale arrays, dark ink on light paper. Each result must be 28 x 28
    in [0, 1], black border, ink box 19-21 px, centre of mass within 1 px of (13.5, 13.5),
    and correlate > 0.9 with ``prepare_digit(image)``. The first failure is reported.
    """
    if len(images) == 0:
        raise ValueError("check_prepare needs at least one image")
    if my_prepare is None:
        return f"{NOT_ATTEMPTED} write my_prepare(image) returning a (28, 28) MNIST-like digit."
    if not callable(my_prepare):
        return f"{NOT_YET} my_prepare must be a function, got {type(my_prepare).__name__}."
    for number, image in enumerate(images, start=1):
        try:
            out = my_prepare(image.copy())  # a copy: the learner's code may change it
        except Exception as err:
            return f"{_raised(err)} (on image {number})"
        mistake = _prepare_mistake(out, image)
        if mistake:
            return f"{NOT_YET} on image {number}, {mistake}."
    return (
        f"{CORRECT} all {len(images)} images come out like MNIST digits: 28 x 28, light ink on "
        "black, 20 px on the longer side, centred by centre of mass."
    )
