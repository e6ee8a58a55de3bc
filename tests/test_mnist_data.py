"""The IDX parser, the fetcher and load_mnist: small files made here, then the real MNIST."""

from __future__ import annotations

import contextlib
import gzip
import http.server
import os
import socket
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import numpy as np
import pytest

import mnist_data
from conftest import REPO, idx_bytes, project_imports, write_idx
from mnist_data import DataFileError, DownloadError

# ----------------------------------------------------------------------------- read_idx


@pytest.mark.parametrize("dtype", ["u1", "i1", "i2", "i4", "f4", "f8"])
@pytest.mark.parametrize("compress", [True, False])
def test_read_idx_round_trips_every_type(tmp_path, dtype, compress):
    array = np.arange(24).reshape(2, 3, 4).astype(dtype) * (1 if dtype[0] == "u" else -3)
    write_idx(tmp_path / "a.idx", array, compress)
    got = mnist_data.read_idx(tmp_path / "a.idx")
    assert got.dtype == array.dtype.newbyteorder("=") and got.dtype.isnative
    np.testing.assert_array_equal(got, array)
    got[0, 0, 0] = 1  # a writable array, not a view of read-only bytes


def test_read_idx_one_dimension(tmp_path):
    labels = np.array([3, 1, 4, 1, 5], np.uint8)
    write_idx(tmp_path / "labels", labels)
    np.testing.assert_array_equal(mnist_data.read_idx(tmp_path / "labels"), labels)


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00", b"PK\x03\x04 not idx", b"\x00\x00\x07\x01abcd", b"\x01\x00\x08\x01abcd"],
)
def test_wrong_magic_is_named(tmp_path, content):
    (tmp_path / "bad").write_bytes(content)
    with pytest.raises(DataFileError, match=r"bad: wrong magic number.*not an IDX file"):
        mnist_data.read_idx(tmp_path / "bad")


def test_wrong_magic_shows_the_first_four_bytes(tmp_path):
    (tmp_path / "bad").write_bytes(b"PK\x03\x04 not idx")
    with pytest.raises(DataFileError, match=r"wrong magic number 504b0304; an IDX file"):
        mnist_data.read_idx(tmp_path / "bad")


@pytest.mark.parametrize("change", [-1, +1, -100])
def test_header_inconsistent_with_size(tmp_path, change):
    content = idx_bytes(np.zeros((4, 5, 5), np.uint8))
    content = content[:change] if change < 0 else content + b"\x00" * change
    (tmp_path / "f.idx").write_bytes(content)
    with pytest.raises(DataFileError, match=r"f\.idx: the header says shape \(4, 5, 5\)"):
        mnist_data.read_idx(tmp_path / "f.idx")


def test_truncated_header(tmp_path):
    (tmp_path / "f").write_bytes(b"\x00\x00\x08\x03\x00\x00\x00\x02")
    with pytest.raises(DataFileError, match="truncated header"):
        mnist_data.read_idx(tmp_path / "f")


def test_truncated_gzip(tmp_path):
    raw = gzip.compress(idx_bytes(np.arange(1000, dtype=np.int32)))
    (tmp_path / "f.gz").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(DataFileError, match=r"f\.gz: the gzip data is truncated or corrupt"):
        mnist_data.read_idx(tmp_path / "f.gz")


