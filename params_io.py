"""Saving and loading the network's parameters: mnist_from_scratch.ipynb, section 8.8.

``save_params(path, params)`` writes W1, b1, W2, b2 to an .npz file of plain arrays (no
pickle, so loading one cannot run code), under a temporary name first, then renamed.
``load_params(path, sizes)`` reads one back and checks it as nn_utils checks parameters
(keys, shapes, float dtypes, finite values; ``sizes`` if given). It opens only a regular
file (a FIFO would block) and reads each .npy header before its data, so a small or hostile
file cannot make it allocate more than ``MAX_PARAM_VALUES`` values an array. Shapes are the
notebook's: W1 (784, h), b1 (h,), W2 (h, 10), b2 (10,).

What this module must NOT hold: the network (nn_utils.py, whose checks it uses; nothing in
nn_utils imports this module) and MNIST's files (mnist_data.py, from which it takes only
``_write_atomically``).
"""

from __future__ import annotations

import io
import math
import os
import stat
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

from mnist_data import _write_atomically
from nn_utils import PARAM_KEYS, Params, _check_int, _check_params, _check_shapes, _dtype_error


def _check_path(path: object) -> Path:
    """``path`` as a Path with ``~`` expanded; raise unless it is a non-empty str or PathLike."""
    text = os.fspath(path) if isinstance(path, str | os.PathLike) else None
    if not isinstance(text, str):
        raise TypeError(
            f"path must be a file name, a str or pathlib.Path such as 'params.npz', got "
            f"{type(path).__name__}"
        )
    if not text:
        raise ValueError("path is empty: give a file name such as 'params.npz'")
    if "\0" in text:
        raise ValueError(f"path {text!r} contains a NUL character, which no file name can hold")
    return Path(text).expanduser()


def _check_sizes(sizes: object) -> tuple[int, int, int]:
    """``sizes`` as a tuple of three ints >= 1 (n_in, n_hidden, n_out)."""
    if not isinstance(sizes, tuple | list) or len(sizes) != 3:
        raise ValueError(f"sizes must be (n_in, n_hidden, n_out), got {sizes!r}")
    n_in, n_hidden, n_out = (_check_int("each of sizes", size, 1) for size in sizes)
    return n_in, n_hidden, n_out


def save_params(path: str | os.PathLike, params: Params) -> None:
    """Save params to ``path`` as .npz (written to a temporary name first, then renamed).

    ``~`` in ``path`` means the home folder. Refuses non-finite or non-float weights and
    layers without units: a file of NaNs would only fail later, elsewhere.
    """
    path = _check_path(path)
    _check_params(params, "params")
    buffer = io.BytesIO()
    np.savez(buffer, **params)
    _write_atomically(path, buffer.getvalue())


#: The most values load_params reads into one array: 2**24 (128 MiB as float64). The widest
#: network the notebook trains (check_hidden_size allows 2048 hidden units) has a W1 of
#: 784 x 2048 = 1.6 M values, so this leaves ten times that room and still bounds what a
#: small file can make load_params allocate (a 2 MiB .npz can inflate to 2 GiB).
MAX_PARAM_VALUES = 2**24

#: The longest .npy header load_params reads. numpy writes about 128 bytes for these arrays
#: (padded to a multiple of 64), and refuses more than 10,000 itself.
MAX_HEADER_BYTES = 1024


def _open_regular(path: Path) -> io.BufferedReader:
    """``path`` opened for reading; ValueError unless it is a regular file.

    Opened without blocking, then checked: open() on a FIFO would wait for a writer forever.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)  # a missing file raises FileNotFoundError, naming it
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = (
            "a folder"
            if stat.S_ISDIR(mode)
            else "a FIFO (named pipe)"
            if stat.S_ISFIFO(mode)
            else "not a regular file (a device or socket)"
        )
        raise ValueError(
            f"{path}: this is {kind}, not a file of saved parameters; give the .npz file that "
            "save_params wrote"
        )
    return os.fdopen(fd, "rb")


def _read_header(path: Path, key: str, stream: io.BufferedIOBase) -> tuple[np.dtype, tuple, bool]:
    """Read one .npy member's header from ``stream``: (dtype, shape, fortran_order), checked."""
    name = f"{path}: {key}.npy"
    start = stream.read(8)
    if start[:6] != b"\x93NUMPY":
        what = "a pickle" if start[:1] == b"\x80" else f"data starting {start[:6]!r}"
        raise ValueError(
            f"{name} is not a .npy array but {what}; save_params writes plain arrays only: "
            "save the parameters again with save_params"
        )
    version = tuple(start[6:8])
    if version not in ((1, 0), (2, 0)):
        raise ValueError(f"{name} uses .npy version {version}, which save_params never writes")
    layout = "<H" if version == (1, 0) else "<I"  # the header's length: 2 or 4 bytes
    size_bytes = stream.read(struct.calcsize(layout))
    if len(size_bytes) != struct.calcsize(layout):
        raise EOFError("the file ends inside an array header")
    (length,) = struct.unpack(layout, size_bytes)
    if length > MAX_HEADER_BYTES:
        raise ValueError(
            f"{name} has a header of {length:,} bytes, where save_params writes about 128 (at "
            f"most {MAX_HEADER_BYTES:,} are read): the file was made some other way or is "
            "damaged; save the parameters again with save_params"
        )
    header = stream.read(length)
    if len(header) != length:
        raise EOFError("the file ends inside an array header")
    read_1, read_2 = np.lib.format.read_array_header_1_0, np.lib.format.read_array_header_2_0
    reader = read_1 if version == (1, 0) else read_2
    try:
        shape, fortran_order, dtype = reader(io.BytesIO(size_bytes + header))
    except ValueError as err:
        raise ValueError(f"{name} has an unreadable header ({err})") from None
    if dtype.hasobject:
        raise ValueError(
            f"{path}: holds Python objects, not plain arrays; such files can run code when "
            "loaded, so they are never loaded here. Give a file written by save_params."
        )
    if not np.issubdtype(dtype, np.floating):
        raise _dtype_error(str(path), key, dtype)
    if math.prod(shape) > MAX_PARAM_VALUES:
        raise ValueError(
            f"{name} declares shape {shape}, {math.prod(shape):,} values: more than the "
            f"{MAX_PARAM_VALUES:,} load_params reads into one array (784-2048-10 needs 1.6 M); "
            "not a network saved by save_params, so it is not read"
        )
    return dtype, shape, fortran_order


