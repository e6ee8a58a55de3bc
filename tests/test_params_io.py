"""Tests of params_io.py: saving the network's parameters and loading them back, within bounds."""

from __future__ import annotations

import ast
import contextlib
import inspect
import io
import os
import pickle
import signal
import zipfile
from pathlib import Path

import numpy as np
import pytest

import nn_utils as nu
import params_io
from conftest import SMALL, project_imports

# ----------------------------------------------------------------------------- save and load


def test_load_accepts_a_layer_of_one_unit(tmp_path):
    params_io.save_params(tmp_path / "p.npz", nu.init_params((20, 1, 5)))
    assert params_io.load_params(tmp_path / "p.npz", sizes=(20, 1, 5))["W1"].shape == (20, 1)


def test_save_and_load_round_trip(tmp_path):
    params = nu.init_params(seed=4)
    params_io.save_params(tmp_path / "p.npz", params)
    loaded = params_io.load_params(tmp_path / "p.npz", sizes=(784, 64, 10))
    for k in params:
        assert loaded[k].dtype == np.float32
        np.testing.assert_array_equal(loaded[k], params[k])
    assert [p.name for p in tmp_path.iterdir()] == ["p.npz"]


def test_load_rejects_missing_keys_and_wrong_shapes(tmp_path):
    params = nu.init_params(SMALL)
    np.savez(tmp_path / "missing.npz", **{k: v for k, v in params.items() if k != "b2"})
    with pytest.raises(ValueError, match=r"missing\.npz: expected the keys W1, b1, W2, b2"):
        params_io.load_params(tmp_path / "missing.npz")
    np.savez(tmp_path / "shape.npz", **(params | {"b1": np.zeros(9)}))
    with pytest.raises(ValueError, match=r"shape\.npz: inconsistent shapes .*b1 \(9,\)"):
        params_io.load_params(tmp_path / "shape.npz")
    np.savez(tmp_path / "small.npz", **params)
    with pytest.raises(ValueError, match=r"\(20, 8, 5\), expected \(784, 64, 10\)"):
        params_io.load_params(tmp_path / "small.npz", sizes=(784, 64, 10))


def test_load_refuses_pickles(tmp_path):
    params = dict(nu.init_params(SMALL), W1=np.array([{"a": 1}], dtype=object))
    np.savez(tmp_path / "pickled.npz", **params)
    with pytest.raises(ValueError, match=r"pickled\.npz: holds Python objects") as err:
        params_io.load_params(tmp_path / "pickled.npz")
    assert "allow_pickle" not in str(err.value)  # never point the user to unsafe loading


def test_save_rejects_bad_params(tmp_path):
    with pytest.raises(ValueError, match="expected the keys"):
        params_io.save_params(tmp_path / "p.npz", {"W1": np.zeros((2, 2))})
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"", r"bad: not a \.npz file \(it starts with nothing: it is empty\)"),
        (b"W1 = [[0.1, 0.2]]\n", r"bad: not a \.npz file \(it starts with 5731"),
        (bytes(np.random.default_rng(0).integers(0, 256, 300, np.uint8)), r"bad: not a \.npz"),
        (b"PK\x03\x04" + bytes(100), r"bad: truncated or corrupt \.npz file"),
    ],
)
def test_load_names_the_file_for_any_unreadable_content(tmp_path, content, match):
    (tmp_path / "bad").write_bytes(content)
    with pytest.raises(ValueError, match=match) as err:
        params_io.load_params(tmp_path / "bad")
    assert "allow_pickle" not in str(err.value)


