"""The IDX parser, the fetcher and load_mnist: small files made here, then the real MNIST."""

from __future__ import annotations

import gzip
import http.server
import socket
import threading
from pathlib import Path

import numpy as np
import pytest
from conftest import idx_bytes, write_idx

import nn_utils
from nn_utils import DataFileError, DownloadError

# ----------------------------------------------------------------------------- read_idx


@pytest.mark.parametrize("dtype", ["u1", "i1", "i2", "i4", "f4", "f8"])
@pytest.mark.parametrize("compress", [True, False])
def test_read_idx_round_trips_every_type(tmp_path, dtype, compress):
    array = np.arange(24).reshape(2, 3, 4).astype(dtype) * (1 if dtype[0] == "u" else -3)
    write_idx(tmp_path / "a.idx", array, compress)
    got = nn_utils.read_idx(tmp_path / "a.idx")
    assert got.dtype == array.dtype.newbyteorder("=") and got.dtype.isnative
    np.testing.assert_array_equal(got, array)
    got[0, 0, 0] = 1  # a writable array, not a view of read-only bytes


def test_read_idx_one_dimension(tmp_path):
    labels = np.array([3, 1, 4, 1, 5], np.uint8)
    write_idx(tmp_path / "labels", labels)
    np.testing.assert_array_equal(nn_utils.read_idx(tmp_path / "labels"), labels)


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00", b"PK\x03\x04 not idx", b"\x00\x00\x07\x01abcd", b"\x01\x00\x08\x01abcd"],
)
def test_wrong_magic_is_named(tmp_path, content):
    (tmp_path / "bad").write_bytes(content)
    with pytest.raises(DataFileError, match=r"bad: wrong magic number.*not an IDX file"):
        nn_utils.read_idx(tmp_path / "bad")


@pytest.mark.parametrize("change", [-1, +1, -100])
def test_header_inconsistent_with_size(tmp_path, change):
    content = idx_bytes(np.zeros((4, 5, 5), np.uint8))
    content = content[:change] if change < 0 else content + b"\x00" * change
    (tmp_path / "f.idx").write_bytes(content)
    with pytest.raises(DataFileError, match=r"f\.idx: the header says shape \(4, 5, 5\)"):
        nn_utils.read_idx(tmp_path / "f.idx")


def test_truncated_header(tmp_path):
    (tmp_path / "f").write_bytes(b"\x00\x00\x08\x03\x00\x00\x00\x02")
    with pytest.raises(DataFileError, match="truncated header"):
        nn_utils.read_idx(tmp_path / "f")


def test_truncated_gzip(tmp_path):
    raw = gzip.compress(idx_bytes(np.arange(1000, dtype=np.int32)))
    (tmp_path / "f.gz").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(DataFileError, match=r"f\.gz: the gzip data is truncated or corrupt"):
        nn_utils.read_idx(tmp_path / "f.gz")


