"""Tests of baselines.py: nearest class mean and softmax regression."""

from __future__ import annotations

import numpy as np
import pytest

import baselines
import nn_utils as nu
from conftest import blobs, project_imports, raw, with_value

# ------------------------------------------------------------------------------------- baselines


def test_nearest_class_mean_by_hand():
    x = np.array([[0, 0], [0, 0.25], [1, 0], [1, 0.25]], np.float32)
    means = baselines.nearest_class_mean_fit(x, np.array([0, 0, 1, 1]), num_classes=2)
    assert means.dtype == np.float32
    np.testing.assert_array_equal(means, [[0, 0.125], [1, 0.125]])
    pred = baselines.nearest_class_mean_predict(
        means, np.array([[0.1, 0.1], [0.9, 0], [0.49, 0.5]])
    )
    assert pred.dtype == np.int64 and pred.tolist() == [0, 1, 0]


def test_nearest_class_mean_defaults_to_the_ten_digits():
    x = np.random.default_rng(0).random((20, 3)).astype(np.float32)
    assert baselines.nearest_class_mean_fit(x, np.arange(20) % 10).shape == (10, 3)


def test_nearest_class_mean_matches_brute_force():
    x, y = blobs(200)
    means = baselines.nearest_class_mean_fit(x, y, num_classes=5)
    brute = ((x[:, None, :] - means[None]) ** 2).sum(axis=2).argmin(axis=1)
    np.testing.assert_array_equal(baselines.nearest_class_mean_predict(means, x), brute)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: baselines.nearest_class_mean_fit(np.ones((2, 3)), np.array([0, 2]), 3),
            ValueError,
            r"class\(es\) \[1\] have no examples in y, .* every class 0\.\.2, or a smaller",
        ),
        (
            lambda: baselines.nearest_class_mean_fit([[1.0]], np.array([0]), 1),
            TypeError,
            "NumPy array",
        ),
        (
            lambda: baselines.nearest_class_mean_fit(np.full((1, 2), np.nan), np.array([0]), 1),
            ValueError,
            "NaN",
        ),
        (
            lambda: baselines.nearest_class_mean_fit(np.ones(3), np.array([0]), 1),
            ValueError,
            r"\(n, d\)",
        ),
        (
            lambda: baselines.nearest_class_mean_predict(np.ones((2, 3)), np.ones((4, 5))),
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
    params = baselines.softmax_regression(x, y, epochs=3, num_classes=5)
    assert params["W"].shape == (20, 5) and params["b"].shape == (5,)
    assert params["W"].dtype == np.float32
    pred = baselines.softmax_regression_predict(params, x)
    assert pred.dtype == np.int64 and nu.accuracy(y, pred) > 0.95
    again = baselines.softmax_regression(x, y, epochs=3, num_classes=5)
    np.testing.assert_array_equal(again["W"], params["W"])
    other = baselines.softmax_regression(x, y, epochs=3, num_classes=5, seed=1)
    assert not np.array_equal(other["W"], params["W"])
    zero = baselines.softmax_regression(x, y, epochs=0, num_classes=5)
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
        baselines.softmax_regression(args.pop("x"), args.pop("y"), **args)


def test_softmax_regression_reports_divergence():
    x, y = blobs(100)
    match = r"loss stopped being finite in epoch 1 \(lr 1e\+300\): try a smaller learning"
    with np.errstate(all="ignore"), pytest.raises(FloatingPointError, match=match):
        baselines.softmax_regression(x, y, lr=1e300, batch_size=10, num_classes=5)  # steps overflow


def test_softmax_regression_predict_rejects():
    params = {"W": np.zeros((4, 3)), "b": np.zeros(3)}
    with pytest.raises(ValueError, match="from softmax_regression"):
        baselines.softmax_regression_predict({"W1": params["W"]}, np.ones((2, 4)))
    with pytest.raises(ValueError, match="shapes do not fit"):
        baselines.softmax_regression_predict(params, np.ones((2, 5)))
    with pytest.raises(ValueError, match=r"shapes do not fit: x \(2, 4\), W \(0, 3\)"):
        baselines.softmax_regression_predict(
            {"W": np.zeros((0, 3)), "b": np.zeros(3)}, np.ones((2, 4))
        )
    with pytest.raises(ValueError, match=r"W \(4, 0\), b \(0,\).* with k >= 1"):
        baselines.softmax_regression_predict(
            {"W": np.zeros((4, 0)), "b": np.zeros(0)}, np.ones((2, 4))
        )


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        # A run that diverged leaves NaN or inf: argmax would then name one class for every row.
        ({"W": np.full((4, 3), np.nan)}, ValueError, r"params\['W'\] holds NaN or infinite"),
        ({"b": np.array([0, np.inf, 0])}, ValueError, r"params\['b'\] holds NaN or infinite"),
        ({"W": [[0.0] * 3] * 4}, TypeError, r"\[.W.\] must be a NumPy array of floats, got list"),
        ({"b": "0 0 0"}, TypeError, r"params\['b'\] must be a NumPy array of floats, got str"),
        ({"W": np.zeros((4, 3), int)}, TypeError, r"params\['W'\] .* got int64"),
        ({"W": np.zeros((4, 3), complex)}, TypeError, r"params\['W'\] .* got complex128"),
    ],
)
def test_softmax_regression_predict_checks_the_weights(change, error, match):
    params = {"W": np.zeros((4, 3)), "b": np.zeros(3)} | change
    with pytest.raises(error, match=match):
        baselines.softmax_regression_predict(params, np.ones((2, 4)))