def test_load_refuses_npy_and_truncated_files(tmp_path):
    np.save(tmp_path / "w.npy", np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"w\.npy: this is a single \.npy array, not the \.npz"):
        params_io.load_params(tmp_path / "w.npy")
    params_io.save_params(tmp_path / "p.npz", nu.init_params(SMALL))
    raw = (tmp_path / "p.npz").read_bytes()
    for cut in (10, len(raw) // 2, len(raw) - 10):
        (tmp_path / "cut.npz").write_bytes(raw[:cut])
        with pytest.raises(ValueError, match=r"cut\.npz: truncated or corrupt \.npz file"):
            params_io.load_params(tmp_path / "cut.npz")
    with pytest.raises(FileNotFoundError, match=r"nowhere\.npz"):
        params_io.load_params(tmp_path / "nowhere.npz")


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"W1": np.nan}, ValueError, r"p\.npz: W1 holds 1 NaN or infinite values"),
        ({"b1": -np.inf}, ValueError, r"p\.npz: b1 holds 1 NaN or infinite values"),
        ({"W2": np.int32}, TypeError, r"p\.npz: W2 has dtype int32; weights must be real floats"),
        ({"b2": np.bool_}, TypeError, r"p\.npz: b2 has dtype bool"),
        ({"W1": np.complex64}, TypeError, r"p\.npz: W1 has dtype complex64"),
    ],
)
def test_load_refuses_non_finite_and_non_float_weights(tmp_path, change, error, match):
    params = nu.init_params(SMALL)
    ((key, value),) = change.items()
    if isinstance(value, float):
        params[key].flat[0] = value
    else:
        params[key] = params[key].astype(value)
    np.savez(tmp_path / "p.npz", **params)
    with pytest.raises(error, match=match):
        params_io.load_params(tmp_path / "p.npz")


@pytest.mark.parametrize(("sizes"), [(784, 0, 10), (784, 64, 0), (0, 64, 10)])
def test_a_layer_without_units_is_refused_everywhere(tmp_path, sizes):
    # A 784x0 W1 loaded and predicted class 0 for everything; init_params already refused it.
    n_in, n_hidden, n_out = sizes
    params = {
        "W1": np.zeros((n_in, n_hidden), np.float32),
        "b1": np.zeros(n_hidden, np.float32),
        "W2": np.zeros((n_hidden, n_out), np.float32),
        "b2": np.zeros(n_out, np.float32),
    }
    match = rf"a layer without units \(W1 \({n_in}, {n_hidden}\), W2 \({n_hidden}, {n_out}\)\)"
    with pytest.raises(ValueError, match="params: " + match):
        params_io.save_params(tmp_path / "p.npz", params)
    assert list(tmp_path.iterdir()) == []
    np.savez(tmp_path / "p.npz", **params)
    with pytest.raises(ValueError, match=r"p\.npz: " + match):
        params_io.load_params(tmp_path / "p.npz")
    with pytest.raises(ValueError, match=match):
        nu.predict(params, np.zeros((1, n_in), np.float32))


def test_save_refuses_non_finite_weights(tmp_path):
    params = nu.init_params(SMALL)
    params["W2"][0, 0] = np.nan
    with pytest.raises(ValueError, match="params: W2 holds 1 NaN or infinite values"):
        params_io.save_params(tmp_path / "p.npz", params)
    assert list(tmp_path.iterdir()) == []


def npy(array: np.ndarray, version: tuple[int, int] = (1, 0)) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, version=version)
    return buffer.getvalue()


