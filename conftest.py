"""pytest hooks for every run, the notebook alone included (`pytest mnist_from_scratch.ipynb`):
fill data/ first, and keep the notebook's figures out of eda_images/ while testing."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from mnist_data import DataFileError, DownloadError, load_mnist

REPO = Path(__file__).resolve().parent


def fill_data(folder: Path) -> str | None:
    """Fill ``folder`` with MNIST if it can; None if it did, else why not, in one line.

    Nothing it raises may stop the session: a bad MNIST_MIRROR (an ftp:// address, say) once
    raised a ValueError here and aborted every test, even those that need no MNIST.
    """
    try:
        load_mnist(folder)
    except (DownloadError, DataFileError, OSError, ValueError, TypeError) as err:
        lines = [line.strip() for line in str(err).splitlines() if line.strip()]
        return f"{type(err).__name__}: {' '.join(lines)}"[:400]
    return None


def pytest_sessionstart(session: pytest.Session) -> None:
    """Fill data/ before anything runs, so nbval never sees a download's progress output, and
    send the notebook's figures to a temporary folder, so the tests leave eda_images/ alone.

    Without MNIST_MIRROR or a network, or with a bad MNIST_MIRROR, the first step fails: the
    report's header says why, and the notebook and the tests that need real data then fail
    with load_mnist's own message, which says what to do. The other tests run as usual.
    """
    session.config.mnist_missing = fill_data(REPO / "data")
    # nbval's kernel inherits this environment; the notebook reads FIGURES_DIR.
    session.config.figures_dir = tempfile.mkdtemp(prefix="mnist-figures-")
    os.environ["FIGURES_DIR"] = session.config.figures_dir


def pytest_report_header(config: pytest.Config) -> str | None:
    missing = getattr(config, "mnist_missing", None)
    return f"MNIST is not in data/ ({missing}): tests that need it will fail" if missing else None


def pytest_sessionfinish(session: pytest.Session) -> None:
    if hasattr(session.config, "figures_dir"):
        shutil.rmtree(session.config.figures_dir, ignore_errors=True)