BASELINES = {
    "nearest_class_mean_fit": lambda x, y: baselines.nearest_class_mean_fit(x, y, num_classes=5),
    "nearest_class_mean_predict": lambda x, y: baselines.nearest_class_mean_predict(
        baselines.nearest_class_mean_fit(blobs(50)[0], blobs(50)[1], num_classes=5), x
    ),
    "softmax_regression": lambda x, y: baselines.softmax_regression(
        x, y, epochs=1, batch_size=10, num_classes=5
    ),
    "softmax_regression_predict": lambda x, y: baselines.softmax_regression_predict(
        {"W": np.zeros((20, 5), np.float32), "b": np.zeros(5, np.float32)}, x
    ),
}


@pytest.mark.parametrize("baseline", BASELINES)
@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (raw, ValueError, r"x has values in \[0, 2\d\d\], outside \[0, 1\]; scale raw pixels"),
        (lambda x: 2 * x - 1, ValueError, r"x has values in \[-1, 0\.\d+\], outside \[0, 1\]"),
        (lambda x: raw(x).astype(np.uint8), TypeError, r"x has dtype uint8; pass floats"),
        (lambda x: with_value(x, np.nan), ValueError, "x contains NaN or inf"),
    ],
)
def test_baselines_take_pixels_in_0_1_only(baseline, change, error, match):
    x, y = blobs(50)
    x[0, 0] = 0.0
    BASELINES[baseline](x, y)  # raises nothing on the preprocessed pixels
    with pytest.raises(error, match=match):
        BASELINES[baseline](change(x), y)


def test_nearest_class_mean_predict_checks_the_means():
    x = blobs(10)[0]
    with pytest.raises(ValueError, match=r"means has values in \[0, 2\d\d\], outside \[0, 1\]"):
        baselines.nearest_class_mean_predict(raw(np.vstack([x[:5], [[1.0] * 20]])), x)
    with pytest.raises(TypeError, match="means has dtype int64"):
        baselines.nearest_class_mean_predict(np.zeros((3, 20), int), x)


def test_softmax_regression_batches_of_64_by_default():
    x, y = blobs(200)
    default = baselines.softmax_regression(x, y, epochs=1, num_classes=5)
    explicit = baselines.softmax_regression(x, y, epochs=1, num_classes=5, batch_size=64)
    np.testing.assert_array_equal(default["W"], explicit["W"])


def test_softmax_regression_takes_two_classes_and_no_fewer():
    x, y = blobs(100)
    params = baselines.softmax_regression(x, (y > 2).astype(int), epochs=1, num_classes=2)
    assert params["W"].shape == (20, 2)
    with pytest.raises(ValueError, match="need num_classes >= 2, got 1"):
        baselines.softmax_regression(x, np.zeros(100, int), num_classes=1)


def test_softmax_regression_refuses_a_batch_larger_than_the_data():
    x, y = blobs(10)
    with pytest.raises(ValueError, match=r"use batch_size <= 10"):
        baselines.softmax_regression(x, y, epochs=1)
    baselines.softmax_regression(x, y, epochs=1, batch_size=10)  # one full batch is fine


def test_baselines_import_only_the_network():
    assert project_imports("baselines") == {"nn_utils"}


def test_softmax_regression_checks_the_last_step_too():
    x, y = blobs(200)  # one batch of 200: its step is the last, after the last loss check
    with np.errstate(over="ignore", invalid="ignore"), pytest.raises(
        FloatingPointError, match="in the last step"
    ):
        baselines.softmax_regression(x, y, epochs=1, lr=1e300, batch_size=200, num_classes=5)
