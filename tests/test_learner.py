"""The learner-facing additions: validation split, baselines, digits from outside MNIST, and
the exercise checks, on small arrays made here (no MNIST needed)."""

from __future__ import annotations

import numpy as np
import pytest

import nn_utils as nu
from conftest import blobs

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


def ink_box(out: np.ndarray) -> tuple[int, int]:
    rows, cols = np.flatnonzero((out > 0).any(axis=1)), np.flatnonzero((out > 0).any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


# -------------------------------------------------------------------- gradient_check's backward_fn


def test_gradient_check_uses_backward_fn():
    params = nu.init_params(SMALL, seed=1, dtype=np.float64)
    x, y = blobs(10)
    x = x.astype(np.float64)
    assert nu.gradient_check(params, x, y) < 1e-6

    def doubled(params, cache, y):
        return {k: 2 * g for k, g in nu.backward(params, cache, y).items()}

    assert nu.gradient_check(params, x, y, backward_fn=doubled) > 0.1


# ------------------------------------------------------------------------------- validation split


def test_split_is_a_seeded_partition():
    x, y = np.arange(100).reshape(50, 2), np.arange(50)
    x_fit, y_fit, x_val, y_val = nu.train_val_split(x, y, n_val=10, seed=3)
    assert len(x_fit) == len(y_fit) == 40 and len(x_val) == len(y_val) == 10
    assert sorted(np.concatenate([y_fit, y_val]).tolist()) == list(range(50))
    np.testing.assert_array_equal(x_fit[:, 0], 2 * y_fit)  # rows stay with their labels
    again = nu.train_val_split(x, y, n_val=np.int64(10), seed=np.int32(3))
    np.testing.assert_array_equal(again[3], y_val)
    assert not np.array_equal(nu.train_val_split(x, y, n_val=10, seed=4)[3], y_val)


def test_split_any_shape_and_smallest_sizes():
    x = np.zeros((2, 3, 4))
    x_fit, y_fit, x_val, y_val = nu.train_val_split(x, np.array([0, 1]), n_val=1)
    assert x_fit.shape == x_val.shape == (1, 3, 4) and len(y_fit) == len(y_val) == 1


@pytest.mark.parametrize(
    ("x", "y", "kwargs", "error", "match"),
    [
        (np.zeros((5, 2)), np.zeros(4), {}, ValueError, "5 rows but y has 4"),
        (np.zeros((5, 2)), np.zeros(5), {"n_val": 5}, ValueError, "leaves nothing to fit"),
        (np.zeros((5, 2)), np.zeros(5), {"n_val": 0}, ValueError, "need n_val >= 1"),
        (np.zeros((5, 2)), np.zeros(5), {"n_val": True}, TypeError, "n_val must be an integer"),
        (np.zeros((5, 2)), np.zeros(5), {"n_val": 2.0}, TypeError, "n_val must be an integer"),
        (np.zeros((5, 2)), np.zeros(5), {"n_val": 2, "seed": -1}, ValueError, "seed"),
        ([[0], [1]], np.zeros(2), {"n_val": 1}, TypeError, "x must be a NumPy array .* got list"),
        (np.zeros((2, 1)), np.array(3), {"n_val": 1}, TypeError, "y must .* got a 0-d array"),
    ],
)
def test_split_rejects(x, y, kwargs, error, match):
    with pytest.raises(error, match=match):
        nu.train_val_split(x, y, **kwargs)


# ------------------------------------------------------------------------------------- baselines


def test_nearest_class_mean_by_hand():
    x = np.array([[0, 0], [0, 2], [10, 0], [10, 2]], np.float32)
    means = nu.nearest_class_mean_fit(x, np.array([0, 0, 1, 1]), num_classes=2)
    assert means.dtype == np.float32
    np.testing.assert_array_equal(means, [[0, 1], [10, 1]])
    pred = nu.nearest_class_mean_predict(means, np.array([[1, 1], [9, 0], [4.9, 5]], np.float32))
    assert pred.dtype == np.int64 and pred.tolist() == [0, 1, 0]


def test_nearest_class_mean_matches_brute_force():
    x, y = blobs(200)
    means = nu.nearest_class_mean_fit(x, y, num_classes=5)
    brute = ((x[:, None, :] - means[None]) ** 2).sum(axis=2).argmin(axis=1)
    np.testing.assert_array_equal(nu.nearest_class_mean_predict(means, x), brute)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: nu.nearest_class_mean_fit(np.ones((2, 3)), np.array([0, 2]), 3),
            ValueError,
            r"class\(es\) \[1\] have no examples",
        ),
        (lambda: nu.nearest_class_mean_fit([[1.0]], np.array([0]), 1), TypeError, "NumPy array"),
        (
            lambda: nu.nearest_class_mean_fit(np.full((1, 2), np.nan), np.array([0]), 1),
            ValueError,
            "NaN",
        ),
        (lambda: nu.nearest_class_mean_fit(np.ones(3), np.array([0]), 1), ValueError, r"\(n, d\)"),
        (
            lambda: nu.nearest_class_mean_predict(np.ones((2, 3)), np.ones((4, 5))),
            ValueError,
            "5 columns but the means have 3",
        ),
    ],
)
def test_nearest_class_mean_rejects(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_softmax_regression_learns_and_is_deterministic():
    x, y = blobs(300)
    params = nu.softmax_regression(x, y, epochs=3, num_classes=5)
    assert params["W"].shape == (20, 5) and params["b"].shape == (5,)
    assert params["W"].dtype == np.float32
    pred = nu.softmax_regression_predict(params, x)
    assert pred.dtype == np.int64 and nu.accuracy(y, pred) > 0.95
    again = nu.softmax_regression(x, y, epochs=3, num_classes=5)
    np.testing.assert_array_equal(again["W"], params["W"])
    other = nu.softmax_regression(x, y, epochs=3, num_classes=5, seed=1)
    assert not np.array_equal(other["W"], params["W"])
    zero = nu.softmax_regression(x, y, epochs=0, num_classes=5)
    assert not zero["W"].any() and not zero["b"].any()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"x": np.ones((3, 2), np.uint8)}, TypeError, "preprocess"),
        ({"lr": -1.0}, ValueError, "lr must be a finite number > 0"),
        ({"epochs": True}, TypeError, "epochs must be an integer"),
        ({"batch_size": 0}, ValueError, "need batch_size >= 1"),
        ({"y": np.array([0, 1, 10])}, ValueError, "labels"),
    ],
)
def test_softmax_regression_rejects(kwargs, error, match):
    args = {"x": np.ones((3, 2), np.float32), "y": np.array([0, 1, 1]), **kwargs}
    with pytest.raises(error, match=match):
        nu.softmax_regression(args.pop("x"), args.pop("y"), **args)


