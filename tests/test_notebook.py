"""The notebook as a reader and a Colab user meet it (nbval re-runs it in place separately).

The Colab test publishes the working tree as a local git repository, copies the .ipynb alone
into an empty folder, points REPO_URL at that repository, and runs it top to bottom: the
notebook must fetch the project itself and write every figure the README names.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import ipykernel.kernelspec
import nbformat
import pytest
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from nbclient import NotebookClient

import nn_utils

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = REPO / "mnist_from_scratch.ipynb"
README = (REPO / "README.md").read_text()
PUBLISHED_URL = "https://github.com/NishqShah/mnist-from-scratch"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def code_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def readme_figures() -> set[str]:
    """Every eda_images/*.png the README links or shows."""
    return set(re.findall(r"eda_images/[\w.-]+\.png", README))


# ----------------------------------------------------------------------------- as committed


def test_committed_notebook_is_one_clean_top_to_bottom_run():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cells = code_cells(nb)
    assert [cell.execution_count for cell in cells] == list(range(1, len(cells) + 1))
    for cell in cells:
        for output in cell.outputs:
            assert output.output_type != "error", cell.source
            assert output.get("name") != "stderr", f"warning or error text in: {cell.source}"


def test_notebook_imports_its_helpers_instead_of_defining_them():
    for cell in code_cells(nbformat.read(NOTEBOOK, as_version=4)):
        assert not re.search(r"^\s*(def|class) ", cell.source, re.MULTILINE), cell.source


def test_repository_url_is_defined_once_and_matches_the_badges():
    source = NOTEBOOK.read_text()
    assert source.count(f'REPO_URL = \\"{PUBLISHED_URL}\\"') == 1
    assert source.count(PUBLISHED_URL) == 1  # nowhere else, so the Colab test can swap it
    badge = "colab.research.google.com/github/NishqShah/mnist-from-scratch/blob/main/"
    assert f"{badge}mnist_from_scratch.ipynb" in README
    assert f"{badge}mnist_from_scratch.ipynb" in source


def test_readme_links_point_at_files_that_exist():
    links = re.findall(r"\]\(((?!https?:|#)[^)\s]+)\)", README)
    assert readme_figures() <= set(links)
    missing = [link for link in links if not (REPO / link).exists()]
    assert not missing, f"README links to missing files: {missing}"


# ----------------------------------------------------------------------------- as in Colab


class ThisInterpreter(KernelSpecManager):
    """Runs notebooks with the Python running the tests, whatever kernels are installed."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return KernelSpec(
            resource_dir=ipykernel.kernelspec.RESOURCES, **ipykernel.kernelspec.get_kernel_dict()
        )


def git(*args: str, cwd: Path) -> str:
    identity = ["-c", "user.name=test", "-c", "user.email=test@example.invalid"]
    done = subprocess.run(["git", *identity, *args], cwd=cwd, check=True, capture_output=True)
    return done.stdout.decode()


def publish_working_tree(destination: Path) -> None:
    """A git repository of the files in the working tree, as GitHub would serve them, but
    without eda_images/*.png, so that every figure found after the run was written by it."""
    listed = git("ls-files", "--cached", "--others", "--exclude-standard", "-z", cwd=REPO)
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file() and not name.startswith("eda_images/"):
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    git("init", "-q", "-b", "main", cwd=destination)
    git("add", "-A", cwd=destination)
    git("commit", "-q", "-m", "published", cwd=destination)


@pytest.fixture(scope="module")
def colab(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("colab")
    published = root / "github" / "mnist-from-scratch"
    published.mkdir(parents=True)
    publish_working_tree(published)
    content = root / "content"  # Colab's working folder: only the notebook is there
    content.mkdir()
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in code_cells(nb):
        cell.source = cell.source.replace(PUBLISHED_URL, published.as_uri())
        cell.outputs = []
    nbformat.write(nb, content / NOTEBOOK.name)
    # Colab downloads MNIST itself; here the mirror (or data/, filled by conftest) stands in.
    mirror = os.environ.get("MNIST_MIRROR") or str(REPO / "data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MNIST_MIRROR", mirror)
        kernel = KernelManager(kernel_name="python3", kernel_spec_manager=ThisInterpreter())
        client = NotebookClient(
            nb, km=kernel, timeout=600, resources={"metadata": {"path": str(content)}}
        )
        client.execute()
    return {"nb": nb, "content": content, "clone": content / "mnist-from-scratch"}


def test_notebook_runs_alone_as_in_colab(colab):
    clone = colab["clone"]
    assert sorted(p.name for p in colab["content"].iterdir()) == [
        "mnist-from-scratch",
        NOTEBOOK.name,
    ]
    assert (clone / "nn_utils.py").is_file()
    errors = [
        cell.source
        for cell in code_cells(colab["nb"])
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert not errors
    fetched = sorted(p.name for p in (clone / "data").glob("*.gz"))
    assert fetched == sorted(f"{name}.gz" for name in nn_utils.MNIST_FILES)


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk, after checking the signature and chunk type."""
    head = path.read_bytes()[:24]
    assert head[:8] == PNG_SIGNATURE and head[12:16] == b"IHDR", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


def test_readme_figures_are_written_as_png(colab):
    figures = colab["clone"] / "eda_images"
    written = {f"eda_images/{p.name}" for p in figures.iterdir()}
    expected = readme_figures()
    assert len(expected) >= 10
    assert written == expected, "the notebook must write exactly the figures the README lists"
    for name in expected:
        width, height = png_size(colab["clone"] / name)
        assert width >= 300 and height >= 200, name