def test_corrupt_gzip(tmp_path):
    raw = bytearray(gzip.compress(idx_bytes(np.arange(1000, dtype=np.int32))))
    raw[len(raw) // 2] ^= 0xFF  # damages the deflate stream or its CRC
    (tmp_path / "f.gz").write_bytes(bytes(raw))
    with pytest.raises(DataFileError, match="truncated or corrupt"):
        nn_utils.read_idx(tmp_path / "f.gz")


# ----------------------------------------------------------------------------- fetch_file


@pytest.fixture
def small_mirror(tmp_path) -> tuple[Path, str, np.ndarray]:
    """A mirror folder holding one small IDX file 'toy' (as toy.gz); its content's SHA-256."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    array = np.arange(60, dtype=np.uint8).reshape(3, 4, 5)
    content = write_idx(mirror / "toy.gz", array)
    return mirror, nn_utils.sha256_hex(content), array


def test_fetch_from_folder_then_cache(tmp_path, small_mirror):
    mirror, sha, array = small_mirror
    data = tmp_path / "data"
    path = nn_utils.fetch_file("toy", data, sha, [str(mirror)])
    assert path == data / "toy.gz" and sorted(p.name for p in data.iterdir()) == ["toy.gz"]
    np.testing.assert_array_equal(nn_utils.read_verified(path, sha), array)
    (mirror / "toy.gz").unlink()  # a second call must not need the mirror
    assert nn_utils.fetch_file("toy", data, sha, [str(mirror)]) == path


def test_fetch_from_file_url(tmp_path, small_mirror):
    mirror, sha, _ = small_mirror
    path = nn_utils.fetch_file("toy", tmp_path / "d", sha, [mirror.as_uri()])
    assert path.read_bytes() == (mirror / "toy.gz").read_bytes()


def test_uncompressed_cache_is_used(tmp_path, small_mirror):
    _, sha, array = small_mirror
    write_idx(tmp_path / "toy", array, compress=False)
    path = nn_utils.fetch_file("toy", tmp_path, sha, mirrors=[])
    assert path == tmp_path / "toy"
    np.testing.assert_array_equal(nn_utils.read_verified(path, sha), array)


def test_bad_mirror_is_skipped_for_the_next(tmp_path, small_mirror):
    mirror, sha, array = small_mirror
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    write_idx(wrong / "toy.gz", array + 1)  # a valid IDX file, but not the one we want
    path = nn_utils.fetch_file("toy", tmp_path / "d", sha, [str(wrong), str(mirror)])
    np.testing.assert_array_equal(nn_utils.read_idx(path), array)


def test_no_mirror_reachable_lists_them_and_leaves_nothing(tmp_path, small_mirror):
    _, sha, array = small_mirror
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    write_idx(wrong / "toy.gz", array + 1)
    with socket.socket() as s:  # a port on this machine that nothing listens on
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}/mnist/"
    missing = str(tmp_path / "nowhere")
    data = tmp_path / "data"
    data.mkdir()
    with pytest.raises(DownloadError) as err:
        nn_utils.fetch_file("toy", data, sha, [missing, str(wrong), closed])
    message = str(err.value)
    for mirror in (missing, str(wrong), closed):
        assert mirror in message
    assert "SHA-256" in message and "MNIST_MIRROR" in message and str(data.resolve()) in message
    assert list(data.iterdir()) == []


def test_download_is_written_under_a_temporary_name(tmp_path, small_mirror, monkeypatch):
    mirror, sha, _ = small_mirror
    written = []

    def spy(src, dst):
        written.append((Path(src).name, Path(dst).name))
        raise OSError("disk full")  # the rename fails: the temporary file must go too

    monkeypatch.setattr(nn_utils.os, "replace", spy)
    with pytest.raises(OSError, match="disk full"):
        nn_utils.fetch_file("toy", tmp_path / "d", sha, [str(mirror)])
    ((src, dst),) = written
    assert src.startswith(".toy.gz.") and src.endswith(".part") and dst == "toy.gz"
    assert list((tmp_path / "d").iterdir()) == []


@pytest.fixture
def http_mirror(small_mirror):
    """small_mirror served over HTTP on 127.0.0.1 for the length of a test."""
    mirror = small_mirror[0]

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(mirror), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", small_mirror
    server.shutdown()
    server.server_close()


def test_fetch_over_http_with_progress(tmp_path, http_mirror, capsys):
    url, (mirror, sha, _) = http_mirror
    path = nn_utils.fetch_file("toy", tmp_path, sha, [url], progress=True)
    assert path.read_bytes() == (mirror / "toy.gz").read_bytes()
    assert "downloading toy.gz:" in capsys.readouterr().err


def test_quick_download_prints_nothing(tmp_path, http_mirror, capsys):
    url, (_, sha, _) = http_mirror
    nn_utils.fetch_file("toy", tmp_path, sha, [url + "/"])
    assert capsys.readouterr() == ("", "")


def test_http_404_is_reported(tmp_path, http_mirror):
    url, (_, sha, _) = http_mirror
    with pytest.raises(DownloadError, match="404"):
        nn_utils.fetch_file("other", tmp_path, sha, [url])


def test_mnist_mirror_comes_first(monkeypatch):
    monkeypatch.setenv("MNIST_MIRROR", "/somewhere/mnist")
    assert nn_utils.default_mirrors() == ["/somewhere/mnist", *nn_utils.PUBLIC_MIRRORS]
    monkeypatch.delenv("MNIST_MIRROR")
    assert nn_utils.default_mirrors() == list(nn_utils.PUBLIC_MIRRORS)


# ----------------------------------------------------------------------------- real MNIST

README_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
README_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_load_mnist_fetches_verifies_and_caches(tmp_path, mnist_mirror):
    data = tmp_path / "data"
    x_train, y_train, x_test, y_test = nn_utils.load_mnist(data, mirrors=[str(mnist_mirror)])
    assert [a.shape for a in (x_train, y_train, x_test, y_test)] == [
        (60000, 28, 28),
        (60000,),
        (10000, 28, 28),
        (10000,),
    ]
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    assert np.bincount(y_train).tolist() == README_TRAIN_COUNTS
    assert np.bincount(y_test).tolist() == README_TEST_COUNTS
    assert x_train.mean() == pytest.approx(33.318421449829934, abs=1e-9)
    assert sorted(p.name for p in data.iterdir()) == sorted(f"{n}.gz" for n in nn_utils.MNIST_FILES)
    # The second call reads the cache only: no mirror at all is offered.
    again = nn_utils.load_mnist(data, mirrors=[])
    for a, b in zip(again, (x_train, y_train, x_test, y_test), strict=True):
        np.testing.assert_array_equal(a, b)


def test_load_mnist_reads_uncompressed_files(tmp_path, mnist_mirror, mnist):
    for name in nn_utils.MNIST_FILES:
        (tmp_path / name).write_bytes(gzip.decompress((mnist_mirror / f"{name}.gz").read_bytes()))
    for a, b in zip(nn_utils.load_mnist(tmp_path, mirrors=[]), mnist, strict=True):
        np.testing.assert_array_equal(a, b)


def test_one_changed_byte_in_the_cache_is_an_error(tmp_path, mnist_mirror):
    for name in nn_utils.MNIST_FILES:
        (tmp_path / f"{name}.gz").write_bytes((mnist_mirror / f"{name}.gz").read_bytes())
    target = tmp_path / "t10k-labels-idx1-ubyte.gz"
    content = bytearray(gzip.decompress(target.read_bytes()))
    content[5000] = (content[5000] + 1) % 10  # still a valid label, still a valid IDX file
    target.write_bytes(gzip.compress(bytes(content)))
    with pytest.raises(DataFileError, match=r"t10k-labels-idx1-ubyte\.gz: the content's SHA-256"):
        nn_utils.load_mnist(tmp_path, mirrors=[str(mnist_mirror)])
