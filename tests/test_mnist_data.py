"""The IDX parser, the fetcher and load_mnist: small files made here, then the real MNIST."""

from __future__ import annotations

import contextlib
import gzip
import http.server
import importlib.util
import os
import re
import socket
import subprocess
import sys
import threading
import time
import traceback
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


def shown(err: BaseException) -> str:
    """The traceback a user would see for ``err``, chained exceptions included."""
    return "".join(traceback.format_exception(err))


def test_a_failed_save_names_the_target_and_shows_one_traceback(tmp_path, monkeypatch):
    def refuse(src, dst):
        raise PermissionError(13, "Permission denied", str(src), str(dst))

    def fail_too(path, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(mnist_data.os, "replace", refuse)
    monkeypatch.setattr(mnist_data.os, "unlink", fail_too)  # the clean-up fails as well
    target = tmp_path / "params.npz"
    with pytest.raises(PermissionError) as err:
        mnist_data._write_atomically(target, b"data")
    assert str(err.value) == (
        f"[Errno 13] could not write {target} (Permission denied); nothing was written there. "
        "Check that its folder exists and is writable and that the disk has room, or give "
        "another path"
    )
    assert err.value.errno == 13
    assert err.value.__cause__ is None and err.value.__suppress_context__
    text = shown(err.value)
    assert ".part" not in text and "During handling" not in text and "direct cause" not in text
    monkeypatch.undo()  # the clean-up works again: the temporary file goes
    for leftover in tmp_path.iterdir():  # the one the failed clean-up could not remove
        leftover.unlink()
    monkeypatch.setattr(mnist_data.os, "replace", refuse)
    with pytest.raises(PermissionError, match=rf"could not write {target} \(Permission denied"):
        mnist_data._write_atomically(target, b"data")
    assert list(tmp_path.iterdir()) == []


def test_a_save_into_a_missing_folder_or_over_a_folder_names_the_target(tmp_path):
    target = tmp_path / "no" / "such" / "params.npz"
    with pytest.raises(FileNotFoundError, match=rf"^\[Errno 2\] could not write {target} \(No "):
        mnist_data._write_atomically(target, b"data")
    (tmp_path / "adir").mkdir()
    with pytest.raises(IsADirectoryError, match=rf"could not write {tmp_path / 'adir'} \(Is a dir"):
        mnist_data._write_atomically(tmp_path / "adir", b"data")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir"]  # no .part file left


def test_an_interrupted_save_leaves_nothing_and_is_not_reworded(tmp_path, monkeypatch):
    def interrupt(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(mnist_data.os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        mnist_data._write_atomically(tmp_path / "params.npz", b"data")
    assert list(tmp_path.iterdir()) == []


FILL_SCRIPT = """
import sys
sys.path.insert(0, {repo!r})
import mnist_data
print(mnist_data.fetch_file("noise", {data!r}, {sha!r}, [{mirror!r}]))
"""


def test_two_processes_filling_one_empty_folder_agree(tmp_path, small_mirror):
    mirror, _, _ = small_mirror
    noise = np.random.default_rng(1).integers(0, 256, 3_000_000, np.uint8)
    sha = mnist_data.sha256_hex(write_idx(mirror / "noise.gz", noise))
    data = tmp_path / "data"
    script = FILL_SCRIPT.format(repo=str(REPO), data=str(data), sha=sha, mirror=str(mirror))
    runs = [
        subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=60)[0].strip() for run in runs]
    assert [run.returncode for run in runs] == [0, 0]
    assert outputs == [str(data / "noise.gz")] * 2
    assert [p.name for p in data.iterdir()] == ["noise.gz"]  # no temporary file left
    np.testing.assert_array_equal(mnist_data.read_verified(data / "noise.gz", sha), noise)


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


def stored_gzip(data: bytes) -> bytes:
    """``data`` as one gzip member without compression: its size depends on len(data) alone."""
    compressor = zlib.compressobj(0, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize("offset", [-2, -1, 0, 1])
def test_a_member_may_end_on_either_side_of_a_read_step(tmp_path, offset):
    """A first member of 1 MiB + offset bytes: the next one's magic number lies across, just
    after or just before the boundary of _inflate's 1 MiB steps of input."""
    array = (np.arange(1_500_000) % 251).astype(np.uint8)
    content = idx_bytes(array)
    size = (1 << 20) + offset
    cut = next(n for n in range(size - 120, size) if len(stored_gzip(bytes(n))) == size)
    first = stored_gzip(content[:cut])
    (tmp_path / "f.gz").write_bytes(first + gzip.compress(content[cut:]))
    np.testing.assert_array_equal(mnist_data.read_idx(tmp_path / "f.gz"), array)
    (tmp_path / "g.gz").write_bytes(first + b"\x1f")  # a lone byte of a magic number after it
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


# The peak RSS of a script's own process, in kB: Linux's VmHWM. getrusage's ru_maxrss would
# start from the parent's (pytest's, large after a few tests): Linux keeps it through exec.
PEAK = """
def peak():
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except OSError:  # no /proc: the parent's peak may count too
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""

BOMB_SCRIPT = PEAK + """
import sys, time
sys.path.insert(0, {repo!r})
import mnist_data
start = time.monotonic()
try:
    mnist_data.load_mnist({data!r}, mirrors={mirrors!r})
except (mnist_data.DataFileError, mnist_data.DownloadError) as err:
    print(repr(str(err)))
print(time.monotonic() - start)
print(peak() / 1024)
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


PEAK_SCRIPT = PEAK + """
import sys
sys.path.insert(0, {repo!r})
import mnist_data
before = peak()
try:
    {call}
except (mnist_data.DataFileError, mnist_data.DownloadError) as err:
    print(repr(str(err)))
print((peak() - before) / 1024)
"""


def peak_mb(call: str, **names: object) -> tuple[str, float]:
    """Run ``call`` in a fresh process: its error message and how many MB it added to peak RSS."""
    setup = "".join(f"{k} = {v!r}; " for k, v in names.items())
    script = PEAK_SCRIPT.format(repo=str(REPO), call=setup + call)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    message, added = out.stdout.strip().splitlines()
    return message, float(added)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux's VmHWM")
def test_a_bomb_below_the_cap_costs_its_declared_size_once_not_twice(tmp_path):
    """A header that claims 120 MB, then 250 MB of zeros: read_idx keeps one buffer of 120 MB
    (zlib is asked for a MiB at a time, so its output is never a second copy), and fetch_file,
    which only hashes the content, keeps none."""
    gzip_bomb(tmp_path / "x.gz", (120_000_000,), gib=0.25)
    message, added = peak_mb("mnist_data.read_idx(bomb)", bomb=str(tmp_path / "x.gz"))
    assert "x.gz: the gzip data expand to more than the 120000008 bytes" in message
    assert 90 < added < 170, added  # the content buffer, not two of it (~230 MB before)
    call = "mnist_data.fetch_file('x', out, '0' * 64, [mirror], size=120_000_008)"
    message, added = peak_mb(call, out=str(tmp_path / "d"), mirror=str(tmp_path))
    assert "x.gz: the gzip data expand to more than the 120000008 bytes" in message
    assert added < 30, added


# ----------------------------------------------------------------------------- bounded downloads


@pytest.fixture
def serve():
    """Start HTTP servers on 127.0.0.1 for one test: files from a folder, or a handler's body.

    With ``raw``, ``body`` writes the whole response itself, status line and headers included.
    """
    servers = []

    def start(directory: Path | None = None, body=None, raw: bool = False) -> str:
        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(directory or "/nonexistent"), **kwargs)

            def do_GET(self):
                if body is None:
                    return super().do_GET()
                if not raw:
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


HEADERS = b"Content-Type: application/gzip\r\nX-Padding: " + b"." * 500


def slowly(wfile, data: bytes, seconds: float) -> None:
    """Write ``data`` a byte every 0.2 s, for at most ``seconds``."""
    end = time.monotonic() + seconds
    for byte in data:
        if time.monotonic() > end:
            break
        wfile.write(bytes([byte]))
        wfile.flush()
        time.sleep(0.2)


def drip_head(wfile, seconds: float = 8.0) -> None:
    """A status line and headers, one byte every 0.2 s: each read succeeds, the head never ends.

    Stops after ``seconds`` (or when the client hangs up), having sent no body.
    """
    slowly(wfile, b"HTTP/1.1 200 OK\r\n" + HEADERS, seconds)


def drip_headers(wfile, seconds: float = 8.0) -> None:
    """The status line at once, then headers a byte every 0.2 s (http.client takes what came
    when the connection is shut down as all the headers)."""
    wfile.write(b"HTTP/1.1 200 OK\r\n")
    slowly(wfile, HEADERS, seconds)


def silent(wfile, seconds: float = 8.0) -> None:
    """Nothing at all, for ``seconds``: the connection is open, the server says nothing."""
    time.sleep(seconds)


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
    with pytest.raises(DownloadError, match=r"its 0\.5 s deadline \(\d+ bytes received\); stopped"):
        mnist_data.fetch_file("toy", tmp_path / "e", sha, [url], deadline=0.5)


@pytest.fixture
def tcp_server():
    """Start plain TCP servers on 127.0.0.1 for one test; ``talk(conn)`` serves a connection."""
    stops = []

    def start(talk) -> int:
        listener = socket.create_server(("127.0.0.1", 0))
        listener.settimeout(0.1)
        stop = threading.Event()

        def serve_one(conn):
            with conn, contextlib.suppress(OSError):  # the client hung up, as tests want
                talk(conn)

        def accept():
            with listener:
                while not stop.is_set():
                    with contextlib.suppress(TimeoutError):
                        conn, _ = listener.accept()
                        threading.Thread(target=serve_one, args=(conn,), daemon=True).start()

        threading.Thread(target=accept, daemon=True).start()
        stops.append(stop)
        return listener.getsockname()[1]

    yield start
    for stop in stops:
        stop.set()


def drip_tls(conn, seconds: float = 8.0) -> None:
    """Take a TLS ClientHello, then answer with a 16 KiB record that comes a byte every 0.2 s."""
    conn.recv(4096)
    record = b"\x16\x03\x03\x40\x00" + bytes(1 << 14)  # a handshake record, TLS 1.2
    end = time.monotonic() + seconds
    for byte in record:
        if time.monotonic() > end:
            break
        conn.sendall(bytes([byte]))
        time.sleep(0.2)


def head_by_deadline(url: str, tmp_path: Path, sha: str) -> str:
    """fetch_file from ``url`` alone with a 1 s deadline: check it stops then, give the error."""
    start = time.monotonic()
    with pytest.raises(DownloadError) as err:
        mnist_data.fetch_file("toy", tmp_path / "d", sha, [url], deadline=1.0)
    seconds = time.monotonic() - start
    assert 0.95 < seconds < 1.5, seconds
    return str(err.value)


@pytest.mark.parametrize("talker", [drip_head, drip_headers, silent])
def test_the_deadline_covers_the_status_line_and_headers(tmp_path, small_mirror, serve, talker):
    mirror, sha, array = small_mirror
    url = serve(body=talker, raw=True)
    message = head_by_deadline(url, tmp_path, sha)
    assert f"{url}: {url}/toy.gz: the download took more than its 1 s deadline" in message
    assert "(before the response's headers were complete); stopped there" in message
    path = mnist_data.fetch_file("toy", tmp_path / "d", sha, [url, str(mirror)], deadline=0.5)
    np.testing.assert_array_equal(mnist_data.read_idx(path), array)


def test_the_deadline_covers_a_redirect_and_the_next_server(tmp_path, small_mirror, serve):
    _, sha, _ = small_mirror
    slow = serve(body=drip_head, raw=True)

    def redirect(wfile):
        wfile.write(f"HTTP/1.1 302 Found\r\nLocation: {slow}/toy.gz\r\n\r\n".encode())

    url = serve(body=redirect, raw=True)
    message = head_by_deadline(url, tmp_path, sha)
    assert f"{url}: {url}/toy.gz: the download took more than its 1 s deadline" in message


def test_the_deadline_covers_a_dripping_tls_handshake(tmp_path, small_mirror, tcp_server):
    _, sha, _ = small_mirror
    url = f"https://127.0.0.1:{tcp_server(drip_tls)}"
    message = head_by_deadline(url, tmp_path, sha)
    assert f"{url}: {url}/toy.gz: the download took more than its 1 s deadline" in message


def test_a_garbled_response_is_reported_and_the_next_mirror_tried(tmp_path, small_mirror, serve):
    mirror, sha, array = small_mirror
    url = serve(body=lambda wfile: wfile.write(b"SPAM 200 OK\r\n\r\n"), raw=True)
    with pytest.raises(DownloadError, match=rf"{url}: .*SPAM 200 OK"):
        mnist_data.fetch_file("toy", tmp_path / "d", sha, [url])
    path = mnist_data.fetch_file("toy", tmp_path / "d", sha, [url, str(mirror)])
    np.testing.assert_array_equal(mnist_data.read_idx(path), array)


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
    for source in (("url", url), ("folder", mirror)):
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


# ----------------------------------------------------------------------------- path arguments


class PathLikeOnly:
    """An os.PathLike that is not a pathlib.Path, as other libraries hand out."""

    def __init__(self, path):
        self.path = path if isinstance(path, bytes) else str(path)

    def __fspath__(self):
        return self.path


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A fresh home folder for '~', and a fresh working directory apart from it."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    return home


def test_tilde_means_the_home_folder_in_every_path_argument(home, small_mirror):
    mirror, sha, array = small_mirror
    path = mnist_data.fetch_file("toy", "~/d", sha, [str(mirror)])
    assert path == home / "d" / "toy.gz" and path.is_file()
    np.testing.assert_array_equal(mnist_data.read_idx("~/d/toy.gz"), array)
    np.testing.assert_array_equal(mnist_data.read_verified("~/d/toy.gz", sha), array)
    mnist_data._write_atomically("~/saved.bin", b"abc")
    assert (home / "saved.bin").read_bytes() == b"abc"
    assert list(Path.cwd().iterdir()) == []  # no folder named '~' here


def test_load_mnist_expands_the_tilde(home, mnist):
    (home / "mnist").symlink_to(REPO / "data")  # the real files, read where they are
    for a, b in zip(mnist_data.load_mnist("~/mnist", mirrors=[]), mnist, strict=True):
        np.testing.assert_array_equal(a, b)
    assert list(Path.cwd().iterdir()) == []


def test_every_path_argument_takes_any_os_pathlike(tmp_path, small_mirror):
    mirror, sha, array = small_mirror
    path = mnist_data.fetch_file("toy", PathLikeOnly(tmp_path / "d"), sha, [str(mirror)])
    np.testing.assert_array_equal(mnist_data.read_idx(PathLikeOnly(path)), array)
    np.testing.assert_array_equal(mnist_data.read_verified(PathLikeOnly(path), sha), array)
    mnist_data._write_atomically(PathLikeOnly(tmp_path / "saved.bin"), b"abc")
    assert (tmp_path / "saved.bin").read_bytes() == b"abc"


PATH_TAKERS = {
    "read_idx": ("path", lambda p: mnist_data.read_idx(p)),
    "read_verified": ("path", lambda p: mnist_data.read_verified(p, "0" * 64)),
    "fetch_file": ("data_dir", lambda p: mnist_data.fetch_file("toy", p, "0" * 64, [])),
    "load_mnist": ("data_dir", lambda p: mnist_data.load_mnist(p, mirrors=[])),
    "_write_atomically": ("path", lambda p: mnist_data._write_atomically(p, b"")),
}


@pytest.mark.parametrize("function", PATH_TAKERS)
@pytest.mark.parametrize("value", [None, 3, b"data", ["data"], PathLikeOnly(b"data")])
def test_a_path_argument_that_is_not_a_path_is_a_type_error_naming_it(function, value, home):
    argument, call = PATH_TAKERS[function]
    with pytest.raises(TypeError, match=rf"^{argument} must be a path \(a str or os\.PathLike\)"):
        call(value)
    assert list(Path.cwd().iterdir()) == []


@pytest.mark.parametrize("function", PATH_TAKERS)
@pytest.mark.parametrize("value", ["", "da\0ta"])
def test_an_unusable_path_string_is_a_value_error_naming_it(function, value, home):
    argument, call = PATH_TAKERS[function]
    with pytest.raises(ValueError, match=rf"^{argument} .* is not a usable path"):
        call(value)
    assert list(Path.cwd().iterdir()) == []


def test_an_unknown_user_after_the_tilde_is_a_value_error(home):
    with pytest.raises(ValueError, match=r"^data_dir '~nosuchuser9/d': cannot expand '~'"):
        mnist_data.fetch_file("toy", "~nosuchuser9/d", "0" * 64, [])


@pytest.mark.parametrize(
    "name", ["../toy", "sub/toy", "/tmp/toy", "..", ".", "", "sub\\toy", "to\0y"]
)
def test_fetch_file_takes_only_a_plain_file_name(tmp_path, small_mirror, monkeypatch, name):
    mirror, sha, _ = small_mirror
    contacted = []
    monkeypatch.setattr(mnist_data, "_fetch_bytes", lambda *args: contacted.append(args))
    with pytest.raises(ValueError, match=r"^name .* is not a plain file name: .* Pass a name such"):
        mnist_data.fetch_file(name, tmp_path / "d", sha, [str(mirror)])
    assert contacted == [] and not (tmp_path / "d").exists()


@pytest.mark.parametrize("name", [None, b"toy", Path("toy")])
def test_fetch_file_name_must_be_a_str(tmp_path, name):
    with pytest.raises(TypeError, match=r"^name must be a str"):
        mnist_data.fetch_file(name, tmp_path, "0" * 64, [])


def test_names_that_only_look_odd_are_plain(tmp_path, small_mirror):
    mirror, sha, _ = small_mirror
    for name in ("..toy", "toy..", "~toy", "to y"):
        (mirror / f"{name}.gz").write_bytes((mirror / "toy.gz").read_bytes())
        path = mnist_data.fetch_file(name, tmp_path, sha, [str(mirror)])
        assert path == tmp_path / f"{name}.gz"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["..toy.gz", "toy...gz", "~toy.gz", "to y.gz", "mirror"]
    )


# ----------------------------------------------------------------------------- other arguments


@pytest.mark.parametrize("max_size", [0, -1, -(1 << 40)])
def test_max_size_below_one_byte_is_a_value_error(tmp_path, max_size):
    write_idx(tmp_path / "f", np.zeros(3, np.uint8))
    with pytest.raises(ValueError, match=rf"^max_size must be at least 1 byte, got {max_size}"):
        mnist_data.read_idx(tmp_path / "f", max_size=max_size)


@pytest.mark.parametrize("max_size", [100.0, 1.5, "100", True, None])
def test_max_size_that_is_not_an_int_is_a_type_error(tmp_path, max_size):
    write_idx(tmp_path / "f", np.zeros(3, np.uint8))
    with pytest.raises(TypeError, match=r"^max_size must be a whole number of bytes \(an int >= 1"):
        mnist_data.read_idx(tmp_path / "f", max_size=max_size)


def test_max_size_takes_numpy_integers_and_the_least_that_fits(tmp_path):
    write_idx(tmp_path / "f", np.arange(5, dtype=np.uint8), compress=False)  # 13 bytes
    np.testing.assert_array_equal(mnist_data.read_idx(tmp_path / "f", np.int64(13)), np.arange(5))
    with pytest.raises(DataFileError, match="more than the 12 that max_size allows"):
        mnist_data.read_idx(tmp_path / "f", 12)
    write_idx(tmp_path / "one", np.zeros(0, np.uint8), compress=False)  # 8 bytes: no values
    assert mnist_data.read_idx(tmp_path / "one", max_size=8).shape == (0,)


@pytest.mark.parametrize("compress", [True, False])
def test_a_valid_file_over_max_size_is_said_to_exceed_the_limit(tmp_path, compress):
    write_idx(tmp_path / "g", np.zeros((10, 10), np.uint8), compress)  # 112 bytes of content
    with pytest.raises(DataFileError) as err:
        mnist_data.read_idx(tmp_path / "g", max_size=100)
    message = str(err.value)
    assert message.startswith(f"{tmp_path / 'g'}: the header says the file holds 112 bytes, ")
    assert "more than the 100 that max_size allows: the limit was exceeded" in message
    assert "Pass max_size=112 (or more)" in message and "corrupt" not in message


def test_a_file_too_large_to_open_under_max_size_is_said_to_exceed_the_limit(tmp_path):
    write_idx(tmp_path / "big", np.zeros(5000, np.uint8), compress=False)  # 5008 bytes
    with pytest.raises(DataFileError) as err:
        mnist_data.read_idx(tmp_path / "big", max_size=100)
    message = str(err.value)
    assert "the file is larger than the 1125 bytes that max_size=100 allows" in message
    assert "the limit was exceeded. Pass a larger max_size" in message
    assert "corrupt" not in message and "not the file" not in message


@pytest.mark.parametrize("content", ["text", None, [0, 0, 8, 1], np.zeros(9, np.uint8)])
def test_parse_idx_refuses_what_is_not_bytes_naming_its_type(content):
    with pytest.raises(TypeError, match=rf"^content must be .* got {type(content).__name__}, "):
        mnist_data.parse_idx(content)


def test_parse_idx_says_a_str_is_text_and_takes_a_bytearray():
    with pytest.raises(TypeError, match=r"got str, text, not a file's bytes: pass Path\(file\)"):
        mnist_data.parse_idx(idx_bytes(np.arange(3, dtype=np.uint8)).decode("latin-1"))
    content = bytearray(idx_bytes(np.arange(6, dtype=np.int16).reshape(2, 3)))
    np.testing.assert_array_equal(mnist_data.parse_idx(content), np.arange(6).reshape(2, 3))
    with pytest.raises(TypeError, match=r"^source must be a str naming the data, got int"):
        mnist_data.parse_idx(content, 3)


ACCEPTED = r"a folder path, a file:// URL or an http:// or https:// URL"


@pytest.mark.parametrize(
    "mirror",
    ["ftp://example.org/mnist/", "s3://bucket/mnist", "http:/no-host", "https://", "file://host/x"],
)
def test_a_mirror_of_an_unknown_kind_is_refused_naming_the_kinds(tmp_path, mirror, monkeypatch):
    contacted = []
    monkeypatch.setattr(mnist_data, "_fetch_bytes", lambda *args: contacted.append(args))
    with pytest.raises(ValueError, match=rf"^mirrors\[1\] '{mirror}' is not a mirror .*{ACCEPTED}"):
        mnist_data.fetch_file("toy", tmp_path, "0" * 64, [str(tmp_path), mirror])
    with pytest.raises(ValueError, match=rf"^mirrors\[0\] '{mirror}' is not a mirror .*{ACCEPTED}"):
        mnist_data.load_mnist(tmp_path, mirrors=[mirror])
    assert contacted == []


@pytest.mark.parametrize("mirror", [None, 3, b"/folder"])
def test_a_mirror_that_is_not_a_str_is_a_type_error(tmp_path, mirror):
    with pytest.raises(TypeError, match=rf"^mirrors\[0\] must be {ACCEPTED} \(a str or os"):
        mnist_data.fetch_file("toy", tmp_path, "0" * 64, [mirror])


@pytest.mark.parametrize("mirrors", ["/some/folder", Path("/some/folder"), 3])
def test_mirrors_must_be_a_list(tmp_path, mirrors):
    with pytest.raises(TypeError, match=r"^mirrors must be a list of mirrors"):
        mnist_data.fetch_file("toy", tmp_path, "0" * 64, mirrors)


def test_every_kind_of_mirror_is_read(home, small_mirror, tmp_path):
    mirror, sha, array = small_mirror
    (home / "m").symlink_to(mirror)
    kinds = [
        str(mirror),
        PathLikeOnly(mirror),
        "~/m",
        mirror.as_uri(),
        "file://localhost" + str(mirror),
        "FILE://" + str(mirror),
    ]
    for i, kind in enumerate(kinds):
        path = mnist_data.fetch_file("toy", tmp_path / f"d{i}", sha, [kind])
        np.testing.assert_array_equal(mnist_data.read_idx(path), array)
    gen = (m for m in [str(mirror)])  # a one-pass iterable serves all four files of load_mnist
    assert mnist_data._mirrors_arg(gen) == [(str(mirror), ("folder", mirror))]


def test_a_bad_mnist_mirror_is_named_when_it_is_needed(tmp_path, small_mirror, monkeypatch):
    mirror, sha, _ = small_mirror
    monkeypatch.setenv("MNIST_MIRROR", "ftp://example.org/mnist")
    with pytest.raises(ValueError, match=rf"^MNIST_MIRROR 'ftp://example\.org/mnist' .*{ACCEPTED}"):
        mnist_data.default_mirrors()
    with pytest.raises(ValueError, match=r"^MNIST_MIRROR 'ftp://"):
        mnist_data.fetch_file("toy", tmp_path / "d", sha)
    mnist_data.fetch_file("toy", tmp_path / "d", sha, [str(mirror)])
    assert mnist_data.fetch_file("toy", tmp_path / "d", sha) == tmp_path / "d" / "toy.gz"


@pytest.mark.parametrize("deadline", [0, 0.0, -1, float("nan"), float("inf"), -float("inf")])
def test_a_deadline_that_is_not_positive_and_finite_is_a_value_error(tmp_path, deadline):
    with pytest.raises(ValueError, match=r"^deadline must be a finite number of seconds > 0, got"):
        mnist_data.fetch_file("toy", tmp_path, "0" * 64, [], deadline=deadline)
    with pytest.raises(ValueError, match=r"^deadline must be a finite number"):
        mnist_data.load_mnist(tmp_path, mirrors=[], deadline=deadline)


@pytest.mark.parametrize("deadline", ["5", None, True, 1j])
def test_a_deadline_that_is_not_a_number_is_a_type_error(tmp_path, deadline):
    with pytest.raises(TypeError, match=r"^deadline must be a number of seconds, got"):
        mnist_data.fetch_file("toy", tmp_path, "0" * 64, [], deadline=deadline)
    with pytest.raises(TypeError, match=r"^deadline must be a number of seconds, got"):
        mnist_data.load_mnist(tmp_path, mirrors=[], deadline=deadline)


def test_a_deadline_may_be_any_positive_real(tmp_path, small_mirror):
    mirror, sha, _ = small_mirror
    for i, deadline in enumerate([np.float32(0.5), 1, 1e-3]):
        data = tmp_path / f"d{i}"
        assert mnist_data.fetch_file("toy", data, sha, [str(mirror)], deadline=deadline).is_file()


@pytest.mark.parametrize("size", [-5, 0])
def test_size_below_one_byte_is_a_value_error(tmp_path, small_mirror, size):
    mirror, sha, _ = small_mirror
    with pytest.raises(ValueError, match=rf"^size must be at least 1 byte, got {size}"):
        mnist_data.fetch_file("toy", tmp_path, sha, [str(mirror)], size=size)
    with pytest.raises(ValueError, match=rf"^size must be at least 1 byte, got {size}"):
        mnist_data.read_verified(mirror / "toy.gz", sha, size=size)


@pytest.mark.parametrize("size", [76.0, "76", False])
def test_size_that_is_not_an_int_is_a_type_error(tmp_path, small_mirror, size):
    mirror, sha, _ = small_mirror
    with pytest.raises(TypeError, match=r"^size must be a whole number of bytes"):
        mnist_data.fetch_file("toy", tmp_path, sha, [str(mirror)], size=size)
    with pytest.raises(TypeError, match=r"^size must be a whole number of bytes"):
        mnist_data.read_verified(mirror / "toy.gz", sha, size=size)


@pytest.mark.parametrize("sha", ["0" * 63, "0" * 65, "g" * 64, None, b"0" * 64, ""])
def test_a_sha256_that_is_not_64_hex_digits_is_refused(tmp_path, small_mirror, sha):
    mirror, _, _ = small_mirror
    with pytest.raises(ValueError, match=r"^sha256 must be a SHA-256 as 64 hex digits, got"):
        mnist_data.fetch_file("toy", tmp_path, sha, [str(mirror)])
    with pytest.raises(ValueError, match=r"^sha256 must be a SHA-256 as 64 hex digits, got"):
        mnist_data.read_verified(mirror / "toy.gz", sha)


def test_a_sha256_in_capitals_is_the_same_checksum(tmp_path, small_mirror):
    mirror, sha, array = small_mirror
    path = mnist_data.fetch_file("toy", tmp_path, sha.upper(), [str(mirror)])
    np.testing.assert_array_equal(mnist_data.read_verified(path, sha.upper()), array)


@pytest.mark.parametrize("progress", [1, "yes", 0])
def test_progress_is_true_false_or_none(tmp_path, progress):
    with pytest.raises(TypeError, match=r"^progress must be True, False or None"):
        mnist_data.fetch_file("toy", tmp_path, "0" * 64, [], progress=progress)
    with pytest.raises(TypeError, match=r"^progress must be True, False or None"):
        mnist_data.load_mnist(tmp_path, mirrors=[], progress=progress)


# ----------------------------------------------------------------------------- not regular files


@contextlib.contextmanager
def unblocked_after(fifo: Path, seconds: float = 3.0):
    """If a reader still blocks on ``fifo`` after ``seconds``, open and close its other end.

    A test of code that wrongly opens the FIFO then fails (on an empty file's error) instead of
    hanging the test run.
    """
    done = threading.Event()

    def release():
        end = time.monotonic() + seconds + 5
        if done.wait(seconds):
            return
        while not done.is_set() and time.monotonic() < end:
            with contextlib.suppress(OSError):  # ENXIO while nobody reads
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            time.sleep(0.05)

    thread = threading.Thread(target=release, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def test_a_fifo_in_the_data_folder_is_refused_at_once(tmp_path, small_mirror):
    mirror, sha, _ = small_mirror
    fifo = tmp_path / "toy.gz"
    os.mkfifo(fifo)
    message = rf"^{fifo} is a FIFO \(named pipe\), not a regular file, so it is not read\. .*remove"
    start = time.monotonic()
    with unblocked_after(fifo):
        with pytest.raises(DataFileError, match=message):
            mnist_data.fetch_file("toy", tmp_path, sha, [str(mirror)])
        with pytest.raises(DataFileError, match=message):
            mnist_data.read_verified(fifo, sha)
        with pytest.raises(DataFileError, match=message):
            mnist_data.read_idx(fifo)
    assert time.monotonic() - start < 1


def test_a_fifo_in_a_mirror_folder_is_skipped_for_the_next_mirror(tmp_path, small_mirror):
    mirror, sha, array = small_mirror
    fifos = tmp_path / "fifos"
    fifos.mkdir()
    os.mkfifo(fifos / "toy.gz")
    start = time.monotonic()
    with unblocked_after(fifos / "toy.gz"):
        path = mnist_data.fetch_file("toy", tmp_path / "d", sha, [str(fifos), str(mirror)])
        with pytest.raises(DownloadError, match=rf"{fifos}: {fifos / 'toy.gz'} is a FIFO"):
            mnist_data.fetch_file("toy", tmp_path / "e", sha, [fifos.as_uri()])
    assert time.monotonic() - start < 1
    np.testing.assert_array_equal(mnist_data.read_idx(path), array)


def test_folders_devices_and_sockets_are_refused_as_data_files(tmp_path, small_mirror):
    mirror, sha, _ = small_mirror
    (tmp_path / "toy.gz").mkdir()
    with pytest.raises(DataFileError, match=r"toy\.gz is a folder, not a regular file"):
        mnist_data.fetch_file("toy", tmp_path, sha, [str(mirror)])
    with pytest.raises(DataFileError, match=r"toy\.gz is a folder, not a regular file"):
        mnist_data.read_idx(tmp_path / "toy.gz")
    with pytest.raises(DataFileError, match=r"^/dev/zero is a character device, not a regular"):
        mnist_data.read_idx("/dev/zero")  # read whole, it would be a gigabyte of zeros
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "sock"))
        with pytest.raises(DataFileError, match=r"sock is a socket, not a regular file"):
            mnist_data.read_verified(tmp_path / "sock", sha)