def test_softmax_regression_reports_divergence():
    x, y = blobs(100)
    with np.errstate(all="ignore"), pytest.raises(FloatingPointError, match="smaller learning"):
        nu.softmax_regression(x * 1e20, y, lr=1e30, num_classes=5)


def test_softmax_regression_predict_rejects():
    params = {"W": np.zeros((4, 3)), "b": np.zeros(3)}
    with pytest.raises(ValueError, match="from softmax_regression"):
        nu.softmax_regression_predict({"W1": params["W"]}, np.ones((2, 4)))
    with pytest.raises(ValueError, match="shapes do not fit"):
        nu.softmax_regression_predict(params, np.ones((2, 5)))


def test_pca_known_directions_and_sign():
    u, w = np.array([0.8, 0.6]), np.array([-0.6, 0.8])  # orthonormal; u has more spread
    t, s = np.array([-3.0, -1, 1, 3]), np.array([1.0, -1, -1, 1])
    x = t[:, None] * u + s[:, None] * w + [5, -2]  # an offset, removed by centring
    z = nu.pca(x, k=2)
    # Signs: u's and w's largest entries (0.8) are positive, so the coordinates are t and s.
    np.testing.assert_allclose(z, np.column_stack([t, s]), atol=1e-12)
    np.testing.assert_allclose(nu.pca(-x, k=1)[:, 0], -t, atol=1e-12)  # same direction, no flip
    assert nu.pca(x.astype(np.float32), k=1).shape == (4, 1)


