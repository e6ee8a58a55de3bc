"""MNIST as published: the four original IDX files, fetched, verified and read into arrays.

``load_mnist`` returns the original MNIST arrays. It reads the four IDX files from a folder,
fetches missing ones from a mirror (``$MNIST_MIRROR``, then the public ones) within a byte cap
and a deadline for the whole exchange, and verifies every file's *decompressed* content
against the published SHA-256 before using or keeping it. Every file is read and decompressed
no further than its known size, a MiB at a time, so a damaged file or a gzip bomb cannot claim
the memory; only regular files are opened, so a FIFO or a device cannot hang a read.

In order: the checks of arguments (every path a str or os.PathLike with ``~`` expanded, sizes,
deadlines, checksums, mirrors; a TypeError or ValueError naming the argument), the IDX format
(``parse_idx``, ``read_idx``) with its bounded gzip reading, then the mirrors and downloads
(``default_mirrors``, ``fetch_file``, the deadline's watchdog), then ``read_verified`` and
``load_mnist``. Errors: ``DataFileError`` (a file is not what it should be) and
``DownloadError`` (no mirror gave a verified copy).

What this module must NOT hold: anything of the neural network or the exercises (those are
nn_utils.py and exercises.py). It imports nothing of this project, so it works, and is tested,
on its own. One helper here serves params_io.py too: ``_write_atomically``, with which
save_params writes its file the way a download is kept (never a half-written file).
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import io
import math
import numbers
import os
import socket
import stat
import sys
import threading
import time
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

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
_HEX = "0123456789abcdefABCDEF"


def _path_arg(value: object, argument: str) -> Path:
    """``value`` (a str or os.PathLike) as a Path with ``~`` expanded, else an error naming it.

    Every path this module takes goes through here, so ``"~/mnist"`` means the home folder's
    mnist, never a folder named ``~`` in the working directory.
    """
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        raise TypeError(
            f"{argument} must be a path (a str or os.PathLike), got {type(value).__name__} "
            f"{value!r:.80}: pass a file or folder name such as 'data'"
        )
    if not value or "\0" in value:
        raise ValueError(
            f"{argument} {value!r} is not a usable path: pass a file or folder name such as 'data'"
        )
    try:
        return Path(value).expanduser()
    except RuntimeError as err:  # "~someone" with no such user, or no home folder known
        raise ValueError(
            f"{argument} {value!r}: cannot expand '~' ({err}); pass the full path instead"
        ) from None


def _name_arg(name: object) -> str:
    """``name`` if it is a plain file name (no folder part), else an error saying what is wrong."""
    if not isinstance(name, str):
        raise TypeError(
            f"name must be a str, a file name such as 'train-images-idx3-ubyte', "
            f"got {type(name).__name__} {name!r:.80}"
        )
    plain = name not in ("", ".", "..") and not any(c in name for c in "/\\\0")
    if not plain or os.path.isabs(name):
        raise ValueError(
            f"name {name!r} is not a plain file name: it may not be empty, '.' or '..', nor hold "
            "'/' or '\\'. Pass a name such as 'train-images-idx3-ubyte'; the file is kept in "
            "data_dir as that name plus '.gz'"
        )
    return name


def _size_arg(value: object, argument: str) -> int:
    """``value`` if it is a whole number of bytes >= 1 (not a bool), else an error naming it."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{argument} must be a whole number of bytes (an int >= 1), got "
            f"{type(value).__name__} {value!r:.80}"
        )
    if value < 1:
        raise ValueError(
            f"{argument} must be at least 1 byte, got {value}: pass the most bytes the file's "
            f"content may have (default {MAX_IDX_BYTES})"
        )
    return int(value)