def test_a_symlink_to_a_regular_file_is_read(tmp_path, small_mirror):
    mirror, sha, array = small_mirror
    (tmp_path / "toy.gz").symlink_to(mirror / "toy.gz")
    path = mnist_data.fetch_file("toy", tmp_path, sha, [])
    np.testing.assert_array_equal(mnist_data.read_verified(path, sha), array)


def test_a_fifo_swapped_in_after_the_check_is_still_refused(tmp_path, monkeypatch):
    fifo = tmp_path / "f"
    os.mkfifo(fifo)
    regular = os.stat(__file__)  # what the first check sees: a regular file
    real_stat = os.stat

    def stat(path, *args, **kwargs):
        return regular if path == fifo else real_stat(path, *args, **kwargs)

    monkeypatch.setattr(mnist_data.os, "stat", stat)
    start = time.monotonic()
    with unblocked_after(fifo), pytest.raises(DataFileError, match=r"f is a FIFO"):
        mnist_data.read_idx(fifo)
    assert time.monotonic() - start < 1


# ----------------------------------------------------------------------------- exact limits


def padded_gzip(content: bytes, total: int) -> bytes:
    """``content`` gzip-compressed, then an empty gzip member whose file name field pads the
    whole to exactly ``total`` bytes: still a valid gzip file of ``content``."""
    raw = gzip.compress(content, mtime=0)
    empty_member = 10 + 1 + 2 + 8  # header, the name's NUL, an empty deflate block, trailer
    name_length = total - len(raw) - empty_member
    assert name_length >= 0
    header = b"\x1f\x8b\x08\x08" + bytes(4) + b"\x00\xff" + b"n" * name_length + b"\x00"
    pad = header + b"\x03\x00" + bytes(8)  # deflate's empty final block; CRC 0, length 0
    return raw + pad