def _read_npz(path: Path, sizes: tuple[int, int, int] | None = None) -> Params:
    """The four arrays of .npz file ``path``; ValueError naming the file for anything else.

    Each member's .npy header is read and checked first (dtype, shape against the other
    arrays, ``sizes`` and MAX_PARAM_VALUES), then exactly the bytes it declares: a small file
    cannot make this allocate more than those checks allow.
    """
    with _open_regular(path) as f:
        magic = f.read(6)
        if magic == b"\x93NUMPY":
            raise ValueError(
                f"{path}: this is a single .npy array, not the .npz file of W1, b1, W2, b2 that "
                "save_params writes; save the parameters with save_params(path, params)"
            )
        if magic[:4] not in (b"PK\x03\x04", b"PK\x05\x06"):  # a zip: its first entry, or empty
            raise ValueError(
                f"{path}: not a .npz file (it starts with "
                f"{magic.hex() or 'nothing: it is empty'}); give a file written by save_params"
            )
        f.seek(0)
        try:
            with zipfile.ZipFile(f) as archive:
                return _read_members(path, archive, sizes)
        except (EOFError, OSError, zipfile.BadZipFile, zlib.error, NotImplementedError) as err:
            raise ValueError(
                f"{path}: truncated or corrupt .npz file ({type(err).__name__}: {err}); "
                "save the parameters again with save_params"
            ) from None


def _read_into(stream: io.BufferedIOBase, buffer: memoryview, key: str) -> None:
    """Fill ``buffer`` from ``stream`` in 1 MiB pieces (no second copy of a large array)."""
    filled = 0
    while filled < len(buffer):
        piece = stream.read(min(len(buffer) - filled, 1 << 20))
        if not piece:
            raise EOFError(f"{key}.npy holds {filled:,} bytes of data, not {len(buffer):,}")
        buffer[filled : filled + len(piece)] = piece
        filled += len(piece)


def _read_members(
    path: Path, archive: zipfile.ZipFile, sizes: tuple[int, int, int] | None
) -> Params:
    """_read_npz's work inside the opened zip archive."""
    members = {info.filename.removesuffix(".npy"): info for info in archive.infolist()}
    if set(members) != set(PARAM_KEYS):
        raise ValueError(
            f"{path}: expected the keys {', '.join(PARAM_KEYS)}, got {', '.join(sorted(members))}"
        )
    for info in members.values():
        if info.flag_bits & 0x1:
            raise ValueError(
                f"{path}: {info.filename} is encrypted; save_params never encrypts, so this is "
                "not its file: save the parameters again with save_params"
            )
    headers = {}
    for key in PARAM_KEYS:
        with archive.open(members[key]) as stream:
            headers[key] = _read_header(path, key, stream)
    _check_shapes({key: header[1] for key, header in headers.items()}, str(path))
    got = (*headers["W1"][1], headers["W2"][1][1])
    if sizes is not None and got != sizes:
        raise ValueError(f"{path}: the network is {got}, expected {sizes}")
    params = {}
    for key in PARAM_KEYS:
        dtype, shape, fortran_order = headers[key]
        with archive.open(members[key]) as stream:
            _read_header(path, key, stream)  # skip it again: zip members read forwards only
            flat = np.empty(math.prod(shape), dtype)
            _read_into(stream, memoryview(flat).cast("B"), key)
            if stream.read(1):  # reading to the end also checks the member's CRC
                raise ValueError(
                    f"{path}: {key}.npy holds more data than its header declares ({shape}); "
                    "the file is damaged: save the parameters again with save_params"
                )
        params[key] = flat.reshape(shape, order="F" if fortran_order else "C")
    return params


def load_params(path: str | os.PathLike, sizes: tuple[int, int, int] | None = None) -> Params:
    """Load params saved by ``save_params``; checks the file, keys, shapes, dtypes, finiteness
    and ``sizes`` if given. Raises ValueError (TypeError for non-float weights) naming ``path``.

    ``~`` in ``path`` means the home folder. Only a regular file is read (a FIFO would block),
    and only as much of it as four arrays of the declared, checked shapes need.
    """
    path = _check_path(path)
    if sizes is not None:
        sizes = _check_sizes(sizes)
    params = _read_npz(path, sizes)
    _check_params(params, str(path))
    return params