def test_pca_rejects():
    with pytest.raises(ValueError, match="k=3 directions need"):
        nu.pca(np.ones((5, 2)), k=3)
    with pytest.raises(ValueError, match="need k >= 1"):
        nu.pca(np.ones((5, 2)), k=0)


def test_dead_units_hand_set_bias_across_chunks():
    params = nu.init_params((4, 3, 2))
    params["W1"][:] = 1
    params["b1"][:] = [0.5, -100, -3.5]  # unit 1 can never fire; unit 2 only on a full row
    x = np.zeros((25_000, 4), np.float32)
    assert nu.dead_units(params, x).tolist() == [False, True, True]
    x[-1] = 1  # in the third chunk of 10,000 rows
    assert nu.dead_units(params, x).tolist() == [False, True, False]


def test_dead_units_rejects():
    params = nu.init_params((4, 3, 2))
    with pytest.raises(ValueError, match="x has 5 columns, the network takes 4"):
        nu.dead_units(params, np.zeros((2, 5)))
    with pytest.raises(ValueError, match="expected the keys"):
        nu.dead_units({"W1": params["W1"]}, np.zeros((2, 4)))


# --------------------------------------------------------------------------- outside digits


@pytest.mark.parametrize("shape", [(20, 12), (7, 5), (13, 11), (200, 3)])
def test_resize_area_keeps_the_mean(shape):
    image = np.random.default_rng(0).uniform(size=(60, 100))
    out = nu.resize_area(image, shape)
    assert out.shape == shape
    assert out.mean() == pytest.approx(image.mean(), rel=1e-12)


def test_resize_area_identity_blocks_and_constant():
    image = np.arange(12.0).reshape(3, 4)
    np.testing.assert_allclose(nu.resize_area(image, (3, 4)), image, atol=1e-12)
    np.testing.assert_allclose(
        nu.resize_area(np.arange(16).reshape(4, 4), (2, 2)), [[2.5, 4.5], [10.5, 12.5]]
    )
    np.testing.assert_allclose(nu.resize_area(np.full((5, 7), 0.3), (9, 2)), 0.3)


@pytest.mark.parametrize(
    ("image", "shape", "error", "match"),
    [
        (np.ones((3, 3)), (0, 2), ValueError, "need height >= 1"),
        (np.ones((3, 3)), (True, 2), TypeError, "height must be an integer"),
        (np.ones((3, 3)), 5, TypeError, r"shape must be a pair"),
        (np.ones((3, 3, 3)), (2, 2), ValueError, "grayscale"),
        (np.ones((0, 3)), (2, 2), ValueError, "empty"),
        ([[1.0]], (2, 2), TypeError, "NumPy array"),
    ],
)
def test_resize_area_rejects(image, shape, error, match):
    with pytest.raises(error, match=match):
        nu.resize_area(image, shape)


def test_prepare_digit_makes_an_mnist_digit():
    out = nu.prepare_digit(ring())
    assert out.shape == (28, 28) and out.dtype == np.float32
    assert out.min() == 0 and out.max() == pytest.approx(1)  # inverted: light ink on black
    assert max(ink_box(out)) == 20 and min(ink_box(out)) >= 10  # aspect ratio about 0.55 kept
    # An integer shift puts the centre of mass within 0.5 px (plus float32 rounding: this
    # symmetric ring sits exactly on a half-pixel tie).
    cy, cx = nu._center_of_mass(out)
    assert abs(cy - nu.FIELD_CENTER) <= 0.5 + 1e-5 and abs(cx - nu.FIELD_CENTER) <= 0.5 + 1e-5
    # Any scale or dtype of the same picture gives the same digit.
    np.testing.assert_allclose(nu.prepare_digit(ring() * 255), out, atol=1e-6)
    uint8 = np.round(ring() * 255).astype(np.uint8)
    np.testing.assert_allclose(nu.prepare_digit(uint8), out, atol=1e-6)