def test_padded_gzip_is_what_it_says(tmp_path):
    content = idx_bytes(np.arange(60, dtype=np.uint8).reshape(3, 4, 5))
    raw = padded_gzip(content, 1101)
    assert len(raw) == 1101 and gzip.decompress(raw) == content


def test_a_file_of_exactly_the_raw_limit_is_read_and_one_byte_more_is_not(tmp_path):
    """max_size 6400 allows files of 6400 + 6400 // 64 + 1024 = 7524 bytes, no more."""
    content = idx_bytes(np.zeros(6392, np.uint8))  # 6400 bytes
    sha = mnist_data.sha256_hex(content)
    (tmp_path / "exact.gz").write_bytes(padded_gzip(content, 7524))
    (tmp_path / "over.gz").write_bytes(padded_gzip(content, 7525))
    assert mnist_data.read_idx(tmp_path / "exact.gz", max_size=6400).shape == (6392,)
    assert mnist_data.read_verified(tmp_path / "exact.gz", sha, size=6400).shape == (6392,)
    with pytest.raises(DataFileError, match=r"over\.gz: the file is larger than the 7524 bytes th"):
        mnist_data.read_idx(tmp_path / "over.gz", max_size=6400)
    with pytest.raises(DataFileError, match=r"over\.gz: the file is larger than the 7524 bytes it"):
        mnist_data.read_verified(tmp_path / "over.gz", sha, size=6400)
    # An uncompressed file that size passes the same check and is refused by its header.
    (tmp_path / "plain").write_bytes(idx_bytes(np.zeros(7516, np.uint8)))  # 7524 bytes
    with pytest.raises(DataFileError, match=r"plain: the header says the file holds 7524 bytes"):
        mnist_data.read_verified(tmp_path / "plain", "0" * 64, size=6400)


