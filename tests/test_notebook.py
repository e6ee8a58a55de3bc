"""The notebook as a reader meets it on GitHub: committed as one clean run, tidy, linked.

nbval re-runs it in place separately (pyproject.toml); the Colab run is tests/colab_run.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = REPO / "mnist_from_scratch.ipynb"
README = (REPO / "README.md").read_text()
PUBLISHED_URL = "https://github.com/NishqShah/mnist-from-scratch"
# The one PNG in eda_images/ that the notebook does not write: a screenshot of its drawing pad,
# taken by `python tests/test_own_digit.py --screenshot` (tests/colab_run.py knows it too).
SCREENSHOTS = {"eda_images/drawing_pad.png"}


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


def test_committed_notebook_carries_no_execution_timestamps():
    """Command 1 runs nbconvert without recording timings, so a re-run adds no diff noise."""
    for cell in code_cells(nbformat.read(NOTEBOOK, as_version=4)):
        assert "execution" not in cell.metadata, cell.source


def test_notebook_code_lines_fit_a_laptop_screen():
    for cell in code_cells(nbformat.read(NOTEBOOK, as_version=4)):
        long = [line for line in cell.source.splitlines() if len(line) > 88]
        assert not long, f"lines over 88 characters: {long}"


def test_every_heading_starts_its_own_cell():
    for cell in nbformat.read(NOTEBOOK, as_version=4).cells:
        if cell.cell_type != "markdown":
            continue
        fenced = False
        for number, line in enumerate(cell.source.splitlines()):
            fenced ^= line.startswith("```")
            assert fenced or number == 0 or not line.startswith("#"), cell.source


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


# The Colab run (the notebook alone in an empty folder, on Colab's package stack) takes minutes:
# .ci/run does it with tests/colab_run.py. Here, what that script relies on:


def test_readme_lists_at_least_the_figures_the_notebook_saves():
    sources = "\n".join(cell.source for cell in code_cells(nbformat.read(NOTEBOOK, 4)))
    saved = set(re.findall(r'FIG_DIR / "([\w.-]+\.png)"', sources))
    assert len(saved) >= 10
    assert {f"eda_images/{name}" for name in saved} == readme_figures() - SCREENSHOTS
    assert not SCREENSHOTS & {f"eda_images/{name}" for name in saved}


def test_readme_says_the_screenshot_is_one_and_how_to_retake_it():
    assert SCREENSHOTS.issubset(readme_figures())
    assert "screenshot" in README and "python tests/test_own_digit.py --screenshot" in README


def test_committed_figures_are_exactly_the_readme_figures():
    committed = {f"eda_images/{p.name}" for p in (REPO / "eda_images").glob("*.png")}
    assert committed == readme_figures()


def test_benchmark_trains_the_augmentation_the_notebook_chose():
    """tests/benchmark.py reports the final recipe's test accuracy: it must be the notebook's."""
    import benchmark  # tests/ is on sys.path when pytest collects this module

    outputs = [
        "".join(out.get("text", ""))
        for cell in code_cells(nbformat.read(NOTEBOOK, 4))
        for out in cell.outputs
    ]
    chosen = [re.search(r"chosen strength: ([\d.]+)", text) for text in outputs]
    (strength,) = [float(match.group(1)) for match in chosen if match]
    assert strength == benchmark.FINAL_STRENGTH