def test_corrupt_gzip(tmp_path):
    raw = bytearray(gzip.compress(idx_bytes(np.arange(1000, dtype=np.int32))))
    raw[len(raw) // 2] ^= 0xFF  # damages the deflate stream or its CRC
    (tmp_path / "f.gz").write_bytes(bytes(raw))
    with pytest.raises(DataFileError, match="truncated or corrupt"):
        mnist_data.read_idx(tmp_path / "f.gz")


# ----------------------------------------------------------------------------- fetch_file


@pytest.fixture
def small_mirror(tmp_path) -> tuple[Path, str, np.ndarray]:
    """A mirror folder holding one small IDX file 'toy' (as toy.gz); its content's SHA-256."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    array = np.arange(60, dtype=np.uint8).reshape(3, 4, 5)
    content = write_idx(mirror / "toy.gz", array)
    return mirror, mnist_data.sha256_hex(content), array


def test_fetch_from_folder_then_cache(tmp_path, small_mirror):
    mirror, sha, array = small_mirror
    data = tmp_path / "data"
    path = mnist_data.fetch_file("toy", data, sha, [str(mirror)])
    assert path == data / "toy.gz" and sorted(p.name for p in data.iterdir()) == ["toy.gz"]
    np.testing.assert_array_equal(mnist_data.read_verified(path, sha), array)
    (mirror / "toy.gz").unlink()  # a second call must not need the mirror
    assert mnist_data.fetch_file("toy", data, sha, [str(mirror)]) == path


def test_fetch_from_file_url(tmp_path, small_mirror):
    mirror, sha, _ = small_mirror
    path = mnist_data.fetch_file("toy", tmp_path / "d", sha, [mirror.as_uri()])
    assert path.read_bytes() == (mirror / "toy.gz").read_bytes()


def test_uncompressed_cache_is_used(tmp_path, small_mirror):
    _, sha, array = small_mirror
    write_idx(tmp_path / "toy", array, compress=False)
    path = mnist_data.fetch_file("toy", tmp_path, sha, mirrors=[])
    assert path == tmp_path / "toy"
    np.testing.assert_array_equal(mnist_data.read_verified(path, sha), array)


def test_bad_mirror_is_skipped_for_the_next(tmp_path, small_mirror):
    mirror, sha, array = small_mirror
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    write_idx(wrong / "toy.gz", array + 1)  # a valid IDX file, but not the one we want
    path = mnist_data.fetch_file("toy", tmp_path / "d", sha, [str(wrong), str(mirror)])
    np.testing.assert_array_equal(mnist_data.read_idx(path), array)


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
        mnist_data.fetch_file("toy", data, sha, [missing, str(wrong), closed])
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

    monkeypatch.setattr(mnist_data.os, "replace", spy)
    with pytest.raises(OSError, match="disk full"):
        mnist_data.fetch_file("toy", tmp_path / "d", sha, [str(mirror)])
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
    url, (mirror, _, _) = http_mirror
    noise = np.random.default_rng(0).integers(0, 256, 350_000, np.uint8)  # 0.35 MB, as .gz too
    sha = mnist_data.sha256_hex(write_idx(mirror / "noise.gz", noise))
    path = mnist_data.fetch_file("noise", tmp_path, sha, [url], progress=True)
    assert path.read_bytes() == (mirror / "noise.gz").read_bytes()
    megabytes = path.stat().st_size / 1e6
    assert f"downloading noise.gz: {megabytes:.1f} of {megabytes:.1f} MB" in capsys.readouterr().err


def test_quick_download_prints_nothing(tmp_path, http_mirror, capsys):
    url, (_, sha, _) = http_mirror
    mnist_data.fetch_file("toy", tmp_path, sha, [url + "/"])
    assert capsys.readouterr() == ("", "")


def test_http_404_is_reported(tmp_path, http_mirror):
    url, (_, sha, _) = http_mirror
    with pytest.raises(DownloadError, match="404"):
        mnist_data.fetch_file("other", tmp_path, sha, [url])


def test_mnist_mirror_comes_first(monkeypatch):
    monkeypatch.setenv("MNIST_MIRROR", "/somewhere/mnist")
    assert mnist_data.default_mirrors() == ["/somewhere/mnist", *mnist_data.PUBLIC_MIRRORS]
    monkeypatch.delenv("MNIST_MIRROR")
    assert mnist_data.default_mirrors() == list(mnist_data.PUBLIC_MIRRORS)


# ----------------------------------------------------------------------------- bounded reading


def test_fuzzed_idx_files_give_an_array_or_a_clear_error(tmp_path):
    """200 copies of a small file with a few random bytes changed, cut or added."""
    content = idx_bytes(np.arange(120, dtype=np.int16).reshape(2, 3, 20))
    rng = np.random.default_rng(0)
    outcomes = set()
    for i in range(200):
        raw = bytearray(gzip.compress(content) if i % 2 else content)
        for at in rng.integers(0, len(raw), rng.integers(1, 4)):
            raw[at] = rng.integers(0, 256)
        if i % 5 == 0:
            raw = raw[: rng.integers(0, len(raw))]
        elif i % 7 == 0:
            raw += bytes(rng.integers(0, 256, 50, dtype=np.uint8))
        path = tmp_path / f"f{i}"
        path.write_bytes(bytes(raw))
        try:
            array = mnist_data.read_idx(path, max_size=10_000)
            outcomes.add("array")
            assert array.size * array.itemsize + 4 + 4 * array.ndim <= 10_000
        except DataFileError as err:
            outcomes.add("error")
            assert str(err).startswith(f"{path}: ")
    assert outcomes == {"array", "error"}  # the loop did exercise both


def test_content_longer_than_the_header_says_is_refused_when_compressed(tmp_path):
    content = idx_bytes(np.zeros((4, 5), np.uint8))
    (tmp_path / "f.gz").write_bytes(gzip.compress(content + b"\x00" * 1000))
    with pytest.raises(DataFileError, match=r"f\.gz: the gzip data expand to more than the 32 "):
        mnist_data.read_idx(tmp_path / "f.gz")


def test_a_header_claiming_too_much_is_refused_before_reading_on(tmp_path):
    (tmp_path / "f").write_bytes(bytes([0, 0, 8, 2]) + np.array([70000, 70000], ">u4").tobytes())
    with pytest.raises(DataFileError, match=r"f: the header says the file holds 4900000012 bytes"):
        mnist_data.read_idx(tmp_path / "f")
    (tmp_path / "g").write_bytes(idx_bytes(np.zeros((10, 10), np.uint8)))
    with pytest.raises(DataFileError, match=r"g: the header says .* 112 bytes, more than the 100"):
        mnist_data.read_idx(tmp_path / "g", max_size=100)
    assert mnist_data.read_idx(tmp_path / "g", max_size=112).shape == (10, 10)


def test_a_file_larger_than_its_content_can_be_is_not_read(tmp_path):
    (tmp_path / "big").write_bytes(idx_bytes(np.zeros((10, 10), np.uint8)) + b"\x00" * 5000)
    with pytest.raises(DataFileError, match=r"big: the file is larger than the \d+ bytes"):
        mnist_data.read_idx(tmp_path / "big", max_size=112)


def test_multi_member_gzip_is_read_whole(tmp_path):
    content = idx_bytes(np.arange(50, dtype=np.uint8))
    (tmp_path / "f.gz").write_bytes(gzip.compress(content[:20]) + gzip.compress(content[20:]))
    np.testing.assert_array_equal(mnist_data.read_idx(tmp_path / "f.gz"), np.arange(50))
    (tmp_path / "g.gz").write_bytes(gzip.compress(content) + b"junk")
    with pytest.raises(DataFileError, match=r"g\.gz: the gzip data is truncated or corrupt"):
        mnist_data.read_idx(tmp_path / "g.gz")


def gzip_bomb(path: Path, header_shape: tuple[int, ...], gib: float = 3.0) -> None:
    """A gzip file of about 3 MB per 3 GiB: an IDX header, then zeros without end.

    After a full flush deflate starts afresh, so one compressed MiB of zeros can be repeated
    as often as we like; the file is made in a moment and never exists decompressed.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1 << 20)
    header = bytes([0, 0, 8, len(header_shape)]) + np.array(header_shape, ">u4").tobytes()
    with open(path, "wb") as f:
        f.write(compressor.compress(header) + compressor.flush(zlib.Z_FULL_FLUSH))
        block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
        for _ in range(int(gib * 1024)):
            f.write(block)
        f.write(compressor.flush())  # a trailer whose checksum is never reached


