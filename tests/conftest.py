"""Shared fixtures: small IDX files made on the spot, and the real MNIST when a test needs it."""

from __future__ import annotations

import ast
import gzip
import shutil
from pathlib import Path

import numpy as np
import pytest

import mnist_data

REPO = Path(__file__).resolve().parent.parent

TYPE_BYTES = {np.dtype(k): v for k, v in (("u1", 8), ("i1", 9), ("i2", 11), ("i4", 12))}
TYPE_BYTES.update({np.dtype("f4"): 13, np.dtype("f8"): 14})


def idx_bytes(array: np.ndarray) -> bytes:
    """The bytes of an IDX file holding ``array`` (the inverse of mnist_data.parse_idx)."""
    header = bytes([0, 0, TYPE_BYTES[array.dtype.newbyteorder("=")], array.ndim])
    dims = np.array(array.shape, ">u4").tobytes()
    return header + dims + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write_idx(path: Path, array: np.ndarray, compress: bool = True) -> bytes:
    """Write ``array`` as an IDX file (gzip-compressed if ``compress``); return its content."""
    content = idx_bytes(array)
    path.write_bytes(gzip.compress(content) if compress else content)
    return content


def blobs(n: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A synthetic, learnable task: 5 classes, each a bright patch in 20 'pixels' in [0, 1]."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 5, n)
    x = rng.uniform(0, 0.3, (n, 20))
    for k in range(5):
        x[y == k, 4 * k : 4 * k + 4] += 0.6
    return x.astype(np.float32), y


def with_value(x: np.ndarray, value: float) -> np.ndarray:
    """A copy of the 2-D ``x`` with one entry, [1, 3], set to ``value`` (NaN, inf, ...)."""
    x = x.copy()
    x[1, 3] = value
    return x


def raw(x: np.ndarray) -> np.ndarray:
    """Pixels in [0, 1] as 0..255 floats, as a learner who skipped preprocess has them."""
    return np.round(x * 255).astype(np.float32)


def project_imports(module: str) -> set[str]:
    """The project's modules (the top-level *.py files) that ``module``.py imports."""
    project = {path.stem for path in REPO.glob("*.py")}
    imported = set()
    for node in ast.walk(ast.parse((REPO / f"{module}.py").read_text())):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    return imported & project


#: A network small enough to check every gradient quickly.
SMALL = (20, 8, 5)


def ring(paper: float = 0.95, ink: float = 0.1) -> np.ndarray:
    """A thick dark ring (a hand-drawn 0) on light paper, 100 x 60, like a photo."""
    r, c = np.mgrid[:100, :60]
    d = ((r - 50) / 40) ** 2 + ((c - 30) / 22) ** 2
    return np.where((d < 1) & (d > 0.55), ink, paper)


def bar() -> np.ndarray:
    """A slanted dark bar (a hand-drawn 1) on light paper, 80 x 70."""
    r, c = np.mgrid[:80, :70]
    return np.where((np.abs(c - 20 - 0.4 * r) < 5) & (r > 5) & (r < 75), 0.0, 1.0)


@pytest.fixture(scope="session")
def mnist() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The real MNIST from the repository's data/ cache (fetched there if need be)."""
    return mnist_data.load_mnist(REPO / "data")


@pytest.fixture(scope="session")
def mnist_mirror(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the four genuine .gz files: $MNIST_MIRROR's, or copied from data/."""
    mnist_data.load_mnist(REPO / "data")  # makes sure data/ has them
    mirror = tmp_path_factory.mktemp("mirror")
    for name in mnist_data.MNIST_FILES:
        source = REPO / "data" / f"{name}.gz"
        if source.exists():
            shutil.copy(source, mirror)
        else:  # an uncompressed cache: compress it for the mirror
            (mirror / f"{name}.gz").write_bytes(gzip.compress((REPO / "data" / name).read_bytes()))
    return mirror