def _deadline_arg(value: object) -> float:
    """``value`` if it is a finite number of seconds > 0 (not a bool), else an error saying so."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"deadline must be a number of seconds, got {type(value).__name__} {value!r:.80}: "
            "pass a finite number > 0 such as 120"
        )
    if not (math.isfinite(value) and value > 0):
        raise ValueError(
            f"deadline must be a finite number of seconds > 0, got {value}: pass the most "
            "seconds one download may take, such as 120"
        )
    return float(value)


def _sha256_arg(value: object) -> str:
    """``value`` in lower case if it is a SHA-256 in hex (64 hex digits), else an error."""
    if not (isinstance(value, str) and len(value) == 64 and set(value) <= set(_HEX)):
        raise ValueError(
            f"sha256 must be a SHA-256 as 64 hex digits, got {value!r:.80}: pass the checksum "
            "published for the file's content, e.g. from MNIST_FILES"
        )
    return value.lower()


def _progress_arg(value: object) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise TypeError(
            f"progress must be True, False or None (show it for slow downloads only), got "
            f"{type(value).__name__} {value!r:.80}"
        )
    return value


_MIRROR_KINDS = "a folder path, a file:// URL or an http:// or https:// URL"


def _mirror_arg(mirror: object, where: str) -> tuple[str, Path | str]:
    """One mirror as ``("folder", Path)`` or ``("url", url)``; an error naming ``where`` else.

    A file:// URL is read as the folder it names, like any folder.
    """
    if isinstance(mirror, os.PathLike):
        mirror = os.fspath(mirror)
    if not isinstance(mirror, str):
        raise TypeError(
            f"{where} must be {_MIRROR_KINDS} (a str or os.PathLike), got "
            f"{type(mirror).__name__} {mirror!r:.80}"
        )
    parts = urllib.parse.urlsplit(mirror)
    scheme = parts.scheme.lower()
    if "://" not in mirror and scheme not in ("http", "https", "file"):
        return "folder", _path_arg(mirror, where)
    if scheme in ("http", "https") and parts.netloc:
        return "url", mirror
    if scheme == "file" and parts.netloc in ("", "localhost"):
        return "folder", Path(urllib.request.url2pathname(parts.path))
    raise ValueError(
        f"{where} {mirror!r} is not a mirror this can read: a mirror is {_MIRROR_KINDS} "
        "(on this machine, file:///path/to/folder)"
    )


def _mirrors_arg(mirrors: object) -> list[tuple[str, tuple[str, Path | str]]]:
    """Each of ``mirrors`` as ``(as given, as _mirror_arg reads it)``; errors as _mirror_arg's.

    A single str or path is refused rather than read as a list of one-letter mirrors.
    """
    if isinstance(mirrors, (str, bytes, os.PathLike)):
        raise TypeError(
            f"mirrors must be a list of mirrors, got the single {type(mirrors).__name__} "
            f"{mirrors!r:.80}: pass [mirror]"
        )
    try:
        mirrors = list(mirrors)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(
            f"mirrors must be a list of mirrors ({_MIRROR_KINDS}) or None for the default ones, "
            f"got {type(mirrors).__name__} {mirrors!r:.80}"
        ) from None
    return [
        (str(os.fspath(m)) if isinstance(m, os.PathLike) else m, _mirror_arg(m, f"mirrors[{i}]"))
        for i, m in enumerate(mirrors)
    ]


def _max_raw(size: int) -> int:
    """Most bytes a file whose content is ``size`` bytes can take: deflate's worst case + gzip's."""
    return size + size // 64 + 1024


_NOT_REGULAR = {
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def _check_regular(path: Path, mode: int) -> None:
    """Raise DataFileError naming ``path`` unless ``mode`` (its st_mode) is a regular file's.

    Opening a FIFO waits for a writer, forever; a device or a socket never ends or never opens.
    """
    if not stat.S_ISREG(mode):
        kind = _NOT_REGULAR.get(stat.S_IFMT(mode), "not a regular file")
        raise DataFileError(
            f"{path} is {kind}, not a regular file, so it is not read. A data file must be an "
            "ordinary file: remove or rename this one (a missing file is downloaded again), "
            "or pass the path of the file itself."
        )


def _open_regular(path: Path) -> io.BufferedReader:
    """``path`` opened for reading if it is a regular file; DataFileError naming it otherwise."""
    _check_regular(path, os.stat(path).st_mode)  # before open(), which a FIFO would block
    # O_NONBLOCK: if a FIFO takes the file's place meanwhile, open() still returns at once
    # (and the check below refuses it); reads of a regular file ignore the flag.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        _check_regular(path, os.fstat(fd).st_mode)
    except BaseException:
        os.close(fd)
        raise
    return open(fd, "rb")


def _read_limited(path: Path, limit: int, max_size: int | None = None) -> bytes:
    """The bytes of regular file ``path``; raise DataFileError if it holds more than ``limit``.

    ``max_size``, if given, is the caller's cap on the content that ``limit`` was made from:
    the error then says that cap was exceeded rather than blame the file.
    """
    with _open_regular(path) as f:
        too_big = os.fstat(f.fileno()).st_size > limit  # then refused unread
        raw = b"" if too_big else f.read(limit + 1)  # + 1: a file that grew since counts too
    if not too_big and len(raw) <= limit:
        return raw
    if max_size is None:
        raise DataFileError(
            f"{path}: the file is larger than the {limit} bytes its content allows, so it is not "
            "the file it should be. Delete it (or replace it with the original) and run again."
        )
    raise DataFileError(
        f"{path}: the file is larger than the {limit} bytes that max_size={max_size} allows "
        "(the most a file with that much content takes, compressed or not): the limit was "
        "exceeded. Pass a larger max_size if the file is meant to be this large."
    )


def _inflate(raw: bytes, source: str, limit: int, sink: Callable[[bytes], object]) -> None:
    """Decompress gzip ``raw`` (one or more members) into ``sink``, refusing content beyond
    ``limit`` bytes.

    zlib is handed at most _CHUNK bytes of input and asked for at most _CHUNK bytes of output
    per step, so the decompression itself holds a few MiB whatever the file: a gzip bomb costs
    what ``sink`` keeps (a hash: nothing; a buffer: at most ``limit`` bytes) and the time to
    expand ``limit`` bytes, never its full expansion nor ``limit`` bytes twice.
    """
    pos = total = 0  # input handed to zlib so far; output produced so far

    def more() -> bytes:
        nonlocal pos
        piece = raw[pos : pos + _CHUNK]
        pos += len(piece)
        return piece

    try:
        pending = more()
        while pending:  # one gzip member per round
            if len(pending) < 2:  # its magic number may straddle two pieces
                pending += more()
            if pending[:2] != _GZIP_MAGIC:
                trailing = len(pending) + len(raw) - pos
                raise zlib.error(f"{trailing} bytes of trailing data that are not gzip")
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # 16+: expect a gzip wrapper
            chunk = b""
            while not inflater.eof:
                if not pending:
                    pending = more()
                    if not (pending or chunk):  # no input left, no output pending
                        raise EOFError("the compressed stream ends early")
                chunk = inflater.decompress(pending, _CHUNK)
                total += len(chunk)
                if total > limit:
                    raise DataFileError(
                        f"{source}: the gzip data expand to more than the {limit} bytes the "
                        "content can have (a damaged file or a gzip bomb); stopped there. "
                        "Delete the file and run again to re-download it."
                    )
                sink(chunk)
                pending = inflater.unconsumed_tail
            pending = inflater.unused_data or more()  # the next member, if any
    except (EOFError, zlib.error) as err:
        raise DataFileError(
            f"{source}: the gzip data is truncated or corrupt ({err}). "
            "Delete the file and run again to re-download it."
        ) from None


class _Enough(Exception):
    """Raised by a sink that has all it wants, to stop _inflate there."""


def _gunzip_head(raw: bytes, source: str) -> bytes:
    """The first _MAX_HEADER bytes of the content of gzip ``raw`` (all of it, if shorter)."""
    head = bytearray()

    def keep(chunk: bytes) -> None:
        head.extend(chunk[: _MAX_HEADER - len(head)])
        if len(head) >= _MAX_HEADER:
            raise _Enough

    with contextlib.suppress(_Enough):
        _inflate(raw, source, sys.maxsize, keep)
    return bytes(head)


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


def _declared_size(raw: bytes, source: str, max_size: int, cap: bool = False) -> int:
    """The content size that the IDX header of ``raw`` (gzip-compressed or not) declares.

    Raises DataFileError if that is more than ``max_size``: ``cap`` says ``max_size`` is the
    caller's limit (read_idx's), and the error then blames the limit, not the file.
    """
    head = _gunzip_head(raw, source) if raw[:2] == _GZIP_MAGIC else raw[:_MAX_HEADER]
    size = _idx_size(head, source)
    if size > max_size and cap:
        raise DataFileError(
            f"{source}: the header says the file holds {size} bytes, more than the {max_size} "
            f"that max_size allows: the limit was exceeded. Pass max_size={size} (or more) if "
            "the file is meant to be this large."
        )
    if size > max_size:
        raise DataFileError(
            f"{source}: the header says the file holds {size} bytes, more than the {max_size} "
            "allowed for it. The file is corrupt or not the one expected: replace it."
        )
    return size


def _idx_content(raw: bytes, source: str, max_size: int, cap: bool = False) -> bytes | bytearray:
    """The IDX content of ``raw`` (gzip-compressed or not), read no further than it may go.

    The header, read first, says how long the content must be (no more than ``max_size``,
    see _declared_size); decompression stops just past that, so a bomb never expands in
    memory beyond it.
    """
    size = _declared_size(raw, source, max_size, cap)
    if raw[:2] != _GZIP_MAGIC:
        return raw
    content = bytearray()
    _inflate(raw, source, size, content.extend)
    return content


def _content_sha256(raw: bytes, source: str, max_size: int) -> str:
    """SHA-256 of the IDX content of ``raw``, bounded as _idx_content is, without keeping it."""
    size = _declared_size(raw, source, max_size)
    if raw[:2] != _GZIP_MAGIC:
        return sha256_hex(raw)
    hasher = hashlib.sha256()
    _inflate(raw, source, size, hasher.update)
    return hasher.hexdigest()


def parse_idx(content: bytes, source: str = "<bytes>") -> np.ndarray:
    """Parse the (decompressed) bytes of an IDX file into an array.

    Header: two zero bytes, a type byte, the number of dimensions, then each dimension as a
    big-endian uint32; the data follow, big-endian. Returns a native-endian array of the
    header's shape. Raises ``DataFileError`` naming ``source`` if anything is inconsistent,
    and TypeError if ``content`` is not bytes or bytearray.
    """
    if not isinstance(content, (bytes, bytearray)):
        hint = "text, not a file's bytes" if isinstance(content, str) else "not bytes"
        raise TypeError(
            f"content must be the bytes of an IDX file (bytes or bytearray), got "
            f"{type(content).__name__}, {hint}: pass Path(file).read_bytes(), or call "
            "read_idx(file) to read a file"
        )
    if not isinstance(source, str):
        raise TypeError(f"source must be a str naming the data, got {type(source).__name__}")
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

    Refuses (DataFileError naming the file) content larger than ``max_size`` bytes (an int
    >= 1; the error says the limit was exceeded) or than the header says (the file is
    corrupt), without reading or decompressing beyond that.
    """
    path = _path_arg(path, "path")
    max_size = _size_arg(max_size, "max_size")
    raw = _read_limited(path, _max_raw(max_size), max_size)
    return parse_idx(_idx_content(raw, str(path), max_size, cap=True), str(path))