@pytest.mark.parametrize("how", ["folder", "http"])
def test_a_download_of_exactly_the_byte_cap_is_kept(tmp_path, small_mirror, serve, how):
    """For a content of 76 bytes a mirror may send 76 + 1 + 1024 = 1101 bytes, not one more."""
    mirror, sha, array = small_mirror
    content = gzip.decompress((mirror / "toy.gz").read_bytes())
    (mirror / "toy.gz").write_bytes(padded_gzip(content, 1101))
    (mirror / "over.gz").write_bytes(padded_gzip(content, 1102))
    source = str(mirror) if how == "folder" else serve(directory=mirror)
    path = mnist_data.fetch_file("toy", tmp_path / "d", sha, [source], size=76)
    np.testing.assert_array_equal(mnist_data.read_verified(path, sha, size=76), array)
    too_many = r"over\.gz.* 1102 bytes, more than 1101|over\.gz: the file is larger than the 1101"
    with pytest.raises(DownloadError, match=too_many):
        mnist_data.fetch_file("over", tmp_path / "d", sha, [source], size=76)


def test_a_body_without_a_length_may_be_exactly_the_byte_cap(tmp_path, small_mirror, serve):
    mirror, sha, array = small_mirror
    raw = padded_gzip(gzip.decompress((mirror / "toy.gz").read_bytes()), 1101)
    url = serve(body=lambda wfile: wfile.write(raw))  # no Content-Length: counted as it comes
    path = mnist_data.fetch_file("toy", tmp_path / "d", sha, [url], size=76)
    np.testing.assert_array_equal(mnist_data.read_idx(path), array)
    longer = serve(body=lambda wfile: wfile.write(raw + b"\x00"))
    with pytest.raises(DownloadError, match=r"received more than 1101 bytes"):
        mnist_data.fetch_file("toy", tmp_path / "e", sha, [longer], size=76)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux's VmHWM")