def test_prepare_digit_light_on_dark_is_not_inverted():
    out = nu.prepare_digit(1 - ring())
    np.testing.assert_allclose(out, nu.prepare_digit(ring()), atol=1e-6)
    np.testing.assert_allclose(nu.prepare_digit(ring(), invert=True), out, atol=1e-6)


def test_prepare_digit_thin_line_keeps_one_pixel():
    image = np.ones((50, 200))
    image[25, 10:190] = 0  # a one-pixel minus sign, 180 long: shorter side 20/180 -> 1 px
    assert ink_box(nu.prepare_digit(image)) == (1, 20)


@pytest.mark.parametrize("nudge", [1 - 2**-52, 1 + 2**-52])
def test_prepare_digit_placement_does_not_hang_on_the_last_bit(monkeypatch, nudge):
    """At a tie (this minus sign's centre of mass sits on a half pixel), the last bit of the
    resizing's matrix products, which varies with the BLAS kernel, must not move the digit."""
    image = np.ones((50, 200))
    image[25, 10:190] = 0
    expected = nu.prepare_digit(image)
    resize = nu.resize_area
    monkeypatch.setattr(nu, "resize_area", lambda im, shape: resize(im, shape) * nudge)
    np.testing.assert_allclose(nu.prepare_digit(image), expected, atol=1e-6)


@pytest.mark.parametrize(
    ("image", "kwargs", "error", "match"),
    [
        ([[0, 1]], {}, TypeError, "NumPy array"),
        (np.zeros((30, 30, 3)), {}, ValueError, r"convert it to grayscale first, e\.g\."),
        (np.zeros(30), {}, ValueError, "must be 2-D"),
        (np.zeros((0, 5)), {}, ValueError, "empty"),
        (np.array([[0.0, np.nan]]), {}, ValueError, "NaN or inf"),
        (np.array([[1j, 0]]), {}, TypeError, "real numbers"),
        (np.full((5, 5), 7), {}, ValueError, "no digit to find"),
        (ring(), {"invert": "yes"}, TypeError, "invert must be None, True or False"),
    ],
)
def test_prepare_digit_rejects(image, kwargs, error, match):
    with pytest.raises(error, match=match):
        nu.prepare_digit(image, **kwargs)


def test_prepare_digit_all_ink():
    image = np.ones((100, 100))
    image[50:53, 40:60] = 0  # a small dark dash: with invert=False the paper is the "ink"
    with pytest.raises(ValueError, match="all ink: is the photo cropped too tightly"):
        nu.prepare_digit(image, invert=False)


# ------------------------------------------------------------------------------ exercise checks


def prefix(message: str) -> str:
    for start in (nu.NOT_ATTEMPTED, nu.CORRECT, nu.NOT_YET):
        if message.startswith(start):
            return start
    raise AssertionError(f"bad message start: {message!r}")


IMAGES = np.random.default_rng(0).integers(0, 3, (4, 6, 6)).astype(np.uint8)
SHARE = float((IMAGES == 0).mean())