BOMB_SCRIPT = """
import resource, sys, time
sys.path.insert(0, {repo!r})
import mnist_data
start = time.monotonic()
try:
    mnist_data.load_mnist({data!r}, mirrors={mirrors!r})
except (mnist_data.DataFileError, mnist_data.DownloadError) as err:
    print(repr(str(err)))
print(time.monotonic() - start)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def run_bomb(data: Path, mirrors: list[str]) -> tuple[str, float, float]:
    """load_mnist in a fresh process: its error message, seconds taken and peak RSS in MB."""
    script = BOMB_SCRIPT.format(repo=str(REPO), data=str(data), mirrors=mirrors)
    env = {k: v for k, v in os.environ.items() if k != "MNIST_MIRROR"}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env
    )
    message, seconds, peak_mb = out.stdout.strip().splitlines()
    return message, float(seconds), float(peak_mb)


def test_gzip_bomb_in_the_data_folder_is_refused_fast_and_small(tmp_path):
    gzip_bomb(tmp_path / "train-images-idx3-ubyte.gz", (60000, 28, 28))
    assert (tmp_path / "train-images-idx3-ubyte.gz").stat().st_size < 4e6
    message, seconds, peak_mb = run_bomb(tmp_path, [])
    assert "train-images-idx3-ubyte.gz: the gzip data expand to more than the 47040016" in message
    assert "Delete the file" in message
    assert seconds < 2 and peak_mb < 300


def test_gzip_bomb_from_a_mirror_is_refused_and_the_next_mirror_tried(tmp_path, serve):
    bombs = tmp_path / "bombs"
    bombs.mkdir()
    gzip_bomb(bombs / "train-images-idx3-ubyte.gz", (60000, 28, 28))
    url = serve(directory=bombs)
    message, seconds, peak_mb = run_bomb(tmp_path / "data", [url, str(bombs)])
    assert f"{url}: {url} train-images-idx3-ubyte.gz: the gzip data expand to more" in message
    assert f"{bombs}: {bombs} train-images-idx3-ubyte.gz: the gzip data expand" in message
    assert seconds < 2 and peak_mb < 300
    assert not (tmp_path / "data" / "train-images-idx3-ubyte.gz").exists()


# ----------------------------------------------------------------------------- bounded downloads


@pytest.fixture
def serve():
    """Start HTTP servers on 127.0.0.1 for one test: files from a folder, or a handler's body."""
    servers = []

    def start(directory: Path | None = None, body=None) -> str:
        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(directory or "/nonexistent"), **kwargs)

            def do_GET(self):
                if body is None:
                    return super().do_GET()
                self.send_response(200)
                self.end_headers()
                with contextlib.suppress(OSError):  # the client gave up, as the tests want
                    body(self.wfile)

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def drip(wfile, seconds: float = 10.0) -> None:
    """A byte every 50 ms, for longer than any test waits: each read succeeds, slowly."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        wfile.write(b"\x1f")
        wfile.flush()
        time.sleep(0.05)


def endless(wfile, seconds: float = 10.0) -> None:
    """Zeros as fast as the client takes them, with no Content-Length."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        wfile.write(bytes(1 << 16))