def sha256_hex(content: bytes) -> str:
    """SHA-256 of ``content`` as 64 hex digits."""
    return hashlib.sha256(content).hexdigest()


def default_mirrors() -> list[str]:
    """The mirrors to try, in order: ``$MNIST_MIRROR`` (if set), then ``PUBLIC_MIRRORS``.

    Raises ValueError if ``$MNIST_MIRROR`` is neither a folder nor a file:// or http(s) URL.
    """
    env = os.environ.get("MNIST_MIRROR", "").strip()
    if env:
        _mirror_arg(env, "MNIST_MIRROR")
    return ([env] if env else []) + list(PUBLIC_MIRRORS)


def _fetch_bytes(
    mirror: tuple[str, Path | str],
    filename: str,
    progress: bool | None,
    max_bytes: int,
    deadline: float,
) -> bytes:
    """Bytes of ``filename`` from ``mirror`` (``("folder", Path)`` or ``("url", url)``).

    Raises DataFileError past ``max_bytes`` bytes and TimeoutError past ``deadline`` seconds
    for the whole exchange: connecting, the TLS handshake, the status line, the headers and
    the body (a server that drips bytes never trips a per-read timeout; _Watchdog stops it).
    """
    kind, where = mirror
    if kind == "folder":
        return _read_limited(Path(where) / filename, max_bytes)
    url = str(where).rstrip("/") + "/" + urllib.parse.quote(filename)
    chunks: list[bytes] = []
    received, shown, headed = 0, False, False
    with _Watchdog(deadline) as watchdog:
        try:
            # The per-read timeout bounds a silent server; the watchdog, and the check of the
            # time after each chunk, bound a slow one.
            with watchdog.opener().open(url, timeout=min(30.0, deadline)) as response:
                # Cut short by the watchdog, http.client takes what came as the whole head.
                headed = not watchdog.expired.is_set()
                total = int(response.headers.get("Content-Length") or 0)
                if total > max_bytes:
                    raise DataFileError(
                        f"{url}: the server offers {total} bytes, more than {max_bytes}"
                    )
                while chunk := response.read1(_CHUNK):  # whatever has arrived, without waiting
                    chunks.append(chunk)
                    received += len(chunk)
                    if received > max_bytes:
                        raise DataFileError(
                            f"{url}: received more than {max_bytes} bytes, more than the file "
                            "can be; stopped there"
                        )
                    elapsed = time.monotonic() - watchdog.start
                    if elapsed > deadline:
                        raise TimeoutError(_late(url, deadline, received, headed))
                    # Only a download that takes more than a moment is worth a progress line.
                    if progress or (progress is None and elapsed > 1.0):
                        _report_progress(filename, received, total)
                        shown = True
            if watchdog.expired.is_set():  # the watchdog's shutdown looks like the body's end
                raise TimeoutError(_late(url, deadline, received, headed))
        except (OSError, http.client.HTTPException):
            # What a shut-down socket raises depends on where it was: say why it was shut.
            if watchdog.expired.is_set() or watchdog.remaining() <= 0:
                raise TimeoutError(_late(url, deadline, received, headed)) from None
            raise
        finally:
            if shown:
                print(file=sys.stderr)  # end the progress line
    return b"".join(chunks)