def test_a_file_over_the_limit_is_refused_unread(tmp_path):
    with open(tmp_path / "huge", "wb") as f:  # 3 GiB, sparse: no room taken on disk
        f.truncate(3 << 30)
    message, added = peak_mb("mnist_data.read_idx(huge)", huge=str(tmp_path / "huge"))
    assert "huge: the file is larger than the 1090520064 bytes that max_size=1073741824" in message
    assert added < 30, added  # not a GiB read before the refusal


def test_max_size_of_one_byte_is_a_limit_not_an_error_of_the_argument(tmp_path):
    write_idx(tmp_path / "f", np.zeros(3, np.uint8))
    with pytest.raises(DataFileError, match=r"more than the 1 that max_size allows"):
        mnist_data.read_idx(tmp_path / "f", max_size=1)


def test_a_bare_four_byte_header_is_a_header_without_its_data(tmp_path):
    (tmp_path / "f").write_bytes(b"\x00\x00\x08\x00")  # no dimensions: one value, missing
    with pytest.raises(DataFileError, match=r"f: the header says shape \(\) \(5 bytes in all\)"):
        mnist_data.read_idx(tmp_path / "f")


def test_trailing_junk_after_gzip_members_is_counted(tmp_path):
    content = idx_bytes(np.arange(50, dtype=np.uint8))
    (tmp_path / "g.gz").write_bytes(gzip.compress(content) + gzip.compress(b"") + b"junk")
    with pytest.raises(DataFileError, match=r"\(4 bytes of trailing data that are not gzip\)"):
        mnist_data.read_idx(tmp_path / "g.gz")
    (tmp_path / "h.gz").write_bytes(gzip.compress(content) + b"junk" * (1 << 19))  # 2 MiB
    with pytest.raises(DataFileError, match=r"\(2097152 bytes of trailing data that are not gzip"):
        mnist_data.read_idx(tmp_path / "h.gz")