def test_a_dripping_server_times_out_by_the_deadline(tmp_path, small_mirror, serve):
    mirror, sha, array = small_mirror
    url = serve(body=drip)
    start = time.monotonic()
    path = mnist_data.fetch_file("toy", tmp_path / "d", sha, [url, str(mirror)], deadline=0.5)
    assert time.monotonic() - start < 1.5
    np.testing.assert_array_equal(mnist_data.read_idx(path), array)
    with pytest.raises(DownloadError, match=rf"{url}: {url}/toy\.gz: the download took more "):
        mnist_data.fetch_file("toy", tmp_path / "e", sha, [url], deadline=0.5)


def test_an_endless_response_stops_at_the_byte_cap(tmp_path, small_mirror, serve):
    mirror, sha, array = small_mirror
    url = serve(body=endless)
    content_size = 4 + 4 * 3 + 60
    start = time.monotonic()
    with pytest.raises(DownloadError, match=rf"{url}/toy\.gz: received more than \d+ bytes"):
        mnist_data.fetch_file("toy", tmp_path / "d", sha, [url], size=content_size)
    assert time.monotonic() - start < 2
    path = mnist_data.fetch_file("toy", tmp_path / "d", sha, [url, str(mirror)], size=content_size)
    np.testing.assert_array_equal(mnist_data.read_idx(path), array)


def test_a_declared_length_beyond_the_cap_is_refused_unread(tmp_path, small_mirror, serve):
    mirror, sha, _ = small_mirror
    (mirror / "toy.gz").write_bytes((mirror / "toy.gz").read_bytes() + bytes(5000))
    url = serve(directory=mirror)
    with pytest.raises(DownloadError, match=r"toy\.gz: the server offers 5\d\d\d bytes, more than"):
        mnist_data.fetch_file("toy", tmp_path / "d", sha, [url], size=76)


