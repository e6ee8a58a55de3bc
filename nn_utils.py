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

import gzip
import hashlib
import math
import os
import sys
import time
import urllib.parse
import urllib.request
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


def _decompress(raw: bytes, source: str) -> bytes:
    """Return the content of ``raw``: gunzipped if it starts with the gzip magic, else as is."""
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, gzip.BadGzipFile, zlib.error) as err:
        raise DataFileError(
            f"{source}: the gzip data is truncated or corrupt ({err}). "
            "Delete the file and run again to re-download it."
        ) from None


def parse_idx(content: bytes, source: str = "<bytes>") -> np.ndarray:
    """Parse the (decompressed) bytes of an IDX file into an array.

    Header: two zero bytes, a type byte, the number of dimensions, then each dimension as a
    big-endian uint32; the data follow, big-endian. Returns a native-endian array of the
    header's shape. Raises ``DataFileError`` naming ``source`` if anything is inconsistent.
    """
    if len(content) < 4 or content[:2] != b"\x00\x00" or content[2] not in _IDX_DTYPES:
        raise DataFileError(
            f"{source}: wrong magic number {content[:4].hex() or '(empty file)'}; an IDX file "
            "starts with 00 00, a type byte (08, 09, 0b, 0c, 0d or 0e) and the number of "
            "dimensions. This is not an IDX file: replace it with the original."
        )
    dtype, ndim = _IDX_DTYPES[content[2]], content[3]
    header = 4 + 4 * ndim
    if len(content) < header:
        raise DataFileError(f"{source}: truncated header ({len(content)} bytes, need {header}).")
    shape = tuple(int(d) for d in np.frombuffer(content, ">u4", count=ndim, offset=4))
    expected = header + math.prod(shape) * dtype.itemsize
    if len(content) != expected:
        raise DataFileError(
            f"{source}: the header says shape {shape} ({expected} bytes in all) but the file "
            f"has {len(content)} bytes: it is truncated or corrupt. Replace it with the original."
        )
    data = np.frombuffer(content, dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))  # a native, writable copy


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file, gzip-compressed or not, and return its validated array."""
    path = Path(path)
    return parse_idx(_decompress(path.read_bytes(), str(path)), str(path))


def sha256_hex(content: bytes) -> str:
    """SHA-256 of ``content`` as 64 hex digits."""
    return hashlib.sha256(content).hexdigest()


def default_mirrors() -> list[str]:
    """The mirrors to try, in order: ``$MNIST_MIRROR`` (if set), then ``PUBLIC_MIRRORS``."""
    env = os.environ.get("MNIST_MIRROR", "").strip()
    return ([env] if env else []) + list(PUBLIC_MIRRORS)


def _is_url(mirror: str) -> bool:
    return urllib.parse.urlparse(mirror).scheme in ("http", "https", "file")


def _fetch_bytes(mirror: str, filename: str, progress: bool | None) -> bytes:
    """Bytes of ``filename`` from ``mirror`` (a folder or an http(s)/file URL)."""
    if not _is_url(mirror):
        return (Path(mirror) / filename).read_bytes()
    url = mirror.rstrip("/") + "/" + filename
    with urllib.request.urlopen(url, timeout=30) as response:
        total = int(response.headers.get("Content-Length") or 0)
        chunks: list[bytes] = []
        start, received = time.monotonic(), 0
        while chunk := response.read(1 << 20):
            chunks.append(chunk)
            received += len(chunk)
            # Only a download that takes more than a moment is worth a progress line.
            if progress or (progress is None and time.monotonic() - start > 1.0):
                _report_progress(filename, received, total)
        if progress or (progress is None and time.monotonic() - start > 1.0):
            print(file=sys.stderr)
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


def fetch_file(
    name: str,
    data_dir: str | os.PathLike,
    sha256: str,
    mirrors: Sequence[str] | None = None,
    progress: bool | None = None,
) -> Path:
    """Make sure a verified copy of IDX file ``name`` is in ``data_dir`` and return its path.

    ``name`` has no ``.gz``: a cached ``name.gz`` or ``name`` is used as it is. Otherwise
    ``name.gz`` is fetched from each of ``mirrors`` in turn (default: ``default_mirrors()``),
    and kept only once its decompressed content has SHA-256 ``sha256``. Raises
    ``DownloadError`` listing every mirror tried when none gives a verified copy.
    """
    data_dir = Path(data_dir)
    for candidate in (data_dir / f"{name}.gz", data_dir / name):
        if candidate.exists():
            return candidate
    mirrors = default_mirrors() if mirrors is None else list(mirrors)
    failures = []
    for mirror in mirrors:
        try:
            raw = _fetch_bytes(mirror, f"{name}.gz", progress)
            got = sha256_hex(_decompress(raw, f"{mirror} {name}.gz"))
            if got != sha256:
                raise DataFileError(f"content SHA-256 {got}, expected {sha256}")
        except (OSError, ValueError) as err:  # URLError and HTTPError are OSErrors
            failures.append(f"  {mirror}: {err}")
            continue
        data_dir.mkdir(parents=True, exist_ok=True)
        _write_atomically(data_dir / f"{name}.gz", raw)
        return data_dir / f"{name}.gz"
    tried = "\n".join(failures) or "  (no mirrors given)"
    raise DownloadError(
        f"could not get a verified copy of {name}.gz. Mirrors tried:\n{tried}\n"
        f"Either set MNIST_MIRROR to a folder or URL that holds the original MNIST .gz files, "
        f"or put {name}.gz (or the uncompressed {name}) into {data_dir.resolve()} by hand."
    )


def read_verified(path: str | os.PathLike, sha256: str) -> np.ndarray:
    """Read IDX file ``path`` after checking its decompressed content has SHA-256 ``sha256``."""
    path = Path(path)
    content = _decompress(path.read_bytes(), str(path))
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
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Load the original MNIST, fetching and verifying any file missing from ``data_dir``.

    Returns ``(x_train, y_train, x_test, y_test)``, uint8 arrays of shapes (60000, 28, 28),
    (60000,), (10000, 28, 28), (10000,), in the original order. ``mirrors`` defaults to
    ``$MNIST_MIRROR`` (a folder, or an http(s) or file:// URL) then the public mirrors;
    ``progress`` None shows progress only for downloads that take more than a second.
    """
    arrays = []
    for name, (sha256, shape) in MNIST_FILES.items():
        path = fetch_file(name, data_dir, sha256, mirrors, progress)
        array = read_verified(path, sha256)
        if array.shape != shape or array.dtype != np.uint8:  # unreachable with a true checksum
            raise DataFileError(f"{path}: got {array.dtype} {array.shape}, expected uint8 {shape}")
        arrays.append(array)
    x_train, y_train, x_test, y_test = arrays
    return x_train, y_train, x_test, y_test