@pytest.mark.parametrize(
    ("answer", "start", "words"),
    [
        (None, nu.NOT_ATTEMPTED, "share"),
        (SHARE, nu.CORRECT, "background"),
        (np.float32(SHARE), nu.CORRECT, ""),
        (1 - SHARE, nu.NOT_YET, "NOT 0"),
        (100 * SHARE, nu.NOT_YET, "percentage"),
        (1.5, nu.NOT_YET, "outside [0, 1]"),
        (0.01, nu.NOT_YET, "Hint"),
        ("0.3", nu.NOT_YET, "one number"),
        (True, nu.NOT_YET, "one number"),
    ],
)
def test_check_background_share(answer, start, words):
    message = nu.check_background_share(answer, IMAGES)
    assert prefix(message) == start and words in message


PROBS = np.array([0.7, 0.2, 0.1])


@pytest.mark.parametrize(
    ("answer", "start", "words"),
    [
        (None, nu.NOT_ATTEMPTED, "class 1"),
        (-np.log(0.2), nu.CORRECT, ""),
        (-np.log(0.7), nu.NOT_YET, "most likely class"),
        (np.log(0.2), nu.NOT_YET, "wrong sign"),
        (-np.log10(0.2), nu.NOT_YET, "base 10"),
        (0.2, nu.NOT_YET, "probability itself"),
        (5.0, nu.NOT_YET, "Hint"),
        ([1.6], nu.NOT_YET, "one number"),
    ],
)
def test_check_cross_entropy(answer, start, words):
    message = nu.check_cross_entropy(answer, PROBS, 1)
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
        (None, nu.NOT_ATTEMPTED, "break one line"),
        (nu.backward, nu.NOT_YET, "isn't broken yet"),
        (no_mean, nu.CORRECT, "caught your bug"),
        (slightly_off, nu.NOT_YET, "between 1e-6"),
        (lambda p, c, y: [1, 2], nu.NOT_YET, "returned list"),
        (lambda p, c, y: {"W1": p["W1"]}, nu.NOT_YET, "keys"),
        (lambda p, c, y: {k: v[..., :1] for k, v in p.items()}, nu.NOT_YET, "shape"),
        (lambda p, c, y: {k: v * np.nan for k, v in p.items()}, nu.NOT_YET, "NaN"),
        (raises, nu.NOT_YET, "your function raised TypeError: unsupported"),
        ("backward", nu.NOT_YET, "must be a function"),
    ],
)
def test_check_broken_backward(my_backward, start, words):
    message = nu.check_broken_backward(my_backward, *grad_setup())
    assert prefix(message) == start and words in message


def test_check_broken_backward_unchanged_copy_near_the_line(monkeypatch):
    # An unchanged copy whose check lands just above 1e-6 (a ReLU kink) is still "not broken".
    real = nu.gradient_check

    def unlucky(*args, **kwargs):
        return max(real(*args, **kwargs), 2e-6)

    monkeypatch.setattr(nu, "gradient_check", unlucky)
    message = nu.check_broken_backward(nu.backward, *grad_setup())
    assert prefix(message) == nu.NOT_YET and "isn't broken yet" in message
    assert "between 1e-6" in nu.check_broken_backward(slightly_off, *grad_setup())


def test_check_broken_backward_needs_float64():
    params, x, y = grad_setup()
    with pytest.raises(TypeError, match="float64 params and x"):
        nu.check_broken_backward(no_mean, params, x.astype(np.float32), y)


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


def momentum_weights_only(params, grads, velocity, lr, beta):
    for key in ("W1", "W2"):
        momentum({key: params[key]}, {key: grads[key]}, velocity, lr, beta)


@pytest.mark.parametrize(
    ("step", "start", "words"),
    [
        (None, nu.NOT_ATTEMPTED, "momentum_step"),
        (momentum, nu.CORRECT, "plain SGD"),
        (momentum_local, nu.NOT_YET, "not updated in place"),
        (momentum_uphill, nu.NOT_YET, "wrong sign"),
        (momentum_other, nu.NOT_YET, "other convention"),
        (momentum_old_v, nu.NOT_YET, "old velocity"),
        (momentum_weights_only, nu.NOT_YET, "b1"),
        (lambda *args: None, nu.NOT_YET, "not updated in place"),
        (raises, nu.NOT_YET, "your function raised TypeError"),
    ],
)
def test_check_momentum(step, start, words):
    x, y = blobs(300)
    message = nu.check_momentum(step, x[:200], y[:200], x[200:], y[200:], epochs=1)
    assert prefix(message) == start and words in message


