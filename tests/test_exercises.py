"""The notebook's exercises: every solution passes its check, every check rejects a wrong answer.

Each exercise in mnist_from_scratch.ipynb is three cells: a code cell tagged "exercise" (the
stub the learner edits), the check cell after it, and a markdown cell whose <details> block holds
the solution. These tests run those cells as they stand in the notebook, on small synthetic data
with the names the notebook defines earlier (so they need no MNIST and take seconds).
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

import nn_utils

NOTEBOOK = Path(__file__).resolve().parent.parent / "mnist_from_scratch.ipynb"
CELLS = nbformat.read(NOTEBOOK, as_version=4).cells

# A wrong answer for each exercise, as a learner might write it.
WRONG = {
    1: "background_share = (train_images > 0).mean()",
    2: "loss_by_hand = -np.log(probs_row.max())",
    3: "my_backward = nn_utils.backward",
    4: (
        "def momentum_step(params, grads, velocity, lr, beta):\n"
        "    for key in params:\n"
        "        velocity[key] = beta * velocity[key] + grads[key]\n"
        "        params[key] += lr * velocity[key]\n"
    ),
    5: "hidden_size = 64",
    6: "cm_by_hand = [[2, 0, 0], [0, 2, 1], [0, 1, 2]][::-1]",
    7: "my_prepare = lambda image: nn_utils.resize_area(image, (28, 28)) / 255",
}


def exercises() -> list[dict]:
    """Each exercise's number, stub, check and solution, in the notebook's order."""
    found = []
    for i, cell in enumerate(CELLS):
        if "exercise" not in cell.metadata.get("tags", []):
            continue
        number = int(re.search(r"Exercise (\d+)", cell.source).group(1))
        check = next(c for c in CELLS[i + 1 :] if c.cell_type == "code")
        details = next(c for c in CELLS[i + 1 :] if "<details>" in c.source)
        solution = re.search(r"```python\n(.*?)```", details.source, re.DOTALL).group(1)
        found.append(
            {"number": number, "index": i, "stub": cell.source, "check": check.source,
             "solution": solution}
        )
    return found


EXERCISES = exercises()


def drawn_digit(shape: tuple[int, int], seed: int) -> np.ndarray:
    """A 'photo': a dark ring (a zero) on light paper, in grey levels 0..255."""
    rows, cols = np.indices(shape)
    centre = np.array(shape) * np.random.default_rng(seed).uniform(0.4, 0.6, 2)
    radius = np.hypot((rows - centre[0]) / 0.35, (cols - centre[1]) / 0.25) / min(shape)
    return np.where(np.abs(radius - 0.8) < 0.15, 30.0, 230.0)


@pytest.fixture(scope="module")
def context() -> dict:
    """The names the exercises' cells use, as small synthetic stand-ins for the notebook's."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, 800)
    x = rng.uniform(0, 0.2, (800, 784)).astype(np.float32)
    for k in range(10):  # each class lights its own band of pixels: a learnable task
        x[y == k, 70 * k : 70 * k + 70] += 0.7
    params = nn_utils.init_params(seed=0)
    return {
        "np": np,
        "nn_utils": nn_utils,
        "train_images": np.where(rng.random((50, 28, 28)) < 0.8, 0, 200).astype(np.uint8),
        "params64": {key: value.astype(np.float64) for key, value in params.items()},
        "x64": x[:16].astype(np.float64),
        "y64": y[:16],
        "x_fit": x[:600],
        "y_fit": y[:600],
        "x_val": x[600:],
        "y_val": y[600:],
        "photos": {f"ring {i}": drawn_digit(shape, i) for i, shape in
                   enumerate([(140, 100), (90, 160), (60, 60)])},
    }


def run(context: dict, *sources: str) -> str:
    """Run cell sources one after another in a copy of ``context``; return what they printed."""
    namespace = dict(context)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for source in sources:
            exec(compile(source, "<cell>", "exec"), namespace)
    return out.getvalue()


def test_there_are_at_least_six_exercises_spread_over_the_sections():
    assert [e["number"] for e in EXERCISES] == list(range(1, len(EXERCISES) + 1))
    assert len(EXERCISES) >= 6
    sections = set()
    for exercise in EXERCISES:
        headings = [c.source for c in CELLS[: exercise["index"]] if c.source.startswith("## ")]
        sections.add(headings[-1])
    assert len(sections) >= 5, sections
    assert set(WRONG) == {e["number"] for e in EXERCISES}


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: f"exercise {e['number']}")
def test_the_committed_stub_is_not_attempted(exercise, context):
    printed = run(context, exercise["stub"], exercise["check"])
    assert printed.startswith("Not attempted yet:"), printed


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: f"exercise {e['number']}")
def test_the_solution_passes_its_check(exercise, context):
    printed = run(context, exercise["stub"], exercise["solution"], exercise["check"])
    assert printed.startswith("Correct!"), printed


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: f"exercise {e['number']}")
def test_the_check_rejects_a_wrong_answer(exercise, context):
    printed = run(context, exercise["stub"], WRONG[exercise["number"]], exercise["check"])
    assert printed.startswith("Not yet:"), printed
    assert len(printed) > 40, "a rejection should say what is wrong"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: f"exercise {e['number']}")
def test_no_later_cell_depends_on_an_exercise(exercise):
    tree = ast.parse(exercise["stub"])
    names = {t.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
             for t in node.targets if isinstance(t, ast.Name)}
    assert names
    for cell in CELLS[exercise["index"] + 1 :]:
        if cell.cell_type != "code" or cell.source == exercise["check"]:
            continue
        used = {n for n in names if re.search(rf"\b{n}\b", cell.source)}
        assert not used, f"a later cell uses {used} from exercise {exercise['number']}"