def test_a_file_of_exactly_the_cap_is_accepted(small_mirror, serve):
    mirror = small_mirror[0]
    raw = (mirror / "toy.gz").read_bytes()
    url = serve(directory=mirror)  # it declares the length, then sends that many bytes
    for source in (url, str(mirror)):
        assert mnist_data._fetch_bytes(source, "toy.gz", False, len(raw), 10.0) == raw
        with pytest.raises(DataFileError, match=r"(more|larger) than"):
            mnist_data._fetch_bytes(source, "toy.gz", False, len(raw) - 1, 10.0)


def test_the_data_folder_is_checked_before_any_download(tmp_path, small_mirror, monkeypatch):
    mirror, sha, _ = small_mirror
    contacted = []
    monkeypatch.setattr(mnist_data, "_fetch_bytes", lambda *args: contacted.append(args))
    (tmp_path / "afile").write_text("not a folder")
    with pytest.raises(NotADirectoryError, match=r"afile is a file, not a folder: pass another"):
        mnist_data.fetch_file("toy", tmp_path / "afile", sha, [str(mirror)])
    with pytest.raises(PermissionError, match=r"cannot write to the data folder .*afile/sub"):
        mnist_data.fetch_file("toy", tmp_path / "afile" / "sub", sha, [str(mirror)])

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "touch", refuse)  # a read-only folder, even for root
    with pytest.raises(PermissionError, match=r"data folder .*ro \(Permission denied\): pass a"):
        mnist_data.fetch_file("toy", tmp_path / "ro", sha, [str(mirror)])
    assert contacted == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders")
def test_a_read_only_data_folder_is_reported(tmp_path, small_mirror):
    mirror, sha, _ = small_mirror
    data = tmp_path / "ro"
    data.mkdir()
    data.chmod(0o555)
    try:
        with pytest.raises(PermissionError, match="cannot write to the data folder"):
            mnist_data.fetch_file("toy", data, sha, [str(mirror)])
    finally:
        data.chmod(0o755)


def test_mnist_sizes_match_the_shapes():
    assert mnist_data.MNIST_SIZES == {
        "train-images-idx3-ubyte": 47040016,
        "train-labels-idx1-ubyte": 60008,
        "t10k-images-idx3-ubyte": 7840016,
        "t10k-labels-idx1-ubyte": 10008,
    }


# ----------------------------------------------------------------------------- real MNIST

README_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
README_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_load_mnist_fetches_verifies_and_caches(tmp_path, mnist_mirror):
    data = tmp_path / "data"
    x_train, y_train, x_test, y_test = mnist_data.load_mnist(data, mirrors=[str(mnist_mirror)])
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
    cached = sorted(p.name for p in data.iterdir())
    assert cached == sorted(f"{n}.gz" for n in mnist_data.MNIST_FILES)
    # The second call reads the cache only: no mirror at all is offered.
    again = mnist_data.load_mnist(data, mirrors=[])
    for a, b in zip(again, (x_train, y_train, x_test, y_test), strict=True):
        np.testing.assert_array_equal(a, b)


def test_load_mnist_reads_uncompressed_files(tmp_path, mnist_mirror, mnist):
    for name in mnist_data.MNIST_FILES:
        (tmp_path / name).write_bytes(gzip.decompress((mnist_mirror / f"{name}.gz").read_bytes()))
    for a, b in zip(mnist_data.load_mnist(tmp_path, mirrors=[]), mnist, strict=True):
        np.testing.assert_array_equal(a, b)


def test_one_changed_byte_in_the_cache_is_an_error(tmp_path, mnist_mirror):
    for name in mnist_data.MNIST_FILES:
        (tmp_path / f"{name}.gz").write_bytes((mnist_mirror / f"{name}.gz").read_bytes())
    target = tmp_path / "t10k-labels-idx1-ubyte.gz"
    content = bytearray(gzip.decompress(target.read_bytes()))
    content[5000] = (content[5000] + 1) % 10  # still a valid label, still a valid IDX file
    target.write_bytes(gzip.compress(bytes(content)))
    with pytest.raises(DataFileError, match=r"t10k-labels-idx1-ubyte\.gz: the content's SHA-256"):
        mnist_data.load_mnist(tmp_path, mirrors=[str(mnist_mirror)])


# ----------------------------------------------------------------------------- its place


def test_mnist_data_imports_nothing_of_the_project():
    assert project_imports("mnist_data") == set()