def _late(url: str, deadline: float, received: int, headed: bool) -> str:
    """The message for a download stopped at its deadline."""
    got = f"{received} bytes received" if headed else "before the response's headers were complete"
    return f"{url}: the download took more than its {deadline:g} s deadline ({got}); stopped there"


class _Watchdog:
    """Shuts down a download's connections once its deadline has passed, whatever waits on them.

    A socket timeout bounds each read, and a server that sends its TLS handshake, status line,
    headers or body a byte at a time passes every one of them. This thread bounds the whole
    exchange instead: at the deadline it shuts each connection down, so the blocked read
    returns at once and the download fails. Use it as a context manager around the download,
    which opens its URL with ``opener()``.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.start = time.monotonic()
        self.expired = threading.Event()
        self._done = threading.Event()
        self._sockets: list[socket.socket] = []  # a duplicate of each connection's socket
        self._thread = threading.Thread(target=self._watch, name="download-deadline", daemon=True)

    def __enter__(self) -> _Watchdog:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._done.set()
        self._thread.join()
        for sock in self._sockets:
            sock.close()

    def remaining(self) -> float:
        return self.seconds - (time.monotonic() - self.start)

    def opener(self) -> urllib.request.OpenerDirector:
        """An opener like urlopen's (proxies, redirects) whose connections this one watches."""
        watched = self._watched

        class HTTP(urllib.request.HTTPHandler):
            def do_open(self, http_class, req, **kwargs):
                return super().do_open(watched(http_class), req, **kwargs)

        class HTTPS(urllib.request.HTTPSHandler):
            def do_open(self, http_class, req, **kwargs):
                return super().do_open(watched(http_class), req, **kwargs)

        return urllib.request.build_opener(HTTP, HTTPS)

    def _watched(self, http_class: type) -> object:
        """A stand-in for ``http_class`` whose connections open their sockets through _connect."""

        def connection(*args: object, **kwargs: object) -> http.client.HTTPConnection:
            conn = http_class(*args, **kwargs)
            conn._create_connection = self._connect  # http.client's own hook for this
            return conn

        return connection

    def _connect(
        self, address: tuple[str, int], timeout: float, *args: object
    ) -> socket.socket:
        """socket.create_connection within the time left, keeping a duplicate to shut down.

        The duplicate reaches the connection whatever wraps the socket later (TLS detaches
        the original before its handshake), and closing is left to __exit__, so its
        descriptor is never another file's.
        """
        remaining = self.remaining()
        if remaining <= 0:
            raise TimeoutError("the deadline passed before connecting")
        sock = socket.create_connection(address, min(timeout, remaining), *args)
        self._sockets.append(sock.dup())
        return sock

    def _watch(self) -> None:
        if self._done.wait(max(0.0, self.remaining())):
            return  # finished in time
        self.expired.set()
        # Again until the download gives up: a redirect may open a new connection meanwhile.
        while True:
            for sock in list(self._sockets):
                with contextlib.suppress(OSError):  # not connected (any more)
                    sock.shutdown(socket.SHUT_RDWR)
            if self._done.wait(0.05):
                return