@pytest.mark.parametrize(
    ("hidden_size", "start", "words"),
    [
        (None, nu.NOT_ATTEMPTED, "16 or 256"),
        (np.int64(16), nu.CORRECT, "16 hidden units"),
        (64, nu.NOT_YET, "already uses"),
        (True, nu.NOT_YET, "whole number"),
        (16.0, nu.NOT_YET, "whole number"),
        (0, nu.NOT_YET, "at least 1"),
        (10**6, nu.NOT_YET, "at most 2048"),
    ],
)
def test_check_hidden_size(hidden_size, start, words):
    x, y = blobs(300)
    message = nu.check_hidden_size(hidden_size, x[:200], y[:200], x[200:], y[200:], epochs=1)
    assert prefix(message) == start and words in message


Y_TRUE, Y_PRED = [0, 1, 1, 2], [0, 2, 1, 2]
RIGHT = [[1, 0, 0], [0, 1, 1], [0, 0, 1]]


@pytest.mark.parametrize(
    ("answer", "start", "words"),
    [
        (None, nu.NOT_ATTEMPTED, "3 x 3"),
        (RIGHT, nu.CORRECT, "3 right answers"),
        (np.array(RIGHT, float), nu.CORRECT, ""),
        (np.array(RIGHT).T.tolist(), nu.NOT_YET, "swapped"),
        ([[1, 0], [0, 1]], nu.NOT_YET, "shape (2, 2)"),
        ([[1, 0, 0], [0, 1, 1], [0, 0, 2]], nu.NOT_YET, "add up to 5"),
        ([[1, 0, 0], [0, 2, 0], [0, 0, 1]], nu.NOT_YET, "cell [1, 1]"),
        ([[1, 0, 0], [0, 1], [0, 0, 1]], nu.NOT_YET, "different lengths"),
        ([["a"]], nu.NOT_YET, "numbers"),
    ],
)
def test_check_confusion_by_hand(answer, start, words):
    message = nu.check_confusion_by_hand(answer, Y_TRUE, Y_PRED)
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
        (None, nu.NOT_ATTEMPTED, "my_prepare"),
        (nu.prepare_digit, nu.CORRECT, "all 2 images"),
        (centred_at_13_5, nu.CORRECT, ""),
        (lambda image: image, nu.NOT_YET, "(28, 28)"),
        (lambda image: nu.prepare_digit(image) * 255, nu.NOT_YET, "into [0, 1]"),
        (not_inverted, nu.NOT_YET, "light paper"),  # passes the border test
        (lambda image: np.zeros((28, 28)), nu.NOT_YET, "no ink"),
        (
            lambda image: np.pad(nu.resize_area(image < 0.5, (10, 6)), ((9, 9), (11, 11))),
            nu.NOT_YET,
            "box is 8 px",
        ),
        (off_centre, nu.NOT_YET, "centre of mass"),
        (lambda image: nu.prepare_digit(image).tolist(), nu.NOT_YET, "returned list"),
        (raises, nu.NOT_YET, "your function raised TypeError"),
    ],
)
def test_check_prepare(my_prepare, start, words):
    message = nu.check_prepare(my_prepare, [ring(), bar()])
    assert prefix(message) == start and words in message, message


def test_check_prepare_compares_with_the_reference():
    flipped = nu.check_prepare(lambda image: nu.prepare_digit(image)[::-1], [bar()])
    assert prefix(flipped) == nu.NOT_YET and "correlation" in flipped, flipped
    uncropped = nu.check_prepare(no_crop, [bar(), ring()])
    assert prefix(uncropped) == nu.NOT_YET, uncropped
