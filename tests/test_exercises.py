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
import math
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

import exercises
import nn_utils as nu
import own_digit
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
    6: "cm_by_hand = [[2, 0, 1], [0, 2, 0], [0, 1, 2]]",  # the transposed matrix
    7: "my_prepare = lambda image: own_digit.resize_area(image, (28, 28)) / 255",
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
        "own_digit": own_digit,
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
        # A mean over one axis: named by its shape, not dumped into the message.
        ((IMAGES == 0).mean(axis=0), exercises.NOT_YET, "an array of shape (6, 6); an axis="),
        (np.array([SHARE, SHARE]), exercises.NOT_YET, "an array of shape (2,)"),
        ("x" * 500, exercises.NOT_YET, "one number"),
    ],
)
def test_check_background_share(answer, start, words):
    message = exercises.check_background_share(answer, IMAGES)
    assert prefix(message) == start and words in message
    assert len(message) < 200, message


PROBS = np.array([0.7, 0.2, 0.1])


@pytest.mark.parametrize(
    ("answer", "start", "words"),
    [
        (None, exercises.NOT_ATTEMPTED, "class 1"),
        (-np.log(0.2), exercises.CORRECT, ""),
        # probs_row[true_label - 1]: the class before, here also the most likely one.
        (-np.log(0.7), exercises.NOT_YET, "loss of class 0, next to the true class, also the most"),
        (-np.log(0.1), exercises.NOT_YET, "loss of class 2, next to the true class; the loss"),
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
        (
            lambda p, c, y: {k: v.astype(object) for k, v in p.items()},
            exercises.NOT_YET,
            "grads['W1'] holds object, not real numbers",
        ),
        (
            lambda p, c, y: {k: v.astype(complex) for k, v in p.items()},
            exercises.NOT_YET,
            "holds complex128",
        ),
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
    assert "(2 epochs each; chance" in exercises.check_hidden_size(16, *data)


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
        (1, exercises.CORRECT, "1 hidden unit:"),  # the smallest layer there is
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


@pytest.mark.parametrize("hidden_size", [4, 16, 256])
def test_check_hidden_size_answers_its_question(hidden_size):
    # "Which costs more parameters per point of accuracy?": the message says, from its figures.
    x, y = blobs(300)
    message = exercises.check_hidden_size(hidden_size, x[:200], y[:200], x[200:], y[200:], epochs=1)
    per_point = [float(n.replace(",", "")) for n in re.findall(r"([\d,]+) per point", message)]
    assert len(per_point) == 2, message
    costlier = "larger" if (per_point[0] > per_point[1]) == (hidden_size > 64) else "smaller"
    ending = f"Here the {costlier} layer pays more parameters for each point."
    assert message.endswith(ending), message


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
    saved, own_digit.FIELD_CENTER = own_digit.FIELD_CENTER, 13.5
    try:
        return own_digit.prepare_digit(image)
    finally:
        own_digit.FIELD_CENTER = saved


def not_inverted(image):  # every step but the inversion: the photo's paper ends up white
    img = (image - image.min()) / (image.max() - image.min())
    rows, cols = np.flatnonzero((img > 0.2).any(axis=1)), np.flatnonzero((img > 0.2).any(axis=0))
    crop = img[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    scale = 20 / max(crop.shape)
    small = own_digit.resize_area(crop, tuple(max(1, round(n * scale)) for n in crop.shape))
    out = np.zeros((28, 28))
    top, left = (28 - small.shape[0]) // 2, (28 - small.shape[1]) // 2
    out[top : top + small.shape[0], left : left + small.shape[1]] = small
    return out


def no_crop(image):  # scales the whole photo, not the ink's box
    out = np.zeros((28, 28))
    small = own_digit.resize_area(1 - image / image.max(), (20, 20))
    out[4:24, 4:24] = small
    return out


def off_centre(image):
    return np.roll(own_digit.prepare_digit(image), 3, axis=1)


@pytest.mark.parametrize(
    ("my_prepare", "start", "words"),
    [
        (None, exercises.NOT_ATTEMPTED, "my_prepare"),
        (own_digit.prepare_digit, exercises.CORRECT, "all 2 images"),
        (centred_at_13_5, exercises.CORRECT, ""),
        (lambda image: image, exercises.NOT_YET, "(28, 28)"),
        (lambda image: own_digit.prepare_digit(image) * 255, exercises.NOT_YET, "into [0, 1]"),
        (lambda image: own_digit.prepare_digit(image) * 1.5, exercises.NOT_YET, "into [0, 1]"),
        (not_inverted, exercises.NOT_YET, "light paper"),  # passes the border test
        (lambda image: np.zeros((28, 28)), exercises.NOT_YET, "no ink"),
        (
            lambda image: np.pad(own_digit.resize_area(image < 0.5, (10, 6)), ((9, 9), (11, 11))),
            exercises.NOT_YET,
            "box is 8 px",
        ),
        (off_centre, exercises.NOT_YET, "centre of mass"),
        (lambda image: own_digit.prepare_digit(image).tolist(), exercises.NOT_YET, "returned list"),
        (raises, exercises.NOT_YET, "your function raised TypeError"),
    ],
)
def test_check_prepare(my_prepare, start, words):
    message = exercises.check_prepare(my_prepare, [ring(), bar()])
    assert prefix(message) == start and words in message, message


def test_check_prepare_numbers_the_images_from_1():
    def fails_on_the_bar(image):
        return own_digit.prepare_digit(image) if image.shape == ring().shape else np.zeros((28, 28))

    message = exercises.check_prepare(fails_on_the_bar, [ring(), bar()])
    assert message.startswith("Not yet: on image 2, no ink is visible"), message
    message = exercises.check_prepare(raises, [ring()])
    assert message.endswith("(on image 1)"), message


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
    flipped = exercises.check_prepare(lambda image: own_digit.prepare_digit(image)[::-1], [bar()])
    assert prefix(flipped) == exercises.NOT_YET and "correlation" in flipped, flipped
    uncropped = exercises.check_prepare(no_crop, [bar(), ring()])
    assert prefix(uncropped) == exercises.NOT_YET, uncropped


# ----------------------------------------------------- each check's limits, pinned where they are


@pytest.mark.parametrize(
    ("offset", "start", "words"),
    [
        (0.9e-4, exercises.CORRECT, "background"),
        (-0.9e-4, exercises.CORRECT, "background"),
        (1.1e-4, exercises.NOT_YET, "Hint"),
        (-1.1e-4, exercises.NOT_YET, "Hint"),
    ],
)
def test_check_background_share_tolerance(offset, start, words):
    for target in (SHARE, 1 - SHARE):  # the share, and the share of ink (a learner's slip)
        message = exercises.check_background_share(target + offset, IMAGES)
        expected = start if target == SHARE else exercises.NOT_YET
        assert prefix(message) == expected, message
        if target == SHARE:
            assert words in message
        else:
            assert ("NOT 0" in message) == (start == exercises.CORRECT), message


@pytest.mark.parametrize(
    ("images", "answer", "words"),
    [
        # The tolerances are inclusive: exactly 1e-4 (or 1e-2 for a percentage) off still counts.
        (IMAGES + 1, 1e-4, "Correct!"),  # no zero pixels: the share is exactly 0
        (IMAGES + 1, 0.01, "looks like a percentage"),
        (IMAGES * 0, 1e-4, "NOT 0"),  # all zero: the ink's share is exactly 0
    ],
)
def test_check_background_share_tolerances_are_inclusive(images, answer, words):
    assert words in exercises.check_background_share(answer, images)


def test_check_cross_entropy_tolerance_is_inclusive():
    p = 0.999999
    answer = -np.log(p) + 1e-3
    assert abs(answer - -np.log(p)) == 1e-3  # exactly the tolerance, in floats too
    assert prefix(exercises.check_cross_entropy(answer, np.array([p, 1 - p]), 0)) == "Correct!"
    p = 0.999  # the wrong sign, exactly 1e-3 off: still recognised as the wrong sign
    answer = np.log(p) + 1e-3
    assert abs(answer - np.log(p)) == 1e-3
    assert "wrong sign" in exercises.check_cross_entropy(answer, np.array([p, 1 - p]), 0)


@pytest.mark.parametrize(("offset", "percentage"), [(0.009, True), (-0.009, True), (0.011, False)])
def test_check_background_share_recognises_a_percentage(offset, percentage):
    message = exercises.check_background_share(100 * SHARE + offset, IMAGES)
    assert ("looks like a percentage" in message) == percentage, message
    assert prefix(message) == exercises.NOT_YET


@pytest.mark.parametrize(
    ("worst", "my_backward", "words"),
    [
        (0.99e-6, slightly_off, "isn't broken yet"),
        (1e-6, slightly_off, "between 1e-6"),  # "below 1e-6" is unbroken, 1e-6 itself is not
        (1e-3, slightly_off, "between 1e-6"),
        (1.0001e-3, slightly_off, "caught your bug"),
        (1e-3, nu.backward, "isn't broken yet"),  # backward's own gradients, pushed by a kink
        (1.0001e-3, nu.backward, "caught your bug"),
    ],
)
def test_check_broken_backward_thresholds(monkeypatch, worst, my_backward, words):
    real = exercises.gradient_check

    def forced(*args, **kwargs):
        real(*args, **kwargs)  # runs the learner's backward, as the check needs
        return worst

    monkeypatch.setattr(exercises, "gradient_check", forced)
    message = exercises.check_broken_backward(my_backward, *grad_setup())
    assert words in message, message


SHAPE = (3, 2)
RNG = np.random.default_rng(5)
P_OLD, V_OLD, G = (RNG.standard_normal(SHAPE) for _ in range(3))
LR, BETA = 0.1, 0.9
V_NEW = BETA * V_OLD + G


@pytest.mark.parametrize(
    ("p", "v", "words"),
    [
        (P_OLD - LR * V_NEW, V_NEW, None),
        (P_OLD - LR * V_NEW, V_OLD, "velocity['W1'] was not updated in place"),
        (P_OLD + BETA * V_OLD - LR * G, BETA * V_OLD - LR * G, "follows the other convention"),
        (P_OLD + LR * V_NEW, -V_NEW, "velocity['W1'] has the wrong sign"),
        (P_OLD - LR * G, G, "velocity['W1'] is just the gradient"),
        (P_OLD, BETA * V_OLD + (1 - BETA) * G, "averages (1 - beta) g"),
        (P_OLD, V_NEW + 0.5, "velocity['W1'] is not beta * v + g (off by up to 0.5)"),
        (P_OLD, V_NEW, "params['W1'] was not updated in place"),
        (P_OLD + LR * V_NEW, V_NEW, "params['W1'] has the wrong sign"),
        (P_OLD - LR * G, V_NEW, "params['W1'] moved by the gradient"),
        (P_OLD - LR * V_OLD, V_NEW, "params['W1'] used the old velocity"),
        (P_OLD - LR * V_NEW + 0.25, V_NEW, "params['W1'] is not p - lr * v (off by up to 0.25)"),
    ],
)
def test_momentum_mistakes_are_diagnosed(p, v, words):
    mistake = exercises._momentum_mistake("W1", P_OLD, V_OLD, G, p, v, LR, BETA)
    if words is None:
        assert mistake is None
    else:
        assert mistake is not None and words in mistake, mistake


def ema_momentum(params, grads, velocity, lr, beta):
    for key, g in grads.items():
        velocity[key] *= beta
        velocity[key] += (1 - beta) * g
        params[key] -= lr * velocity[key]


def test_check_momentum_names_the_averaging_convention():
    message = exercises.check_momentum(ema_momentum, *FIT_VAL, epochs=1)
    assert "after step 1: velocity['W1'] averages (1 - beta) g" in message, message


def test_check_momentum_plain_sgd_is_train_with_a_constant_rate():
    message = exercises.check_momentum(momentum, *FIT_VAL, epochs=1)
    params, _ = nu.train(
        nu.init_params((20, 64, 10), 0), *FIT_VAL[:2], epochs=1, lr=0.5, schedule="constant",
        weight_decay=0.0,
    )
    plain = nu.accuracy(FIT_VAL[3], nu.predict(params, FIT_VAL[2]))
    assert f"plain SGD: {plain:.2%} (1 epochs each)" in message, message


def test_check_momentum_trains_with_lr_0_05_and_beta_0_9():
    """The contract the message states: lr 0.05, beta 0.9, batches of 64 in train's order."""
    x_fit, y_fit, x_val, y_val = FIT_VAL
    params = nu.init_params((20, 64, 10), 0)
    velocity = {k: np.zeros_like(v) for k, v in params.items()}
    order = np.random.default_rng(0).permutation(len(x_fit))
    for step in range(len(x_fit) // 64):  # full batches only, as train takes them
        batch = order[64 * step : 64 * (step + 1)]
        grads = nu.backward(params, nu.forward(params, x_fit[batch])[1], y_fit[batch])
        momentum(params, grads, velocity, 0.05, 0.9)
    expected = nu.accuracy(y_val, nu.predict(params, x_val))
    message = exercises.check_momentum(momentum, *FIT_VAL, epochs=1)
    assert f"Validation accuracy with momentum: {expected:.2%}," in message, message


def test_param_count():
    assert exercises._param_count((784, 64, 10)) == 784 * 64 + 64 + 64 * 10 + 10 == 50_890
    assert exercises._param_count((2, 3, 5)) == 6 + 3 + 15 + 5
    params = nu.init_params((20, 16, 10))
    assert exercises._param_count((20, 16, 10)) == sum(p.size for p in params.values()) == 506


def test_check_hidden_size_reports_parameter_counts():
    message = exercises.check_hidden_size(16, *FIT_VAL, epochs=1)
    assert "with 506 parameters, " in message and "with 1,994 parameters" in message


@pytest.mark.parametrize(
    ("hidden_size", "words"),
    [
        (2048, "Correct! 2048 hidden units"),
        (2049, "Not yet: 2049 units would train for a long time here; pick at most 2048"),
        (1, "Correct! 1 hidden unit"),
        (0, "Not yet: a layer needs at least 1 unit, got 0"),
    ],
)
def test_check_hidden_size_limits(hidden_size, words):
    message = exercises.check_hidden_size(hidden_size, *FIT_VAL, epochs=1)
    assert message.startswith(words), message


def test_exercise_6_tells_a_transposed_answer_apart(context):
    # With a symmetric matrix a learner who swaps rows and columns would be told "Correct!".
    exercise = next(e for e in EXERCISES if e["number"] == 6)
    namespace = dict(context)
    exec(compile(exercise["stub"], "<cell>", "exec"), namespace)
    y_true, y_pred = namespace["y_true_small"], namespace["y_pred_small"]
    cm = nu.confusion_matrix(np.array(y_true), np.array(y_pred), 3)
    assert not np.array_equal(cm, cm.T)
    message = exercises.check_confusion_by_hand(cm.T.tolist(), y_true, y_pred)
    assert message.startswith("Not yet: rows and columns are swapped"), message


def test_check_confusion_by_hand_names_the_classes():
    message = exercises.check_confusion_by_hand([[1, 0], [0, 1]], Y_TRUE, Y_PRED)
    assert "one column per predicted class, 0..2." in message, message


def digit_block(top: int, left: int, height: int = 20, width: int = 20) -> np.ndarray:
    out = np.zeros((28, 28))
    out[top : top + height, left : left + width] = 1
    return out


@pytest.mark.parametrize(
    ("out", "words"),
    [
        (digit_block(4, 4), None),
        # A frame just inside the 2-pixel border: not the border, but a 24 px box.
        (digit_block(2, 2, 24, 24) - digit_block(3, 3, 22, 22), "bounding box is 24 px"),
        # Ink along the edge of a digit that is not centred: the centring is named, not paper.
        (digit_block(1, 4, 21, 20), "centre of mass is at (11.0, 13.5)"),
        # Centred (14.4) and 21 px, but a bar of ink along row 1, inside the border.
        (digit_block(1, 4, 1, 20) + digit_block(10, 4, 12, 20), "ink reaches the 2-pixel border"),
        (1 - digit_block(4, 4), "the background is light"),
        (digit_block(4, 4) + np.pad(np.zeros((24, 24)), 2, constant_values=0.6), "is light"),
        # A border exactly half light already counts as light paper, not as grey.
        (digit_block(4, 4) + np.pad(np.zeros((24, 24)), 2, constant_values=0.5), "is light"),
        (digit_block(4, 4) + np.pad(np.full((24, 24), 0.0), 2, constant_values=0.049), None),
        (digit_block(4, 4) + np.pad(np.full((24, 24), 0.0), 2, constant_values=0.051), "grey"),
        # Grey paper all round, also when the digit is not centred: the paper is named first.
        (digit_block(2, 4) + np.pad(np.zeros((24, 24)), 2, constant_values=0.2), "grey"),
        # The ink's box: 19 to 21 px; a pixel at 0.05 is not ink, one above it is.
        (digit_block(4, 4, 19, 19), None),
        (digit_block(4, 4, 21, 21), None),
        (digit_block(4, 4, 18, 18), "bounding box is 18 px"),
        (digit_block(4, 4, 22, 22), "bounding box is 22 px"),
        (digit_block(4, 4) + 0.05 * digit_block(25, 10, 1, 1), None),
        (digit_block(4, 4) + 0.06 * digit_block(25, 10, 1, 1), "bounding box is 22 px"),
        # The centre of mass: within 1.5 px of (14, 14), plus 1e-4 for float32 rounding.
        (digit_block(6, 4), None),  # 15.5: exactly 1.5 px off
        (digit_block(3, 4), None),  # 12.5
        # Mass 2m at row 26 moves the centre from 15.5 by 2m * 10.5 / 400: by 0.00009, 0.00012.
        (digit_block(6, 4) + 0.0017 * digit_block(26, 13, 1, 2), None),
        (digit_block(6, 4) + 0.0023 * digit_block(26, 13, 1, 2), "centre of mass"),
        (digit_block(4, 7, 20, 19), "centre of mass is at (13.5, 16.0)"),
    ],
)
def test_prepare_mistake_limits(out, words):
    mistake = exercises._prepare_mistake(out, out)  # its own reference: correlation 1
    if words is None:
        assert mistake is None, mistake
    else:
        assert mistake is not None and words in mistake, mistake


# ------------------------------------------------ the checks judge the learner, and only them

PARAMS64, X64, Y64 = grad_setup()
X, Y = blobs(300)
FIT_VAL = (X[:200], Y[:200], X[200:], Y[200:])


def with_nan(x):
    x = x.copy()
    x.flat[3] = np.nan
    return x


@pytest.mark.parametrize("answer_given", [True, False])
@pytest.mark.parametrize(
    ("check", "error", "match"),
    [
        (lambda a: exercises.check_background_share(a, None), TypeError, "images must be a non"),
        (
            lambda a: exercises.check_background_share(a, with_nan(IMAGES.astype(float))),
            ValueError,
            "images holds NaN",
        ),
        (
            lambda a: exercises.check_background_share(a, IMAGES[:0]),
            TypeError,
            r"shape \(0, 6, 6\)",
        ),
        # Probabilities that are not probabilities: not an answer the learner can match.
        (
            lambda a: exercises.check_cross_entropy(a, np.array([0.5, 0.2, 0.1]), 1),
            ValueError,
            r"probs must be \(k,\) positive probabilities summing to 1, .* sum 0\.8",
        ),
        (
            lambda a: exercises.check_cross_entropy(a, np.array([0.5, np.nan, 0.5]), 1),
            ValueError,
            "probs holds NaN",
        ),
        (
            lambda a: exercises.check_cross_entropy(a, np.array([1.0, 0.0]), 1),
            ValueError,
            "positive probabilities",
        ),
        (
            lambda a: exercises.check_cross_entropy(a, PROBS, 3),
            ValueError,
            r"label must lie in 0\.\.2",
        ),
        (lambda a: exercises.check_cross_entropy(a, PROBS, -1), ValueError, "need label >= 0"),
        (
            lambda a: exercises.check_cross_entropy(a, PROBS, True),
            TypeError,
            "label must be an int",
        ),
        (lambda a: exercises.check_cross_entropy(a, [0.7, 0.3], 0), TypeError, "got list"),
        (
            lambda a: exercises.check_broken_backward(a and no_mean, PARAMS64, with_nan(X64), Y64),
            ValueError,
            "x holds 1 NaN",
        ),
        (
            lambda a: exercises.check_broken_backward(a and no_mean, None, X64, Y64),
            TypeError,
            "expected the dict",
        ),
        (
            lambda a: exercises.check_broken_backward(a and no_mean, PARAMS64, X64, None),
            ValueError,
            r"labels must have shape \(10,\)",
        ),
        (
            lambda a: exercises.check_momentum(a and momentum, *FIT_VAL, epochs=-1),
            ValueError,
            "need epochs >= 1, got -1",
        ),
        (
            lambda a: exercises.check_momentum(a and momentum, None, *FIT_VAL[1:]),
            ValueError,
            r"the fit data: x must be an array of shape \(n, 784\), got NoneType",
        ),
        (
            lambda a: exercises.check_momentum(
                a and momentum, *FIT_VAL[:2], with_nan(X[200:]), Y[200:]
            ),
            ValueError,
            "the validation data: x holds 1 NaN",
        ),
        (
            lambda a: exercises.check_momentum(a and momentum, X[:200], Y[:200] + 10, *FIT_VAL[2:]),
            ValueError,
            r"the fit data: labels must lie in 0\.\.9, got values from 10 to 14",
        ),
        (
            lambda a: exercises.check_hidden_size(a and 16, *FIT_VAL, epochs=0),
            ValueError,
            "need epochs >= 1, got 0",
        ),
        (
            lambda a: exercises.check_hidden_size(a and 16, X[:200], Y[:200] * 1.0, *FIT_VAL[2:]),
            TypeError,
            "the fit data: labels must be integers",
        ),
        (
            lambda a: exercises.check_hidden_size(a and 16, *FIT_VAL, seed=-1),
            ValueError,
            "need seed >= 0",
        ),
        (
            lambda a: exercises.check_confusion_by_hand(a and RIGHT, None, Y_PRED),
            ValueError,
            "y_true must be a non-empty list of labels, got array",
        ),
        (
            lambda a: exercises.check_confusion_by_hand(a and RIGHT, Y_TRUE, Y_PRED[:3]),
            ValueError,
            "y_true has 4 labels but y_pred 3",
        ),
        (
            lambda a: exercises.check_confusion_by_hand(a and RIGHT, Y_TRUE, [0, -1, 1, 2]),
            ValueError,
            "y_pred holds a negative label, -1",
        ),
        (lambda a: exercises.check_confusion_by_hand(a and RIGHT, [], []), ValueError, "non-empty"),
        (
            lambda a: exercises.check_confusion_by_hand(a and RIGHT, [0.0, 1.0, 1.0, 2.0], Y_PRED),
            TypeError,
            "y_true must hold integer labels, got dtype float64",
        ),
        (
            lambda a: exercises.check_prepare(a and own_digit.prepare_digit, []),
            ValueError,
            "non-empty list",
        ),
        (
            lambda a: exercises.check_prepare(a and own_digit.prepare_digit, [None]),
            TypeError,
            "NumPy array",
        ),
        (
            lambda a: exercises.check_prepare(a and own_digit.prepare_digit, [np.full((9, 9), 7)]),
            ValueError,
            "the image is flat",
        ),
    ],
)
def test_bad_notebook_data_is_not_blamed_on_the_learner(check, error, match, answer_given):
    with pytest.raises(error, match=match) as err:
        check(answer_given or None)  # the data are checked first, whatever the answer
    assert "bad data by the notebook, not by your answer" in str(err.value)
    assert "Re-run the notebook's cells" in str(err.value)


def test_the_notebooks_own_probabilities_are_accepted():
    probs = np.array([0.1, 0.6, 0.2, 0.1])  # the notebook's probs_row: sums to 1 + 2e-16
    assert prefix(exercises.check_cross_entropy(-np.log(0.2), probs, np.int64(2))) == "Correct!"
    assert prefix(exercises.check_cross_entropy(0.5, probs + 5e-7 / 4, 2)) == "Not yet:"
    with pytest.raises(ValueError, match="summing to 1"):  # 1e-6 is the tolerance
        exercises.check_cross_entropy(0.5, probs + 1.2e-6 / 4, 2)


class CheckBug(Exception):
    pass


def check_bug(*args, **kwargs):
    raise CheckBug("the check's own code failed")


@pytest.mark.parametrize(
    ("name", "call"),
    [
        ("gradient_check", lambda: exercises.check_broken_backward(no_mean, *grad_setup())),
        ("accuracy", lambda: exercises.check_momentum(momentum, *FIT_VAL, epochs=1)),
        ("_sgd_step", lambda: exercises.check_momentum(momentum, *FIT_VAL, epochs=1)),
        ("train", lambda: exercises.check_hidden_size(16, *FIT_VAL, epochs=1)),
        ("_best_correlation", lambda: exercises.check_prepare(own_digit.prepare_digit, [ring()])),
    ],
)
def test_an_error_in_the_checks_own_code_is_not_blamed_on_the_learner(monkeypatch, name, call):
    monkeypatch.setattr(exercises, name, check_bug)
    with pytest.raises(CheckBug):
        call()


def raises_value_error(*args):
    raise ValueError("x must be an array of shape (n, 784)")  # looks like a check's message


@pytest.mark.parametrize(
    "call",
    [
        lambda f: exercises.check_broken_backward(f, *grad_setup()),
        lambda f: exercises.check_momentum(f, *FIT_VAL, epochs=1),
        lambda f: exercises.check_prepare(f, [ring()]),
    ],
)
def test_an_error_in_the_learners_code_is_theirs(call):
    message = call(raises_value_error)
    assert message.startswith("Not yet: your function raised ValueError: x must be an array"), (
        message
    )


def momentum_once_right(params, grads, velocity, lr, beta):
    """Right on the check's small float64 arrays, a sign error on the network's float32 ones."""
    for key, g in grads.items():
        velocity[key] = beta * velocity[key] + g
        if params[key].dtype == np.float64:
            params[key] -= lr * velocity[key]
        else:
            params[key] += lr * velocity[key]


@pytest.mark.parametrize("step", [momentum_once_right, momentum_uphill])
def test_check_momentum_reports_a_run_that_diverges(monkeypatch, step):
    if step is momentum_uphill:  # caught on the small arrays first; without that check:
        assert "wrong sign" in exercises.check_momentum(step, *FIT_VAL, epochs=1)
        monkeypatch.setattr(exercises, "_verify_momentum", lambda step: None)
    message = exercises.check_momentum(step, *FIT_VAL, epochs=2)
    assert message.startswith("Not yet: your step gives the right numbers on small float64"), (
        message
    )
    assert re.search(r"diverged: the mean loss over the second half of epoch 2 was \d", message)


def scripted_losses(monkeypatch, *losses):
    """Make _train_with see these batch losses, in order (4 batches of 64 per epoch)."""
    script = iter(losses)
    monkeypatch.setattr(exercises, "_cross_entropy", lambda probs, y: next(script))
    x, y = np.zeros((256, 20), np.float32), np.zeros(256, int)
    return lambda epochs: exercises._train_with(
        lambda p, g: None, nu.init_params((20, 4, 10)), x, y, epochs, 0
    )


@pytest.mark.parametrize(
    ("losses", "epochs", "diverged"),
    [
        ((2.0, 3.0, 3.0, 1.0), 1, None),  # a bad stretch, then settled: second half 2.0
        ((2.0, 1.0, 2.5, 2.5), 1, None),  # below 1.1 ln 10 = 2.533: guessing's wobble
        ((2.0, 1.0, 2.6, 2.6), 1, "epoch 1 was 2.6, more than 0.23 above 2.303 (the first"),
        ((3.0, 1.0, 3.0, 3.0), 1, None),  # back to where it began is not above it
        ((3.0, 1.0, 3.2, 3.2), 1, None),  # nor is a climb within 0.1 ln 10 = 0.23
        ((3.0, 1.0, 3.3, 3.32), 1, "epoch 1 was 3.31, more than 0.23 above 3 (the first"),
        ((2.0, 2.0, 2.0, 2.0, 5.0, 1.0, 2.6, 2.6), 2, "epoch 2 was 2.6, more than 0.23 above"),
        ((2.0, math.inf), 1, "the loss became inf at epoch 1, step 2"),
    ],
)
def test_train_with_reports_divergence_as_train_does(monkeypatch, losses, epochs, diverged):
    run = scripted_losses(monkeypatch, *losses)
    if diverged is None:
        run(epochs)  # raises nothing
    else:
        with pytest.raises(exercises._Diverged, match=re.escape(diverged)):
            run(epochs)


def momentum_to_nan(params, grads, velocity, lr, beta):
    momentum_once_right(params, grads, velocity, lr, beta)
    if params["W1"].dtype == np.float32:
        params["b2"][:] = np.nan


def test_check_momentum_reports_a_loss_that_stops_being_finite():
    message = exercises.check_momentum(momentum_to_nan, *FIT_VAL, epochs=1)
    assert "diverged: the loss became nan at epoch 1, step 2" in message, message


@pytest.mark.parametrize(
    ("hidden_size", "words"), [(1, "1 hidden unit (41 "), (2, "2 hidden units (72 ")]
)
def test_check_hidden_size_speaks_of_one_unit_or_more(monkeypatch, hidden_size, words):
    real = exercises.train

    def narrow_fails(params, *args, **kwargs):
        if params["W1"].shape[1] != 64:
            raise FloatingPointError("training diverged")
        return real(params, *args, **kwargs)

    monkeypatch.setattr(exercises, "train", narrow_fails)
    message = exercises.check_hidden_size(hidden_size, *FIT_VAL, epochs=1)
    assert message.startswith(f"Correct! {words}parameters) could not learn"), message
    number = "1 number, too few" if hidden_size == 1 else f"{hidden_size} numbers, too few"
    assert number in message, message


def test_check_hidden_size_explains_a_layer_too_narrow_to_learn(context):
    data = [context[k] for k in ("x_fit", "y_fit", "x_val", "y_val")]
    message = exercises.check_hidden_size(1, *data, epochs=2)
    assert message.startswith(
        "Correct! 1 hidden unit: validation accuracy 9.00% with 805 parameters, no better than "
        "chance; 64 units: 100.00% with 50,890"
    ), message
    assert message.endswith("1 hidden unit buys no point above chance here, at any price."), (
        message
    )


def test_check_hidden_size_when_only_the_64_unit_layer_is_at_chance(monkeypatch, context):
    data = [context[k] for k in ("x_fit", "y_fit", "x_val", "y_val")]
    scores = iter([0.5, 0.05])  # the learner's 16 units, then the 64
    monkeypatch.setattr(exercises, "accuracy", lambda y, p: next(scores))
    message = exercises.check_hidden_size(16, *data, epochs=1)
    assert message.endswith("Here 64 units do not beat chance yet, and yours do."), message


# ----------------------------------------------------------------------------- its place


def test_exercises_import_only_nn_utils_and_no_module_imports_them():
    assert project_imports("exercises") == {"nn_utils", "own_digit"}
    for path in REPO.glob("*.py"):
        assert "exercises" not in project_imports(path.stem), path.name


# ---------------------------------------------- what a bad-input attack found in the checks


def test_hidden_size_reports_accuracies_at_chance_without_dividing_by_zero():
    x, y = blobs(300)
    flipped = (y[200:] + 1) % 5  # validation labels no network can get right
    message = exercises.check_hidden_size(16, x[:200], y[:200], x[200:], flipped, epochs=1)
    assert prefix(message) == exercises.CORRECT, message
    assert message.count("no better than chance") == 2, message
    assert message.endswith("Neither beats chance yet, so neither buys a point: train longer.")


def diverging_at(width, monkeypatch):
    real = exercises.train

    def train(params, *args, **kwargs):
        if params["W1"].shape[1] == width:
            raise FloatingPointError("the loss ended epoch 1 above where it began")
        return real(params, *args, **kwargs)

    monkeypatch.setattr(exercises, "train", train)


def test_hidden_size_does_not_call_a_wide_layer_too_narrow(monkeypatch):
    diverging_at(256, monkeypatch)
    x, y = blobs(300)
    message = exercises.check_hidden_size(256, x[:200], y[:200], x[200:], y[200:], epochs=1)
    assert "could not learn here" in message and "steps through this many units" in message
    assert "too few" not in message, message


def test_hidden_size_blames_the_notebook_for_its_own_networks_failures(monkeypatch):
    x, y = blobs(300)
    with pytest.raises(ValueError, match=r"bad data by the notebook.*fewer than one batch of 64"):
        exercises.check_hidden_size(16, x[:50], y[:50], x[200:], y[200:])
    diverging_at(64, monkeypatch)
    with pytest.raises(ValueError, match=r"bad data by the notebook.*784-64-10 network diverged"):
        exercises.check_hidden_size(16, x[:200], y[:200], x[200:], y[200:], epochs=1)


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ([[1.0000001, 0, 0], [0, 1, 1], [0, 0, 1]], "a whole number"),
        ([[1, 0, 0], [0, 1, 1], [0, 0, np.nan]], "a whole number"),
    ],
)
def test_confusion_counts_are_whole_numbers(answer, words):
    message = exercises.check_confusion_by_hand(answer, Y_TRUE, Y_PRED)
    assert prefix(message) == exercises.NOT_YET and words in message, message


class Unreadable:
    def __array__(self, *args, **kwargs):
        raise RuntimeError("no")

    def __repr__(self):
        raise RuntimeError("no")


def test_a_learners_unreadable_object_is_a_wrong_answer_not_a_crash():
    message = exercises.check_confusion_by_hand(Unreadable(), Y_TRUE, Y_PRED)
    assert message.startswith("Not yet: the answer could not be read"), message
    message = exercises.check_background_share(Unreadable(), IMAGES)
    assert message.startswith("Not yet: the answer should be one number"), message


@pytest.mark.parametrize(
    ("y_true", "match"),
    [([[0], [1, 2], [2], [1]], "must be a flat list"), ([0, 1, 10**6, 2], "label 1000000")],
)
def test_confusion_check_refuses_the_notebooks_bad_labels(y_true, match):
    with pytest.raises(ValueError, match=rf"bad data by the notebook.*{match}"):
        exercises.check_confusion_by_hand(RIGHT, y_true, Y_PRED)


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (-np.log(0.2), "loss of class 4, next to the true class"),  # probs[0 - 1] = probs[-1]
        (10**400, "one number"),
        (np.array([np.nan]), "one number"),
    ],
)
def test_cross_entropy_names_more_mistakes(answer, words):
    message = exercises.check_cross_entropy(answer, np.array([0.05, 0.1, 0.6, 0.05, 0.2]), 0)
    assert prefix(message) == exercises.NOT_YET and words in message, message
    assert "axis" not in message


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # np.matrix, as a learner may
def test_check_prepare_judges_an_np_matrix_by_its_values():
    message = exercises.check_prepare(lambda im: np.matrix(own_digit.prepare_digit(im)), [ring()])
    assert prefix(message) == exercises.CORRECT, message


def test_hidden_size_per_point_is_parameters_over_points_above_chance():
    x, y = blobs(300)
    message = exercises.check_hidden_size(16, x[:200], y[:200], x[200:], y[200:], epochs=1)
    found = re.findall(r"(\d+\.\d+)% with ([\d,]+) parameters, ([\d,]+) per point", message)
    assert len(found) == 2, message
    chance = 100 * np.bincount(y[200:]).max() / 100  # the most common digit's share, in %
    assert chance > 20  # blobs' five classes: far from the 10% of ten balanced digits
    assert (
        f"chance, always answering the validation set's most common digit, is {chance:.2f}%)"
        in message
    ), message
    for acc, count, per_point in found:
        expected = int(count.replace(",", "")) / (float(acc) - chance)
        assert int(per_point.replace(",", "")) == round(expected), message


def test_cross_entropy_at_the_last_label_looks_one_back_and_not_past_the_end():
    probs = np.array([0.1, 0.2, 0.7])
    message = exercises.check_cross_entropy(-np.log(0.2), probs, 2)
    assert "loss of class 1, next to the true class" in message, message
    assert exercises.check_cross_entropy(-np.log(0.7), probs, 2).startswith("Correct!")
