"""pytest hooks for every run, the notebook alone included (`pytest mnist_from_scratch.ipynb`):
fill data/ first, and keep the notebook's figures out of eda_images/ while testing."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from mnist_data import DataFileError, DownloadError, load_mnist

REPO = Path(__file__).resolve().parent


def pytest_sessionstart(session: pytest.Session) -> None:
    """Fill data/ before anything runs, so nbval never sees a download's progress output, and
    send the notebook's figures to a temporary folder, so the tests leave eda_images/ alone.

    Without MNIST_MIRROR or a network the first step fails quietly; the notebook and the tests
    that need real data then fail with load_mnist's own message, which says what to do.
    """
    with contextlib.suppress(DownloadError, DataFileError):
        load_mnist(REPO / "data")
    # nbval's kernel inherits this environment; the notebook reads FIGURES_DIR.
    session.config.figures_dir = tempfile.mkdtemp(prefix="mnist-figures-")
    os.environ["FIGURES_DIR"] = session.config.figures_dir


def pytest_sessionfinish(session: pytest.Session) -> None:
    if hasattr(session.config, "figures_dir"):
        shutil.rmtree(session.config.figures_dir, ignore_errors=True)
