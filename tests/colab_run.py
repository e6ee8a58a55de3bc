"""Run the notebook as a Colab user meets it, on Colab's package stack: `.ci/run` calls this.

    .venv-colab/bin/python tests/colab_run.py   # Python 3.12, tests/requirements-colab.txt

The working tree is published as a local git repository (without eda_images/*.png, so every
figure found afterwards was written by this run); the .ipynb alone is copied into an empty
folder, its REPO_URL pointed at that repository, and run top to bottom with this interpreter's
kernel. It must clone the project, fetch MNIST through MNIST_MIRROR, pass every assert, and write
exactly the figures the README lists, as PNGs (all but the drawing pad's screenshot, which
tests/test_own_digit.py takes). Outputs are not compared: other library versions
draw and round differently; set COLAB_RUN_SAVE to a path to keep the executed notebook there. Not
a pytest module: a full run takes minutes, and nbval already runs the notebook once in the test
suite.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import ipykernel.kernelspec
import nbformat
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = REPO / "mnist_from_scratch.ipynb"
PUBLISHED_URL = "https://github.com/NishqShah/mnist-from-scratch"
# Listed in the README but not written by the notebook (as in tests/test_notebook.py).
SCREENSHOTS = {"eda_images/drawing_pad.png"}
MNIST_NAMES = [
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
]


class ThisInterpreter(KernelSpecManager):
    """Runs the notebook with the Python running this script, whatever kernels are installed."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return KernelSpec(
            resource_dir=ipykernel.kernelspec.RESOURCES, **ipykernel.kernelspec.get_kernel_dict()
        )


def git(*args: str, cwd: Path) -> str:
    identity = ["-c", "user.name=test", "-c", "user.email=test@example.invalid"]
    done = subprocess.run(["git", *identity, *args], cwd=cwd, check=True, capture_output=True)
    return done.stdout.decode()


def publish_working_tree(destination: Path) -> None:
    """A git repository of the files in the working tree, as GitHub would serve them."""
    listed = git("ls-files", "--cached", "--others", "--exclude-standard", "-z", cwd=REPO)
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file() and not name.startswith("eda_images/"):
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    git("init", "-q", "-b", "main", cwd=destination)
    git("add", "-A", cwd=destination)
    git("commit", "-q", "-m", "published", cwd=destination)


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk, after checking the signature and chunk type."""
    head = path.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise SystemExit(f"{path} is not a PNG")
    return struct.unpack(">II", head[16:24])


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="colab-"))
    try:
        published = root / "github" / "mnist-from-scratch"
        published.mkdir(parents=True)
        publish_working_tree(published)
        content = root / "content"  # Colab's working folder: only the notebook is there
        content.mkdir()
        nb = nbformat.read(NOTEBOOK, as_version=4)
        for cell in nb.cells:
            cell.source = cell.source.replace(PUBLISHED_URL, published.as_uri())
            cell.outputs = []
        nbformat.write(nb, content / NOTEBOOK.name)
        os.environ.pop("FIGURES_DIR", None)  # as in Colab: figures go to eda_images/
        if not os.environ.get("MNIST_MIRROR"):  # Colab downloads MNIST; data/ stands in here
            os.environ["MNIST_MIRROR"] = str(REPO / "data")
        kernel = KernelManager(kernel_name="python3", kernel_spec_manager=ThisInterpreter())
        NotebookClient(
            nb, km=kernel, timeout=900, resources={"metadata": {"path": str(content)}}
        ).execute()  # raises CellExecutionError, naming the cell, if any cell fails
        if os.environ.get("COLAB_RUN_SAVE"):  # keep the executed notebook, e.g. to read its numbers
            nbformat.write(nb, os.environ["COLAB_RUN_SAVE"])

        clone = content / "mnist-from-scratch"
        found = sorted(p.name for p in content.iterdir())
        assert found == sorted([clone.name, NOTEBOOK.name]), found
        fetched = sorted(p.name for p in (clone / "data").glob("*.gz"))
        assert fetched == sorted(f"{name}.gz" for name in MNIST_NAMES), fetched
        readme = (REPO / "README.md").read_text()
        expected = set(re.findall(r"eda_images/[\w.-]+\.png", readme)) - SCREENSHOTS
        written = {f"eda_images/{p.name}" for p in (clone / "eda_images").iterdir()}
        assert written == expected, f"written {sorted(written)}, README lists {sorted(expected)}"
        for name in sorted(expected):
            width, height = png_size(clone / name)
            assert width >= 300 and height >= 200, name
        print(f"Python {sys.version.split()[0]}: the notebook ran alone, cloned the project and "
              f"wrote the {len(expected)} figures the README lists")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
