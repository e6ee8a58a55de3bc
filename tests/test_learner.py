"""The learner-facing additions: validation split, baselines and digits from outside MNIST, on
small arrays made here (no MNIST needed)."""

from __future__ import annotations

import numpy as np
import pytest

import nn_utils as nu
from conftest import SMALL, blobs, ring


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