def _report_progress(filename: str, received: int, total: int) -> None:
    size = f"{received / 1e6:.1f}" + (f" of {total / 1e6:.1f}" if total else "")
    print(f"\rdownloading {filename}: {size} MB", end="", file=sys.stderr, flush=True)


def _write_atomically(path: str | os.PathLike, raw: bytes) -> None:
    """Write ``raw`` to a temporary name beside ``path``, then rename: never a half file.

    If that fails, the temporary file is removed (quietly: a failure to remove it is not
    reported on top) and an OSError of the original kind names ``path``, the file the caller
    asked for, not the hidden temporary one, and says that nothing was written there.
    """
    path = _path_arg(path, "path")
    # open(..., "x") rather than mkstemp: the file gets the user's usual permissions.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{time.time_ns()}.part")
    try:
        with open(tmp, "xb") as f:
            f.write(raw)
        os.replace(tmp, path)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if not isinstance(err, OSError):
            raise  # KeyboardInterrupt and the like, as they came
        reason = err.strerror or str(err) or type(err).__name__
        message = (
            f"could not write {path} ({reason}); nothing was written there. Check that its "
            "folder exists and is writable and that the disk has room, or give another path"
        )
        # OSError(errno, text) becomes the matching subclass (PermissionError, ...).
        raise (OSError(err.errno, message) if err.errno else OSError(message)) from None


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

    Each argument is checked first (TypeError or ValueError naming it): ``name`` is a plain
    file name; ``data_dir`` and any folder mirror a str or os.PathLike, ``~`` expanded; each
    mirror a folder, a file:// or an http(s):// URL; ``size`` an int >= 1; ``deadline`` a
    finite number of seconds > 0.
    """
    name = _name_arg(name)
    data_dir = _path_arg(data_dir, "data_dir")
    sha256 = _sha256_arg(sha256)
    progress = _progress_arg(progress)
    size = _size_arg(size, "size")
    deadline = _deadline_arg(deadline)
    sources = None if mirrors is None else _mirrors_arg(mirrors)
    for candidate in (data_dir / f"{name}.gz", data_dir / name):
        if candidate.exists():
            _check_regular(candidate, candidate.stat().st_mode)
            return candidate
    _check_writable_dir(data_dir)
    if sources is None:  # only now: a bad $MNIST_MIRROR does not stand in a full cache's way
        sources = _mirrors_arg(default_mirrors())
    failures = []
    for mirror, source in sources:
        try:
            raw = _fetch_bytes(source, f"{name}.gz", progress, _max_raw(size), deadline)
            got = _content_sha256(raw, f"{mirror} {name}.gz", size)
            if got != sha256:
                raise DataFileError(f"content SHA-256 {got}, expected {sha256}")
        # URLError and HTTPError are OSErrors; a garbled response is an HTTPException.
        except (OSError, ValueError, http.client.HTTPException) as err:
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

    ``size`` is the content's size in bytes (or an upper bound, an int >= 1): nothing beyond
    it is read. ``path`` is a str or os.PathLike (``~`` expanded).
    """
    path = _path_arg(path, "path")
    sha256 = _sha256_arg(sha256)
    size = _size_arg(size, "size")
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
    file is read and decompressed no further than its known size. The arguments are checked
    as ``fetch_file`` checks them, before anything is read.
    """
    data_dir = _path_arg(data_dir, "data_dir")
    if mirrors is not None:  # checked, and a one-pass iterable kept for all four files
        mirrors = [mirror for mirror, _ in _mirrors_arg(mirrors)]
    progress = _progress_arg(progress)
    deadline = _deadline_arg(deadline)
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