def npy_header(shape: tuple, descr: str = "<f4") -> bytes:
    """A .npy header alone, declaring ``shape``: what a crafted file can claim."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": descr, "fortran_order": False, "shape": shape}
    )
    return buffer.getvalue()


def write_npz(path, members: dict[str, bytes], compression=zipfile.ZIP_STORED) -> None:
    """A .npz whose members (name without .npy -> content) are exactly the given bytes."""
    with zipfile.ZipFile(path, "w", compression) as archive:
        for key, content in members.items():
            archive.writestr(f"{key}.npy", content)


def small_members(**change: bytes) -> dict[str, bytes]:
    return {k: npy(v) for k, v in nu.init_params(SMALL).items()} | change


def test_load_reads_what_numpy_writes_in_any_layout(tmp_path):
    params = nu.init_params(SMALL, seed=6)
    layouts = {
        "W1": npy(np.asfortranarray(params["W1"])),  # column-major
        "b1": npy(params["b1"], version=(2, 0)),
        "W2": npy(params["W2"].astype(">f8")),  # big-endian float64
        "b2": npy(params["b2"]),
    }
    write_npz(tmp_path / "p.npz", layouts, zipfile.ZIP_DEFLATED)  # as np.savez_compressed
    loaded = params_io.load_params(tmp_path / "p.npz", sizes=[20, 8, 5])
    for key in params:
        np.testing.assert_array_equal(loaded[key], params[key])
        loaded[key] += 1  # writable, as np.load's arrays are


@pytest.mark.parametrize(
    ("members", "match"),
    [
        # A raw pickle as a member: it loaded as a 0-d array ("inconsistent shapes W1 ()").
        (
            small_members(W1=pickle.dumps(np.zeros((20, 8), np.float32))),
            r"p\.npz: W1\.npy is not a \.npy array but a pickle; save_params writes plain",
        ),
        (
            small_members(b2=b"hello, world"),
            r"b2\.npy is not a \.npy array but data starting b'hello,'",
        ),
        # A header declaring a (10^6, 10^6) array: a raw MemoryError without the file's name.
        (
            small_members(W1=npy_header((10**6, 10**6))),
            r"p\.npz: W1\.npy declares shape \(1000000, 1000000\), 1,000,000,000,000 values: more "
            r"than the 16,777,216",
        ),
        (small_members(W1=npy_header((2**24 + 1,))), r"W1\.npy declares shape \(16777217,\)"),
        # 2**24 values are read (had W1 the right number of dimensions).
        (small_members(W1=npy_header((2**24,))), r"inconsistent shapes W1 \(16777216,\)"),
        # A 20,000-byte header: blamed on "Python objects", which it is not.
        (
            small_members(b1=b"\x93NUMPY\x01\x00" + (20_000).to_bytes(2, "little") + b" " * 20_000),
            r"p\.npz: b1\.npy has a header of 20,000 bytes, where save_params writes about 128",
        ),
        (
            small_members(b1=b"\x93NUMPY\x01\x00" + (1025).to_bytes(2, "little") + b" " * 1025),
            r"b1\.npy has a header of 1,025 bytes",
        ),
        (
            small_members(b1=b"\x93NUMPY\x03\x00" + bytes(10)),
            r"b1\.npy uses \.npy version \(3, 0\)",
        ),
        (
            small_members(b1=npy_header((8,))[:8] + b"\x10\x00{'descr'}" + b" " * 8),
            "unreadable header",
        ),
        # The data must be exactly what the header declares: no more (a bomb), no less.
        (
            small_members(W1=npy(np.zeros((20, 8), np.float32)) + bytes(1)),
            r"W1\.npy holds more data",
        ),
        (small_members(W1=npy(np.zeros((20, 8), np.float32))[:-1]), r"truncated or corrupt"),
        (small_members(W1=npy_header((20, 8))[:9]), r"truncated or corrupt .*ends inside"),
        (small_members(W1=npy_header((20, 8))[:60]), r"truncated or corrupt .*ends inside"),
        # Shapes are checked from the headers, before any data is read.
        (
            small_members(W2=npy_header((9, 5))),
            r"inconsistent shapes W1 \(20, 8\), b1 \(8,\), W2 \(9, 5\)",
        ),
        (small_members(W1=npy_header((20, 8), "<i4")), r"W1 has dtype int32; weights must be real"),
    ],
)
def test_load_checks_each_member_before_reading_it(tmp_path, members, match):
    write_npz(tmp_path / "p.npz", members)
    with pytest.raises((ValueError, TypeError), match=match) as err:
        params_io.load_params(tmp_path / "p.npz")
    assert "allow_pickle" not in str(err.value)


def test_load_reads_a_header_of_the_longest_length(tmp_path):
    header = str({"descr": "<f4", "fortran_order": False, "shape": (8,)}).encode()
    b1 = b"\x93NUMPY\x01\x00" + (1024).to_bytes(2, "little") + header.ljust(1023) + b"\n"
    write_npz(tmp_path / "p.npz", small_members(b1=b1 + bytes(32)))
    np.testing.assert_array_equal(params_io.load_params(tmp_path / "p.npz")["b1"], np.zeros(8))


def test_load_checks_sizes_before_reading_the_data(tmp_path):
    # Headers of the right sizes but no data at all: the sizes are refused first.
    write_npz(
        tmp_path / "p.npz", {k: npy_header(v.shape) for k, v in nu.init_params(SMALL).items()}
    )
    with pytest.raises(
        ValueError, match=r"p\.npz: the network is \(20, 8, 5\), expected \(20, 9, 5\)"
    ):
        params_io.load_params(tmp_path / "p.npz", sizes=(20, 9, 5))
    with pytest.raises(ValueError, match=r"truncated or corrupt"):
        params_io.load_params(tmp_path / "p.npz", sizes=(20, 8, 5))
    with pytest.raises(ValueError, match=r"sizes must be \(n_in, n_hidden, n_out\), got \(20, 8\)"):
        params_io.load_params(tmp_path / "p.npz", sizes=(20, 8))
    with pytest.raises(ValueError, match=r"need each of sizes >= 1, got 0"):
        params_io.load_params(tmp_path / "p.npz", sizes=(20, 0, 5))


def set_zip_flag(content: bytes, bit: int) -> bytes:
    """Set a general-purpose flag bit of every entry, in the local and the central headers."""
    data = bytearray(content)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        while at >= 0:
            data[at + offset] |= bit
            at = data.find(signature, at + 1)
    return bytes(data)


def test_load_refuses_an_encrypted_file(tmp_path):
    params_io.save_params(tmp_path / "p.npz", nu.init_params(SMALL))
    (tmp_path / "p.npz").write_bytes(set_zip_flag((tmp_path / "p.npz").read_bytes(), 0x1))
    with pytest.raises(ValueError, match=r"p\.npz: W1\.npy is encrypted; save_params never"):
        params_io.load_params(tmp_path / "p.npz")


def test_load_checks_the_data_against_its_checksum(tmp_path):
    params_io.save_params(tmp_path / "p.npz", nu.init_params(SMALL))
    content = bytearray((tmp_path / "p.npz").read_bytes())
    content[content.find(b"NUMPY") + 200] ^= 0xFF  # a byte of W1's data (stored, uncompressed)
    (tmp_path / "p.npz").write_bytes(bytes(content))
    with pytest.raises(ValueError, match=r"truncated or corrupt .*CRC"):
        params_io.load_params(tmp_path / "p.npz")


class Timeout(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: float):
    """Fail instead of hanging: a blocking open() is interrupted by the alarm."""

    def expire(signum, frame):
        raise Timeout(f"still blocked after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_load_refuses_a_fifo_instead_of_blocking(tmp_path):
    os.mkfifo(tmp_path / "p.npz")  # open() would wait forever for a writer
    with time_limit(5), pytest.raises(ValueError, match=r"p\.npz: this is a FIFO \(named pipe\)"):
        params_io.load_params(tmp_path / "p.npz")


@pytest.mark.parametrize(
    ("where", "match"),
    [
        (lambda tmp_path: tmp_path, r"this is a folder, not a file of saved parameters"),
        (lambda tmp_path: Path(os.devnull), r"this is not a regular file \(a device or socket\)"),
    ],
)
def test_load_refuses_what_is_not_a_regular_file(tmp_path, where, match):
    with pytest.raises(ValueError, match=match):
        params_io.load_params(where(tmp_path))


@pytest.mark.parametrize("function", ["save_params", "load_params"])
@pytest.mark.parametrize(
    ("path", "error", "match"),
    [
        (None, TypeError, r"path must be a file name, a str or pathlib\.Path .* got NoneType"),
        (3, TypeError, r"got int"),
        (b"p.npz", TypeError, r"got bytes"),
        ("", ValueError, r"path is empty: give a file name such as 'params\.npz'"),
    ],
)
def test_paths_are_checked(function, path, error, match):
    with pytest.raises(error, match=match):
        if function == "save_params":
            params_io.save_params(path, nu.init_params(SMALL))
        else:
            params_io.load_params(path)


def test_paths_expand_the_home_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    params = nu.init_params(SMALL)
    params_io.save_params("~/p.npz", params)
    assert [p.name for p in tmp_path.iterdir()] == ["p.npz"]
    np.testing.assert_array_equal(params_io.load_params("~/p.npz")["W1"], params["W1"])
    with pytest.raises(FileNotFoundError, match=str(tmp_path / "q.npz")):
        params_io.load_params("~/q.npz")


def test_params_io_takes_only_the_file_writer_from_mnist_data():
    assert project_imports("params_io") == {"mnist_data", "nn_utils"}
    names = {
        alias.name
        for node in ast.walk(ast.parse(inspect.getsource(params_io)))
        if isinstance(node, ast.ImportFrom) and node.module == "mnist_data"
        for alias in node.names
    }
    assert names == {"_write_atomically"}  # one helper, kept in one place


def test_a_path_with_a_nul_character_is_refused_clearly(tmp_path):
    for call in (
        lambda: params_io.save_params(f"{tmp_path}/a\0b.npz", nu.init_params(SMALL)),
        lambda: params_io.load_params(f"{tmp_path}/a\0b.npz"),
    ):
        with pytest.raises(ValueError, match="contains a NUL character"):
            call()
