"""exercises.py: every check on small inputs made here, and the notebook's exercises through them.

First the notebook: every solution passes its check, every check rejects a wrong answer. Each
exercise in mnist_from_scratch.ipynb is three cells: a code cell tagged "exercise" (the
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

import exercises
import nn_utils as nu
from conftest import REPO, SMALL, bar, blobs, project_imports, ring

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


def notebook_exercises() -> list[dict]:
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


EXERCISES = notebook_exercises()


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
    params = nu.init_params(seed=0)
    return {
        "np": np,
        "nn_utils": nu,
        "exercises": exercises,
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


# ------------------------------------------------------------------ each check on its own


def prefix(message: str) -> str:
    for start in (exercises.NOT_ATTEMPTED, exercises.CORRECT, exercises.NOT_YET):
        if message.startswith(start):
            return start
    raise AssertionError(f"bad message start: {message!r}")


IMAGES = np.random.default_rng(0).integers(0, 3, (4, 6, 6)).astype(np.uint8)
SHARE = float((IMAGES == 0).mean())


@pytest.mark.parametrize(
    ("answer", "start", "words"),
    [
        (None, exercises.NOT_ATTEMPTED, "share"),
        (SHARE, exercises.CORRECT, "background"),
        (np.float32(SHARE), exercises.CORRECT, ""),
        (1 - SHARE, exercises.NOT_YET, "NOT 0"),
        (100 * SHARE, exercises.NOT_YET, "percentage"),
        (1.5, exercises.NOT_YET, "outside [0, 1]"),
        (0.01, exercises.NOT_YET, "Hint"),
        (np.array([SHARE]), exercises.CORRECT, ""),  # a one-element array is one number
        (100 * SHARE + 0.012, exercises.NOT_YET, "outside [0, 1]"),  # not quite a percentage
        ("0.3", exercises.NOT_YET, "one number"),
        (True, exercises.NOT_YET, "one number"),
    ],
)
def test_check_background_share(answer, start, words):
    message = exercises.check_background_share(answer, IMAGES)
    assert prefix(message) == start and words in message


PROBS = np.array([0.7, 0.2, 0.1])


@pytest.mark.parametrize(
    ("answer", "start", "words"),
    [
        (None, exercises.NOT_ATTEMPTED, "class 1"),
        (-np.log(0.2), exercises.CORRECT, ""),
        (-np.log(0.7), exercises.NOT_YET, "most likely class"),
        (np.log(0.2), exercises.NOT_YET, "wrong sign"),
        (-np.log10(0.2), exercises.NOT_YET, "base 10"),
        (0.2, exercises.NOT_YET, "probability itself"),
        (0.2 + 0.0012, exercises.NOT_YET, "Hint"),
        (-np.log(0.2) + 0.0012, exercises.NOT_YET, "Hint"),  # outside the 1e-3 tolerance
        (5.0, exercises.NOT_YET, "Hint"),
        ([1.6], exercises.NOT_YET, "one number"),
    ],
)
def test_check_cross_entropy(answer, start, words):
    message = exercises.check_cross_entropy(answer, PROBS, 1)
    assert prefix(message) == start and words in message


def grad_setup():
    x, y = blobs(10)
    return nu.init_params(SMALL, seed=1, dtype=np.float64), x.astype(np.float64), y


def no_mean(params, cache, y):  # `dZ2 /= n` dropped: every gradient n times too large
    return {k: len(y) * g for k, g in nu.backward(params, cache, y).items()}


def slightly_off(params, cache, y):
    grads = nu.backward(params, cache, y)
    grads["b2"] = grads["b2"] * (1 + 1e-4)
    return grads


def raises(*args):
    raise TypeError("unsupported operand")


@pytest.mark.parametrize(
    ("my_backward", "start", "words"),
    [
        (None, exercises.NOT_ATTEMPTED, "break one line"),
        (nu.backward, exercises.NOT_YET, "isn't broken yet"),
        (no_mean, exercises.CORRECT, "caught your bug"),
        (slightly_off, exercises.NOT_YET, "between 1e-6"),
        (lambda p, c, y: [1, 2], exercises.NOT_YET, "returned list"),
        (lambda p, c, y: {"W1": p["W1"]}, exercises.NOT_YET, "keys"),
        (lambda p, c, y: {k: v[..., :1] for k, v in p.items()}, exercises.NOT_YET, "shape"),
        (lambda p, c, y: {k: v * np.nan for k, v in p.items()}, exercises.NOT_YET, "NaN"),
        (raises, exercises.NOT_YET, "your function raised TypeError: unsupported"),
        ("backward", exercises.NOT_YET, "must be a function"),
    ],
)
def test_check_broken_backward(my_backward, start, words):
    message = exercises.check_broken_backward(my_backward, *grad_setup())
    assert prefix(message) == start and words in message


def test_check_broken_backward_unchanged_copy_near_the_line(monkeypatch):
    # An unchanged copy whose check lands just above 1e-6 (a ReLU kink) is still "not broken".
    real = nu.gradient_check

    def unlucky(*args, **kwargs):
        return max(real(*args, **kwargs), 2e-6)

    monkeypatch.setattr(exercises, "gradient_check", unlucky)  # where the check looks
    message = exercises.check_broken_backward(nu.backward, *grad_setup())
    assert prefix(message) == exercises.NOT_YET and "isn't broken yet" in message
    assert "between 1e-6" in exercises.check_broken_backward(slightly_off, *grad_setup())


def test_check_broken_backward_a_changed_copy_just_past_1e_6_is_broken(monkeypatch):
    real = nu.gradient_check
    monkeypatch.setattr(exercises, "gradient_check", lambda *a, **k: min(real(*a, **k), 1.2e-6))
    message = exercises.check_broken_backward(slightly_off, *grad_setup())
    assert prefix(message) == exercises.NOT_YET and "between 1e-6" in message, message


def test_check_broken_backward_needs_float64():
    params, x, y = grad_setup()
    with pytest.raises(TypeError, match="float64 params and x"):
        exercises.check_broken_backward(no_mean, params, x.astype(np.float32), y)


def momentum(params, grads, velocity, lr, beta):
    for key, g in grads.items():
        velocity[key] *= beta
        velocity[key] += g
        params[key] -= lr * velocity[key]


def momentum_local(params, grads, velocity, lr, beta):
    for key, g in grads.items():
        v = beta * velocity[key] + g
        params[key] -= lr * v


def momentum_uphill(params, grads, velocity, lr, beta):
    for key, g in grads.items():
        velocity[key] = beta * velocity[key] + g
        params[key] += lr * velocity[key]


def momentum_other(params, grads, velocity, lr, beta):
    for key, g in grads.items():
        velocity[key] = beta * velocity[key] - lr * g
        params[key] += velocity[key]


def momentum_old_v(params, grads, velocity, lr, beta):
    for key, g in grads.items():
        params[key] -= lr * velocity[key]
        velocity[key] = beta * velocity[key] + g


def momentum_by_gradient(params, grads, velocity, lr, beta):
    for key, g in grads.items():
        velocity[key] = beta * velocity[key] + g
        params[key] -= lr * g


def momentum_weights_only(params, grads, velocity, lr, beta):
    for key in ("W1", "W2"):
        momentum({key: params[key]}, {key: grads[key]}, velocity, lr, beta)


@pytest.mark.parametrize(
    ("step", "start", "words"),
    [
        (None, exercises.NOT_ATTEMPTED, "momentum_step"),
        (momentum, exercises.CORRECT, "plain SGD"),
        (momentum_local, exercises.NOT_YET, "not updated in place"),
        (momentum_uphill, exercises.NOT_YET, "wrong sign"),
        (momentum_other, exercises.NOT_YET, "other convention"),
        (momentum_old_v, exercises.NOT_YET, "old velocity"),
        (momentum_by_gradient, exercises.NOT_YET, "moved by the gradient"),
        (momentum_weights_only, exercises.NOT_YET, "b1"),
        (lambda *args: None, exercises.NOT_YET, "not updated in place"),
        (raises, exercises.NOT_YET, "your function raised TypeError"),
    ],
)
def test_check_momentum(step, start, words):
    x, y = blobs(300)
    message = exercises.check_momentum(step, x[:200], y[:200], x[200:], y[200:], epochs=1)
    assert prefix(message) == start and words in message


def test_check_momentum_trains_with_the_rates_it_reports():
    seen = set()

    def spy(params, grads, velocity, lr, beta):
        seen.add((lr, beta))
        momentum(params, grads, velocity, lr, beta)

    x, y = blobs(300)
    message = exercises.check_momentum(spy, x[:200], y[:200], x[200:], y[200:], epochs=1)
    assert prefix(message) == exercises.CORRECT, message
    assert seen == {(0.1, 0.9), (0.05, 0.9)}  # the check on small arrays, then the training


def test_the_training_checks_run_2_epochs_as_the_notebook_says():
    x, y = blobs(300)
    data = (x[:200], y[:200], x[200:], y[200:])
    assert "(2 epochs each)" in exercises.check_momentum(momentum, *data)
    assert "(2 epochs each)" in exercises.check_hidden_size(16, *data)


def test_the_checks_train_in_the_order_train_uses():
    x, y = blobs(150)  # batches of 64, 64 and 22
    start = nu.init_params(SMALL, seed=3)
    plain = {key: value.copy() for key, value in start.items()}
    exercises._train_with(lambda p, g: nu.sgd_step(p, g, 0.5), plain, x, y, 2, 3)
    reference, _ = nu.train(
        start, x, y, epochs=2, lr=0.5, schedule="constant", weight_decay=0.0, seed=3
    )
    for key in start:
        np.testing.assert_array_equal(plain[key], reference[key])


@pytest.mark.parametrize(
    ("hidden_size", "start", "words"),
    [
        (None, exercises.NOT_ATTEMPTED, "16 or 256"),
        (np.int64(16), exercises.CORRECT, "16 hidden units"),
        (1, exercises.CORRECT, "1 hidden units"),  # the smallest layer there is
        (64, exercises.NOT_YET, "already uses"),
        (True, exercises.NOT_YET, "whole number"),
        (16.0, exercises.NOT_YET, "whole number"),
        (0, exercises.NOT_YET, "at least 1"),
        (10**6, exercises.NOT_YET, "at most 2048"),
    ],
)
def test_check_hidden_size(hidden_size, start, words):
    x, y = blobs(300)
    message = exercises.check_hidden_size(hidden_size, x[:200], y[:200], x[200:], y[200:], epochs=1)
    assert prefix(message) == start and words in message


Y_TRUE, Y_PRED = [0, 1, 1, 2], [0, 2, 1, 2]
RIGHT = [[1, 0, 0], [0, 1, 1], [0, 0, 1]]


@pytest.mark.parametrize(
    ("answer", "start", "words"),
    [
        (None, exercises.NOT_ATTEMPTED, "3 x 3"),
        (RIGHT, exercises.CORRECT, "3 right answers"),
        (np.array(RIGHT, float), exercises.CORRECT, ""),
        (np.array(RIGHT).T.tolist(), exercises.NOT_YET, "swapped"),
        ([[1, 0], [0, 1]], exercises.NOT_YET, "shape (2, 2)"),
        ([[1, 0], [0, 1]], exercises.NOT_YET, "predicted class, 0..2."),
        ([[1, 0, 0], [0, 1, 1], [0, 0, 2]], exercises.NOT_YET, "add up to 5"),
        ([[1, 0, 0], [0, 2, 0], [0, 0, 1]], exercises.NOT_YET, "cell [1, 1]"),
        ([[1, 0, 0], [0, 1], [0, 0, 1]], exercises.NOT_YET, "different lengths"),
        ([["a"]], exercises.NOT_YET, "numbers"),
    ],
)
def test_check_confusion_by_hand(answer, start, words):
    message = exercises.check_confusion_by_hand(answer, Y_TRUE, Y_PRED)
    assert prefix(message) == start and words in message


def centred_at_13_5(image):  # a learner who centres on the geometric centre also passes
    saved, nu.FIELD_CENTER = nu.FIELD_CENTER, 13.5
    try:
        return nu.prepare_digit(image)
    finally:
        nu.FIELD_CENTER = saved


def not_inverted(image):
    return nu.prepare_digit(image, invert=False)  # the photo's paper ends up white


def no_crop(image):  # scales the whole photo, not the ink's box
    out = np.zeros((28, 28))
    small = nu.resize_area(1 - image / image.max(), (20, 20))
    out[4:24, 4:24] = small
    return out


def off_centre(image):
    return np.roll(nu.prepare_digit(image), 3, axis=1)


@pytest.mark.parametrize(
    ("my_prepare", "start", "words"),
    [
        (None, exercises.NOT_ATTEMPTED, "my_prepare"),
        (nu.prepare_digit, exercises.CORRECT, "all 2 images"),
        (centred_at_13_5, exercises.CORRECT, ""),
        (lambda image: image, exercises.NOT_YET, "(28, 28)"),
        (lambda image: nu.prepare_digit(image) * 255, exercises.NOT_YET, "into [0, 1]"),
        (lambda image: nu.prepare_digit(image) * 1.5, exercises.NOT_YET, "into [0, 1]"),
        (not_inverted, exercises.NOT_YET, "light paper"),  # passes the border test
        (lambda image: np.zeros((28, 28)), exercises.NOT_YET, "no ink"),
        (
            lambda image: np.pad(nu.resize_area(image < 0.5, (10, 6)), ((9, 9), (11, 11))),
            exercises.NOT_YET,
            "box is 8 px",
        ),
        (off_centre, exercises.NOT_YET, "centre of mass"),
        (lambda image: nu.prepare_digit(image).tolist(), exercises.NOT_YET, "returned list"),
        (raises, exercises.NOT_YET, "your function raised TypeError"),
    ],
)
def test_check_prepare(my_prepare, start, words):
    message = exercises.check_prepare(my_prepare, [ring(), bar()])
    assert prefix(message) == start and words in message, message


@pytest.mark.parametrize(("side", "refused"), [(18, True), (19, False), (21, False), (22, True)])
def test_check_prepare_accepts_ink_boxes_of_19_to_21_pixels(side, refused):
    def square(image):
        out = np.zeros((28, 28))
        out[3 : 3 + side, 3 : 3 + side] = 1.0
        return out

    message = exercises.check_prepare(square, [ring()])
    assert prefix(message) == exercises.NOT_YET
    assert (f"box is {side} px on its longer side" in message) == refused, message


def test_check_prepare_compares_with_the_reference():
    flipped = exercises.check_prepare(lambda image: nu.prepare_digit(image)[::-1], [bar()])
    assert prefix(flipped) == exercises.NOT_YET and "correlation" in flipped, flipped
    uncropped = exercises.check_prepare(no_crop, [bar(), ring()])
    assert prefix(uncropped) == exercises.NOT_YET, uncropped


# ----------------------------------------------------------------------------- its place


def test_exercises_import_only_nn_utils_and_no_module_imports_them():
    assert project_imports("exercises") == {"nn_utils"}
    for path in REPO.glob("*.py"):
        assert "exercises" not in project_imports(path.stem), path.name