def test_a_download_over_a_second_shows_progress_unasked(tmp_path, small_mirror, serve, capsys):
    mirror, sha, _ = small_mirror
    raw = (mirror / "toy.gz").read_bytes()

    def slow(wfile):
        wfile.write(raw[:10])
        wfile.flush()
        time.sleep(1.2)
        wfile.write(raw[10:])

    mnist_data.fetch_file("toy", tmp_path, sha, [serve(body=slow)])
    assert "downloading toy.gz: 0.0 MB" in capsys.readouterr().err


def project_conftest():
    """The repository's top-level conftest.py (its pytest hooks), loaded under its own name."""
    spec = importlib.util.spec_from_file_location("project_conftest", REPO / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("mirror", "reason"),
    [
        ("ftp://example.org/mnist", r"ValueError: MNIST_MIRROR 'ftp://example\.org/mnist' is not"),
        ("{empty}", r"DownloadError: .* Mirrors tried: .*{empty}"),  # why, not only that
    ],
)
def test_a_bad_mirror_does_not_stop_the_test_session(tmp_path, monkeypatch, mirror, reason):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("MNIST_MIRROR", mirror.format(empty=empty))
    monkeypatch.setattr(mnist_data, "PUBLIC_MIRRORS", ())  # no network in tests
    missing = project_conftest().fill_data(tmp_path / "data")
    assert re.match(reason.format(empty=re.escape(str(empty))), missing), missing
    assert "\n" not in missing  # one line in the report's header
