"""nn_utils.py: the network's maths, training, evaluation, saving and loading, then the validation
split, baselines and digits from outside MNIST, on small arrays made here (no MNIST needed)."""

from __future__ import annotations

import inspect
import math
import re
import time

import numpy as np
import pytest

import nn_utils as nu
from conftest import SMALL, blobs, project_imports, raw, with_value

# ----------------------------------------------------------------------------- building blocks


def test_preprocess_scales_and_flattens():
    images = np.zeros((3, 28, 28), np.uint8)
    images[1, 0, 0], images[2, 27, 27] = 255, 51
    x = nu.preprocess(images)
    assert x.shape == (3, 784) and x.dtype == np.float32
    assert x[1, 0] == 1.0 and x[2, 783] == pytest.approx(0.2) and x.sum() == pytest.approx(1.2)
    np.testing.assert_array_equal(nu.preprocess(images.reshape(3, 784)), x)


@pytest.mark.parametrize(
    ("images", "error", "match"),
    [
        (np.zeros((2, 28, 28), np.float32), TypeError, "raw uint8 pixels"),
        (np.zeros((2, 28, 27), np.uint8), ValueError, r"\(n, 28, 28\) or \(n, 784\)"),
        (np.zeros(784, np.uint8), ValueError, "shape"),
    ],
)
def test_preprocess_rejects(images, error, match):
    with pytest.raises(error, match=match):
        nu.preprocess(images)


def test_one_hot_round_trip():
    y = np.array([0, 9, 3, 3, 7])
    oh = nu.one_hot(y)
    assert oh.shape == (5, 10) and oh.dtype == np.float32
    assert (oh.sum(axis=1) == 1).all() and (oh.argmax(axis=1) == y).all()


@pytest.mark.parametrize(
    ("y", "match"),
    [
        (np.array([0, 10]), r"0\.\.9, got values from 0 to 10"),
        (np.array([-1]), "0..9"),
        (np.array([0.0, 1.0]), r"labels must be integers 0\.\.9, got dtype float64"),
    ],
)
def test_labels_are_checked(y, match):
    with pytest.raises((ValueError, TypeError), match=match):
        nu.one_hot(y)


def test_relu_and_its_gradient():
    z = np.array([[-2.0, 0.0, 3.0]], np.float32)
    np.testing.assert_array_equal(nu.relu(z), [[0, 0, 3]])
    np.testing.assert_array_equal(nu.relu_grad(z), [[0, 0, 1]])
    assert nu.relu_grad(z).dtype == np.float32


def test_softmax_rows_sum_to_one_and_ignore_shifts():
    z = np.random.default_rng(0).normal(size=(6, 10))
    p = nu.softmax(z)
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-12)
    np.testing.assert_allclose(nu.softmax(z + 123.0), p, rtol=1e-12)
    np.testing.assert_allclose(p[0], np.exp(z[0]) / np.exp(z[0]).sum(), rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_and_loss_are_stable_at_extreme_logits(dtype):
    z = np.array([[1000, -1000, 0], [-1000, -1000, -1000], [1000, 1000, -1000]], dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
        p = nu.softmax(z)
    np.testing.assert_allclose(p, [[1, 0, 0], [1 / 3] * 3, [0.5, 0.5, 0]], atol=1e-7)
    loss = nu.cross_entropy(p, np.array([1, 0, 2]))  # two of the three true classes have p = 0
    assert math.isfinite(loss) and loss > 50


def test_cross_entropy_known_values():
    y = np.array([2, 0])
    assert nu.cross_entropy(nu.one_hot(y, 3), y) == pytest.approx(0, abs=1e-7)
    assert nu.cross_entropy(np.full((2, 10), 0.1), y) == pytest.approx(math.log(10))
    p = np.array([[0.5, 0.25, 0.25], [0.2, 0.2, 0.6]])
    assert nu.cross_entropy(p, y) == pytest.approx(-(math.log(0.25) + math.log(0.2)) / 2)


def test_cross_entropy_rejects_bad_input():
    with pytest.raises(ValueError, match="non-empty"):
        nu.cross_entropy(np.zeros((0, 10)), np.zeros(0, int))
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        nu.cross_entropy(np.full((2, 10), 0.1), np.array([1, 2, 3]))


def test_he_initialisation():
    params = nu.init_params(seed=1)
    assert {k: v.shape for k, v in params.items()} == {
        "W1": (784, 64),
        "b1": (64,),
        "W2": (64, 10),
        "b2": (10,),
    }
    assert all(v.dtype == np.float32 for v in params.values())
    assert params["W1"].std() == pytest.approx(math.sqrt(2 / 784), rel=0.02)
    assert params["W2"].std() == pytest.approx(math.sqrt(2 / 64), rel=0.1)
    assert not params["b1"].any() and not params["b2"].any()
    again = nu.init_params(seed=1)
    assert all(np.array_equal(params[k], again[k]) for k in params)
    assert not np.array_equal(params["W1"], nu.init_params(seed=2)["W1"])


def test_the_old_unscaled_initialisation_uses_the_same_draws():
    he, old = nu.init_params(seed=3), nu.init_params(seed=3, scheme="standard_normal")
    assert old["W1"].std() == pytest.approx(1, rel=0.02)
    np.testing.assert_allclose(old["W1"] * math.sqrt(2 / 784), he["W1"], rtol=1e-6)
    np.testing.assert_allclose(old["W2"] * math.sqrt(2 / 64), he["W2"], rtol=1e-6)
    assert not old["b1"].any() and not old["b2"].any()
    for bad in ("xavier", "Zeros", "", None, 0):
        with pytest.raises(ValueError, match=r"scheme must be one of \('he', 'standard_normal'"):
            nu.init_params(scheme=bad)


def test_init_params_refuses_a_scheme_in_the_dtype_slot_and_non_string_schemes():
    with pytest.raises(TypeError, match=r"dtype must be a float type .* scheme='zeros'"):
        nu.init_params(SMALL, 0, "zeros")
    for bad in (None, "no-such-dtype"):
        with pytest.raises(TypeError, match=r"dtype must be a float type"):
            nu.init_params(SMALL, dtype=bad)
    for bad in (np.array("zeros"), np.array(["zeros"]), np.array(["he", "zeros"])):
        with pytest.raises(ValueError, match=r"scheme must be one of"):
            nu.init_params(SMALL, scheme=bad)
    assert not nu.init_params(SMALL, scheme=np.str_("zeros"))["W1"].any()


def test_zero_initialisation_never_moves_the_weights():
    """All-zero weights: every hidden unit gets the same gradient, exactly 0, forever."""
    zeros = nu.init_params(SMALL, seed=3, scheme="zeros")
    he = nu.init_params(SMALL, seed=3)
    assert not zeros["W1"].any() and not zeros["W2"].any()
    assert all(zeros[k].dtype == he[k].dtype and zeros[k].shape == he[k].shape for k in he)
    x, y = blobs()
    trained, history = nu.train(zeros, x, y, epochs=3, batch_size=16, lr=0.5, x_val=x, y_val=y)
    assert not trained["W1"].any() and not trained["W2"].any() and not trained["b1"].any()
    assert trained["b2"].any()  # only the output biases learn: the class frequencies
    # So it predicts one class for every input: the most frequent one.
    assert np.unique(nu.predict(trained, x)).tolist() == [np.bincount(y).argmax()]
    assert history["val_acc"][-1] == pytest.approx(np.bincount(y).max() / len(y))


# ----------------------------------------------------------------------------- backprop


def test_a_linear_hidden_layer_is_one_linear_map():
    """Without the ReLU, x W1 W2 + (b1 W2 + b2) is the whole network: train, evaluate and
    predict with hidden="linear" agree with that single map, and differ from ReLU's."""
    x, y = blobs()
    start = nu.init_params(SMALL, seed=1)
    linear, history = nu.train(start, x, y, epochs=4, batch_size=16, lr=0.5, hidden="linear",
                               x_val=x[:100], y_val=y[:100])
    x64 = x.astype(np.float64)
    W = linear["W1"].astype(np.float64) @ linear["W2"]
    b = linear["b1"].astype(np.float64) @ linear["W2"] + linear["b2"]
    one_layer = (x64 @ W + b).argmax(axis=1)
    np.testing.assert_array_equal(nu.predict(linear, x, hidden="linear"), one_layer)
    loss, acc = nu.evaluate(linear, x[:100], y[:100], hidden="linear")
    assert (loss, acc) == (history["val_loss"][-1], history["val_acc"][-1])
    assert acc == np.mean(one_layer[:100] == y[:100])
    # The ReLU version of the same weights answers differently: the flag is used.
    assert nu.evaluate(linear, x[:100], y[:100])[0] != loss
    relu, _ = nu.train(start, x, y, epochs=4, batch_size=16, lr=0.5)
    assert not np.array_equal(relu["W1"], linear["W1"])


def test_the_linear_backward_matches_finite_differences():
    params = {k: v.astype(np.float64) for k, v in nu.init_params(SMALL, seed=2).items()}
    x, y = blobs(12)
    x = x.astype(np.float64)
    _, cache = nu._forward(params, x, linear=True)
    assert np.array_equal(cache["A1"], cache["Z1"])  # no ReLU: negative values pass
    assert (cache["Z1"] < 0).any()
    grads = nu._backward(params, cache, y, linear=True)
    for key in nu.PARAM_KEYS:
        for index in [(0,) * params[key].ndim, tuple(s - 1 for s in params[key].shape)]:
            bumped = {k: v.copy() for k, v in params.items()}
            bumped[key][index] += 1e-6
            up = nu.cross_entropy(nu._forward(bumped, x, linear=True)[0], y)
            bumped[key][index] -= 2e-6
            down = nu.cross_entropy(nu._forward(bumped, x, linear=True)[0], y)
            assert grads[key][index] == pytest.approx((up - down) / 2e-6, rel=1e-5, abs=1e-9)


@pytest.mark.parametrize("bad", ["Linear", "identity", "", None, 1, True])
def test_hidden_must_be_relu_or_linear(bad):
    x, y = blobs(16)
    params = nu.init_params(SMALL)
    for call in (
        lambda: nu.train(params, x, y, epochs=1, batch_size=8, hidden=bad),
        lambda: nu.evaluate(params, x, y, hidden=bad),
        lambda: nu.predict(params, x, hidden=bad),
    ):
        with pytest.raises(ValueError, match=r"hidden must be one of \('relu', 'linear'\)"):
            call()


def test_forward_and_backward_shapes():
    params = nu.init_params()
    x = np.random.default_rng(0).random((7, 784), np.float32)
    probs, cache = nu.forward(params, x)
    assert probs.shape == (7, 10) and probs.dtype == np.float32
    grads = nu.backward(params, cache, np.arange(7))
    assert {k: (g.shape, g.dtype) for k, g in grads.items()} == {
        k: (p.shape, p.dtype) for k, p in params.items()
    }


def test_gradient_check_agrees_in_float64():
    params = nu.init_params(SMALL, seed=3, dtype=np.float64)
    x, y = blobs(16)
    assert nu.gradient_check(params, x.astype(np.float64), y, num_checks=40) < 1e-6


def test_gradient_check_catches_a_wrong_backward(monkeypatch):
    params = nu.init_params(SMALL, seed=3, dtype=np.float64)
    x, y = blobs(16)
    real = nu.backward

    def summed(params, cache, y):  # the old notebook's bug: the sum, not the mean
        return {k: g * len(y) for k, g in real(params, cache, y).items()}

    monkeypatch.setattr(nu, "backward", summed)
    assert nu.gradient_check(params, x.astype(np.float64), y) > 0.5


def test_gradient_check_reports_a_nan_gradient_as_infinitely_wrong():
    params = {k: v.astype(np.float64) for k, v in nu.init_params(SMALL).items()}
    x, y = blobs(16)

    def nan_backward(params, cache, y):
        grads = nu.backward(params, cache, y)
        grads["b2"][:] = np.nan
        return grads

    assert nu.gradient_check(params, x.astype(np.float64), y, backward_fn=nan_backward) == np.inf


def test_gradient_check_needs_float64():
    with pytest.raises(TypeError, match="float64"):
        nu.gradient_check(nu.init_params(SMALL), *blobs(4))


def test_backward_averages_over_the_batch():
    params = nu.init_params(SMALL, seed=0, dtype=np.float64)
    x, y = blobs(2)
    x = x.astype(np.float64)
    both = nu.backward(params, nu.forward(params, x)[1], y)
    each = [nu.backward(params, nu.forward(params, x[i : i + 1])[1], y[i : i + 1]) for i in (0, 1)]
    for k in both:
        np.testing.assert_allclose(both[k], (each[0][k] + each[1][k]) / 2, rtol=1e-12, atol=1e-15)


def test_sgd_step():
    params = {"W1": np.ones((2, 2)), "b1": np.ones(2)}
    grads = {"W1": np.full((2, 2), 2.0), "b1": np.full(2, 2.0)}
    nu.sgd_step(params, grads, lr=0.1, weight_decay=0.5)
    np.testing.assert_allclose(params["W1"], 1 - 0.1 * (2 + 0.5 * 1))  # weights decay
    np.testing.assert_allclose(params["b1"], 1 - 0.1 * 2)  # biases don't


@pytest.mark.parametrize(
    ("x", "error", "match"),
    [
        (np.zeros((3, 784), np.uint8), TypeError, "preprocess"),
        (np.zeros((3, 28, 28), np.float32), ValueError, r"\(n, 784\)"),
        (np.zeros((0, 784), np.float32), ValueError, "empty"),
    ],
)
def test_forward_rejects_bad_batches(x, error, match):
    with pytest.raises(error, match=match):
        nu.forward(nu.init_params(), x)


# ----------------------------------------------------------------------------- training


def test_training_lowers_the_loss_and_learns():
    x, y = blobs()
    params, history = nu.train(nu.init_params(SMALL), x, y, epochs=5, batch_size=16, lr=0.1)
    assert history["train_loss"][-1] < history["train_loss"][0] / 2
    assert nu.accuracy(y, nu.predict(params, x)) > 0.95
    assert sorted(history) == ["lr", "seconds", "train_acc", "train_loss"]
    assert all(len(v) == 5 for v in history.values())


def test_training_is_deterministic_and_leaves_its_input_alone():
    x, y = blobs()
    start = nu.init_params(SMALL, seed=5)
    kept = {k: v.copy() for k, v in start.items()}
    runs = [
        nu.train(start, x, y, epochs=3, batch_size=32, seed=s, x_val=x[:50], y_val=y[:50])
        for s in (7, 7, 8)
    ]
    (p1, h1), (p2, h2), (p3, _) = runs
    assert all(np.array_equal(p1[k], p2[k]) for k in p1)
    assert {k: v for k, v in h1.items() if k != "seconds"} == {
        k: v for k, v in h2.items() if k != "seconds"
    }
    assert not np.array_equal(p1["W1"], p3["W1"])  # the seed sets the order of the batches
    assert all(np.array_equal(start[k], kept[k]) for k in start)
    assert len(h1["val_acc"]) == 3 and 0 <= h1["val_loss"][-1] < h1["train_loss"][0]


def test_cosine_schedule():
    assert nu.cosine_lr(0.5, 0, 20) == 0.5
    assert nu.cosine_lr(0.5, 10, 20) == pytest.approx(0.25)
    assert 0 < nu.cosine_lr(0.5, 19, 20) < 0.005
    _, history = nu.train(nu.init_params(SMALL), *blobs(64), epochs=4, schedule="constant")
    assert history["lr"] == [0.5] * 4


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((0.5, 0, 0), ValueError, r"need epochs >= 1, got 0"),  # was a ZeroDivisionError
        ((0.5, 0, -3), ValueError, r"need epochs >= 1, got -3"),
        ((0.5, 20, 20), ValueError, r"epoch 20 is past the last epoch of 20: .* the last is 19"),
        ((0.5, 25, 20), ValueError, r"epoch 25 is past the last epoch of 20"),  # would rise again
        ((0.5, -1, 20), ValueError, r"need epoch >= 0, got -1"),
        ((0.5, 1.0, 20), TypeError, r"epoch must be an integer, got 1\.0 \(float\)"),
        ((0.5, True, 20), TypeError, r"epoch must be an integer, got True \(bool\)"),
        ((0.5, 0, 20.0), TypeError, r"epochs must be an integer"),
        ((0.5, 0, np.True_), TypeError, r"epochs must be an integer"),
        ((-0.5, 0, 20), ValueError, r"lr must be a finite number > 0, got -0\.5"),
        ((0.0, 0, 20), ValueError, r"lr must be a finite number > 0, got 0\.0"),
        ((math.nan, 0, 20), ValueError, r"lr must be a finite number > 0, got nan"),
        ((math.inf, 0, 20), ValueError, r"lr must be a finite number > 0, got inf"),
        ((True, 0, 20), TypeError, r"lr must be a real number, got True"),
        ((0.5 + 0j, 0, 20), TypeError, r"lr must be a real number"),
        (("0.5", 0, 20), TypeError, r"lr must be a real number"),
    ],
)
def test_cosine_schedule_refuses_what_is_not_a_schedule(args, error, match):
    with pytest.raises(error, match=match):
        nu.cosine_lr(*args)


def test_cosine_schedule_at_its_ends():
    assert nu.cosine_lr(np.float32(0.5), np.int64(0), np.int32(1)) == 0.5  # one epoch: full rate
    assert nu.cosine_lr(2, 1, 2) == pytest.approx(1.0)  # an int rate; halfway: half
    assert nu.cosine_lr(0.5, 19, 20) == pytest.approx(0.25 * (1 + math.cos(math.pi * 19 / 20)))


def test_divergence_is_reported_with_epoch_and_step():
    x, y = blobs()
    # The first step sends the weights to inf, so the second batch's loss is NaN.
    with pytest.raises(FloatingPointError, match=r"nan at epoch 1, step 2 .*lower learning rate"):
        nu.train(nu.init_params(SMALL), x, y, epochs=2, lr=1e30)


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"x": np.zeros((10, 20), np.uint8)}, TypeError, "preprocess"),
        ({"x": np.full((10, 20), 255.0, np.float32)}, ValueError, r"outside \[0, 1\]"),
        ({"y": np.full(10, 5)}, ValueError, r"0\.\.4"),
        ({"y": np.zeros(9, int)}, ValueError, r"shape \(10,\)"),
        ({"batch_size": 0}, ValueError, "batch_size >= 1"),
        ({"x_val": np.zeros((2, 20), np.float32)}, ValueError, "both x_val and y_val"),
        ({"schedule": "step"}, ValueError, "'cosine' or 'constant'"),
    ],
)
def test_train_rejects_bad_input(change, error, match):
    x, y = blobs(10)
    kwargs = {"x": x, "y": y, "epochs": 1} | change
    with pytest.raises(error, match=match):
        nu.train(nu.init_params(SMALL), **kwargs)


# ----------------------------------------------------------------------------- strict inputs


CALLERS = {
    "predict": lambda p, x, y: nu.predict(p, x),
    "evaluate": lambda p, x, y: nu.evaluate(p, x, y),
    "forward": lambda p, x, y: nu.forward(p, x),
    "train": lambda p, x, y: nu.train(p, x, y, epochs=1, batch_size=4),
    "train (validation)": lambda p, x, y: nu.train(
        p, *blobs(10), epochs=1, batch_size=4, x_val=x, y_val=y
    ),
}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(
    ("value", "match"),
    [
        (np.nan, r"x holds 1 NaN values; the images are damaged"),
        (np.inf, r"values in \[0, inf\], outside \[0, 1\]"),
        (-np.inf, r"outside \[0, 1\]"),
        (1.2, r"values in \[0, 1\.2\], outside \[0, 1\]"),
        (255.0, r"outside \[0, 1\]; scale raw pixels with preprocess"),
        (-0.01, r"values in \[-0\.01, "),
        # Float rounding just past 1 (resampling leaves it): refused, with the exact value.
        (1.0000001, r"values in \[0, 1\.0000001\], just outside \[0, 1\].*np\.clip\(x, 0, 1\)"),
        (1.0009, r"values in \[0, 1\.0009\], just outside"),
        (-0.0009, r"values in \[-0\.0009, 0\.8903779\], just outside"),
        (1.0011, r"values in \[0, 1\.0011\], outside \[0, 1\]; scale raw pixels"),
        (-0.0011, r"values in \[-0\.0011, 0\.8903779\], outside \[0, 1\]; scale raw"),
    ],
)
def test_bad_pixels_are_refused_where_data_enter(caller, value, match):
    x, y = blobs(10)
    x[0, 0] = 0.0  # the range [0, 1] is otherwise what blobs makes
    with pytest.raises(ValueError, match=match):
        CALLERS[caller](nu.init_params(SMALL), with_value(x, value), y)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(
    ("position", "value", "words"),
    [
        ((1, 3), 1 + 1e-3, "just outside"),  # the edges of "just outside" belong to it
        ((0, 0), -1e-3, "just outside"),
        ((1, 3), 1 + 1.0001e-3, "outside [0, 1]; scale raw pixels"),
        ((0, 0), -1.0001e-3, "outside [0, 1]; scale raw pixels"),
    ],
)
def test_values_just_outside_end_a_thousandth_past_the_range(caller, position, value, words):
    x, y = blobs(10)
    x = x.astype(np.float64)
    x[0, 0] = 0.0
    x[position] = value
    with pytest.raises(ValueError, match=re.escape(words)):
        CALLERS[caller](nu.init_params(SMALL, dtype=np.float64), x, y)


@pytest.mark.parametrize("caller", CALLERS)
def test_float64_pixels_are_reported_to_the_last_digit(caller):
    x, y = blobs(10)
    x = x.astype(np.float64)
    x[0, 0], x[1, 3] = 0.0, 1 + 2**-52  # the next float after 1
    with pytest.raises(ValueError, match=r"values in \[0, 1\.0000000000000002\], just outside"):
        CALLERS[caller](nu.init_params(SMALL, dtype=np.float64), x, y)


@pytest.mark.parametrize("caller", CALLERS)
def test_pixels_of_exactly_0_and_1_are_accepted(caller):
    x, y = blobs(10)
    x[0, :10], x[1, :10] = 0.0, 1.0
    CALLERS[caller](nu.init_params(SMALL), x, y)  # raises nothing


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(
    ("key", "value", "error", "match"),
    [
        ("W1", np.nan, ValueError, r"params: W1 holds 1 NaN or infinite values"),
        ("b2", np.inf, ValueError, r"params: b2 holds 1 NaN or infinite values"),
    ],
)
def test_non_finite_params_are_refused(caller, key, value, error, match):
    params = nu.init_params(SMALL)
    params[key].flat[1] = value
    with pytest.raises(error, match=match):
        CALLERS[caller](params, *blobs(10))


@pytest.mark.parametrize("dtype", [np.int64, np.bool_, np.complex128])
def test_non_float_params_are_refused(dtype):
    params = nu.init_params(SMALL)
    params["W2"] = params["W2"].astype(dtype)
    with pytest.raises(TypeError, match=rf"params: W2 has dtype {np.dtype(dtype)}; weights must"):
        nu.predict(params, blobs(4)[0])


def test_evaluate_matches_an_independent_computation():
    x, y = blobs(30)
    params = nu.init_params(SMALL, seed=2)
    probs = nu.softmax(np.maximum(x @ params["W1"] + params["b1"], 0) @ params["W2"] + params["b2"])
    loss, acc = nu.evaluate(params, x, y)
    assert loss == pytest.approx(-np.log(probs[np.arange(30), y]).mean(), rel=1e-5)
    assert acc == np.mean(probs.argmax(axis=1) == y)


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"lr": 0}, ValueError, r"lr must be a finite number > 0, got 0"),
        ({"lr": -0.5}, ValueError, r"lr must be a finite number > 0, got -0\.5"),
        ({"lr": math.nan}, ValueError, "lr must be a finite number > 0, got nan"),
        ({"lr": math.inf}, ValueError, "lr must be a finite number > 0"),
        ({"lr": True}, TypeError, "lr must be a real number, got True"),
        ({"lr": "0.1"}, TypeError, "lr must be a real number"),
        ({"lr": 1j}, TypeError, "lr must be a real number"),
        ({"weight_decay": -10}, ValueError, "weight_decay must be a finite number >= 0"),
        ({"weight_decay": math.nan}, ValueError, "weight_decay must be a finite number >= 0"),
        ({"weight_decay": -1e-9}, ValueError, "weight_decay must be a finite number >= 0"),
        ({"batch_size": True}, TypeError, r"batch_size must be an integer, got True \(bool\)"),
        ({"batch_size": 64.0}, TypeError, "batch_size must be an integer"),
        ({"batch_size": np.int8(0)}, ValueError, "need batch_size >= 1, got 0"),
        ({"epochs": -1}, ValueError, "need epochs >= 0, got -1"),
        ({"epochs": np.bool_(True)}, TypeError, "epochs must be an integer"),
        ({"seed": -1}, ValueError, "need seed >= 0"),
        ({"seed": False}, TypeError, "seed must be an integer"),
        ({"grad_reduction": "avg"}, ValueError, "grad_reduction must be 'mean' or 'sum'"),
    ],
)
def test_train_refuses_bad_arguments(change, error, match):
    with pytest.raises(error, match=match):
        nu.train(nu.init_params(SMALL), *blobs(10), **({"epochs": 1} | change))


def test_numpy_integers_are_integers():
    x, y = blobs(50)
    start = nu.init_params(SMALL)
    p1, h1 = nu.train(start, x, y, epochs=2, batch_size=16, seed=3)
    p2, h2 = nu.train(start, x, y, epochs=np.int32(2), batch_size=np.int64(16), seed=np.uint8(3))
    assert all(np.array_equal(p1[k], p2[k]) for k in p1) and h1["lr"] == h2["lr"]
    small = nu.init_params((np.int64(20), np.int16(8), np.uint8(5)), seed=np.int64(1))
    assert small["W1"].shape == (20, 8) and small["b2"].shape == (5,)
    with pytest.raises(TypeError, match="each of sizes must be an integer"):
        nu.init_params((20, True, 5))
    with pytest.raises(ValueError, match=r"need each of sizes >= 1, got 0"):
        nu.init_params((20, 0, 5))


def test_public_steps_check_their_inputs():
    params = nu.init_params(SMALL)
    x, y = blobs(4)
    probs, cache = nu.forward(params, x)
    grads = nu.backward(params, cache, y)
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        nu.sgd_step(params, grads, -0.1)
    with pytest.raises(ValueError, match=r"weight_decay must be a finite number >= 0, got nan"):
        nu.sgd_step(params, grads, 0.1, math.nan)
    with pytest.raises(ValueError, match=r"grads\['W1'\] holds NaN or infinite values"):
        nu.sgd_step(params, grads | {"W1": grads["W1"] * np.nan}, 0.1)
    with pytest.raises(ValueError, match=r"grads\['W3'\] has no parameter of its shape"):
        nu.sgd_step(params, {"W3": grads["W1"]}, 0.1)
    with pytest.raises(ValueError, match="cache must be the dict that forward"):
        nu.backward(params, {"x": x}, y)
    with pytest.raises(ValueError, match=r"probs must be probabilities in \[0, 1\]"):
        nu.cross_entropy(with_value(probs, np.nan), y)
    with pytest.raises(ValueError, match=r"probs must be probabilities in \[0, 1\]"):
        nu.cross_entropy(probs * 3, y)
    with pytest.raises(TypeError, match="probs must be floats"):
        nu.cross_entropy(np.ones((4, 5), int), y)
    assert all(np.isfinite(p).all() for p in params.values())  # nothing half-done


def test_accuracy_takes_labels_only():
    wrong = nu.one_hot(np.array([0, 1, 2, 3, 4]))
    right = nu.one_hot(np.array([1, 2, 3, 4, 0]))
    with pytest.raises(ValueError, match=r"y_true must be a 1-D array of labels.*argmax"):
        nu.accuracy(wrong, right)
    with pytest.raises(TypeError, match="y_pred must hold integer labels, got dtype float64"):
        nu.accuracy(np.array([1, 2]), np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="y_pred must be a 1-D array"):
        nu.accuracy(np.array([1, 2]), [1, 2])
    with pytest.raises(ValueError, match="non-empty"):
        nu.accuracy(np.array([], int), np.array([], int))
    assert nu.accuracy(np.array([3]), np.array([3])) == 1.0


# ----------------------------------------------------------------------------- the training loop


def hand_loop(params, x, y, epochs, batch_size, lr, weight_decay, seed, sum_grads=False):
    """train's contract, written with the public functions: its params and history."""
    params = {k: v.copy() for k, v in params.items()}
    rng = np.random.default_rng(seed)
    losses, accs = [], []
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        loss_sum = correct = 0.0
        n_batches = len(x) // batch_size  # full batches only; the rest sit this epoch out
        for step in range(n_batches):
            batch = order[step * batch_size : (step + 1) * batch_size]
            probs, cache = nu.forward(params, x[batch])
            loss_sum += nu.cross_entropy(probs, y[batch]) * len(batch)
            correct += np.sum(probs.argmax(axis=1) == y[batch])
            grads = nu.backward(params, cache, y[batch])
            if sum_grads:
                grads = {k: g * len(batch) for k, g in grads.items()}
            nu.sgd_step(params, grads, nu.cosine_lr(lr, epoch, epochs), weight_decay)
        losses.append(loss_sum / (n_batches * batch_size))
        accs.append(correct / (n_batches * batch_size))
    return params, losses, accs


@pytest.mark.parametrize(
    ("n", "epochs", "batch_size", "lr", "weight_decay"),
    [(100, 1, 32, 0.3, 5e-4), (90, 3, 1, 0.05, 0.0), (64, 2, 64, 0.5, 1e-3), (50, 2, 7, 1.0, 0)],
)
def test_train_is_the_public_functions_in_a_loop(n, epochs, batch_size, lr, weight_decay):
    x, y = blobs(n, seed=n)
    start = nu.init_params(SMALL, seed=1)
    kwargs = {"epochs": epochs, "batch_size": batch_size, "lr": lr, "weight_decay": weight_decay}
    params, history = nu.train(start, x, y, seed=4, **kwargs)
    expected, losses, accs = hand_loop(start, x, y, seed=4, **kwargs)
    for k in params:  # bit for bit: the same operations in the same order
        np.testing.assert_array_equal(params[k], expected[k])
    np.testing.assert_allclose(history["train_loss"], losses, rtol=1e-12)
    np.testing.assert_allclose(history["train_acc"], accs, rtol=1e-12)
    assert history["lr"] == [nu.cosine_lr(lr, e, epochs) for e in range(epochs)]


def test_history_times_each_epoch():
    x, y = blobs()
    start = time.perf_counter()
    _, history = nu.train(nu.init_params(SMALL), x, y, epochs=3)
    elapsed = time.perf_counter() - start
    assert len(history["seconds"]) == 3
    assert all(s > 0 for s in history["seconds"]) and sum(history["seconds"]) <= elapsed


def test_the_default_recipe_is_the_documented_one():
    """The notebook, README and benchmark quote these defaults."""
    defaults = {name: p.default for name, p in inspect.signature(nu.train).parameters.items()}
    assert {k: defaults[k] for k in ("epochs", "batch_size", "lr", "weight_decay")} == {
        "epochs": 10,
        "batch_size": 64,
        "lr": 0.5,
        "weight_decay": 0.0,
    }
    assert (defaults["schedule"], defaults["seed"], defaults["grad_reduction"]) == (
        "cosine",
        0,
        "mean",
    )


def test_zero_epochs_returns_a_copy_and_an_empty_history():
    start = nu.init_params(SMALL)
    x_val, y_val = blobs(5)
    params, history = nu.train(start, *blobs(10), epochs=0, batch_size=8, x_val=x_val, y_val=y_val)
    assert all(np.array_equal(params[k], start[k]) and params[k] is not start[k] for k in start)
    keys = ("lr", "train_loss", "train_acc", "seconds", "val_loss", "val_acc")
    assert history == {k: [] for k in keys}


def test_summed_gradients_are_mean_gradients_with_a_batch_times_larger_rate():
    x, y = blobs(96)
    x = x.astype(np.float64)
    start = nu.init_params(SMALL, seed=2, dtype=np.float64)
    common = {"epochs": 2, "batch_size": 16, "weight_decay": 0.0, "seed": 1}
    summed, h_sum = nu.train(start, x, y, lr=0.01, grad_reduction="sum", **common)
    mean, h_mean = nu.train(start, x, y, lr=0.16, **common)
    for k in summed:
        np.testing.assert_allclose(summed[k], mean[k], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(h_sum["train_loss"], h_mean["train_loss"], rtol=1e-10)
    # 90 = 5 full batches and 10 left over, which sit each epoch out: still the same steps.
    summed, _ = nu.train(start, x[:90], y[:90], lr=0.01, grad_reduction="sum", **common)
    mean, _ = nu.train(start, x[:90], y[:90], lr=0.16, **common)
    for k in summed:
        np.testing.assert_allclose(summed[k], mean[k], rtol=1e-10, atol=1e-12)
    expected, _, _ = hand_loop(start, x[:90], y[:90], 2, 16, 0.01, 0.0, 1, sum_grads=True)
    for k in summed:
        np.testing.assert_allclose(summed[k], expected[k], rtol=1e-12, atol=1e-15)


def test_an_epoch_takes_only_full_batches_in_a_fresh_order():
    x, y = blobs(90)
    start = nu.init_params(SMALL, seed=2)
    common = {"epochs": 1, "batch_size": 16, "lr": 0.1, "weight_decay": 0.0, "schedule": "constant"}
    params, _ = nu.train(start, x, y, seed=5, **common)
    # The same epoch by hand: the first 80 of the shuffled order, as 5 batches of 16.
    used = np.random.default_rng(5).permutation(90)[:80]
    expected = {k: v.copy() for k, v in start.items()}
    for step in range(5):
        batch = used[16 * step : 16 * (step + 1)]
        _, cache = nu.forward(expected, x[batch])
        nu.sgd_step(expected, nu.backward(expected, cache, y[batch]), 0.1)
    for k in params:
        np.testing.assert_array_equal(params[k], expected[k])


def test_a_batch_larger_than_the_data_is_refused():
    x, y = blobs(10)
    with pytest.raises(ValueError, match=r"batch_size 64 is larger than the 10 training examples"):
        nu.train(nu.init_params(SMALL), x, y, epochs=1)
    nu.train(nu.init_params(SMALL), x, y, epochs=1, batch_size=10)  # one full batch is fine


def test_huge_steps_are_reported_even_when_the_loss_stays_finite():
    x, y = blobs()
    with pytest.raises(FloatingPointError) as err:
        nu.train(nu.init_params(SMALL), x, y, epochs=3, lr=1e4, schedule="constant")
    message = str(err.value)
    assert "epoch 1" in message and "lower learning rate" in message
    assert "training diverged" in message or "the loss became" in message


def fake_epochs(monkeypatch, *batch_losses):
    """Make _train_epoch report these batch losses, one list per epoch, without training."""
    epochs = iter(batch_losses)
    monkeypatch.setattr(nu, "_train_epoch", lambda *args: (1.0, 0.5, next(epochs)))


def test_the_divergence_rule_looks_at_the_second_half_of_each_epoch(monkeypatch):
    """Late loss more than 0.1 log k above the first batch's raises; a stumble or less does not."""
    x, y = blobs(64)  # 5 classes: the margin is 0.1 log 5 = 0.161
    assert nu.CLIMB == 0.1
    fake_epochs(monkeypatch, [3.0, 9.0, 2.0, 2.0], [1.0, 1.0, 3.1, 3.1], [1.0, 1.0, 3.3, 3.4])
    with pytest.raises(
        FloatingPointError,
        match=r"second half of epoch 3 is 3\.35, more than 0\.16 above both 3 on the first",
    ):
        nu.train(nu.init_params(SMALL), x, y, epochs=3, schedule="constant", lr=0.2)
    fake_epochs(monkeypatch, [3.0], [3.17])  # an epoch of one batch: that batch is its half
    with pytest.raises(FloatingPointError, match=r"epoch 2 is 3\.17, more .*learning rate 0\.2:"):
        nu.train(nu.init_params(SMALL), x, y, epochs=2, schedule="constant", lr=0.2)
    fake_epochs(monkeypatch, [3.0], [3.16])  # within the margin: not above
    nu.train(nu.init_params(SMALL), x, y, epochs=2, schedule="constant", lr=0.2)


def test_the_divergence_rule_allows_the_wobble_of_guessing(monkeypatch):
    """A network that only learnt the class frequencies wobbles around log k: not diverged."""
    x, y = blobs(64)  # 5 classes: log 5 = 1.609, plus the margin 0.161 = 1.770
    fake_epochs(monkeypatch, [1.0, 1.0], [1.65, 1.77])
    _, history = nu.train(nu.init_params(SMALL), x, y, epochs=2)
    assert len(history["train_loss"]) == 2
    fake_epochs(monkeypatch, [1.0, 1.0], [1.78, 1.78])
    with pytest.raises(FloatingPointError, match=r"log\(5\) = 1\.609, the loss of guessing"):
        nu.train(nu.init_params(SMALL), x, y, epochs=2)


def test_the_divergence_rule_has_room_below_the_loss_ceiling(monkeypatch):
    """Unscaled weights start near float32's loss ceiling (about 87): a climb from 72 to 77
    is still caught, which a rule of 1.1 times the first loss (79) could not see."""
    x, y = blobs(64)
    fake_epochs(monkeypatch, [72.2, 72.2], [76.6, 76.6])
    with pytest.raises(FloatingPointError, match=r"epoch 2 is 76\.6, more than 0\.16 above"):
        nu.train(nu.init_params(SMALL), x, y, epochs=2)


def test_parameters_that_overflow_on_the_last_step_are_reported():
    """One batch per epoch: no loss ever measures the step after it; the parameters do."""
    x, y = blobs(64)
    for lr in (1e30, 1e38):  # finite parameters whose products overflow; then inf ones
        with pytest.raises(FloatingPointError, match=r"NaN or infinite values after epoch 1 "):
            nu.train(nu.init_params(SMALL), x, y, epochs=1, batch_size=64, lr=lr)


# ----------------------------------------------------------------------------- evaluation


def test_predict_refuses_unnormalised_pixels():
    params = nu.init_params()
    raw = np.random.default_rng(0).integers(0, 256, (4, 784)).astype(np.float32)
    with pytest.raises(ValueError, match="preprocess"):
        nu.predict(params, raw)
    assert nu.predict(params, raw / 255).shape == (4,)


def test_accuracy():
    assert nu.accuracy(np.array([1, 2, 3, 4]), np.array([1, 2, 0, 4])) == 0.75
    with pytest.raises(ValueError, match="shape"):
        nu.accuracy(np.array([1, 2]), np.array([1]))


def test_confusion_matrix_against_a_hand_count():
    y_true = np.array([0, 0, 1, 1, 1, 2, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 1, 2, 2, 2, 0, 2])
    expected = [[1, 1, 0], [0, 2, 1], [1, 0, 3]]
    np.testing.assert_array_equal(nu.confusion_matrix(y_true, y_pred, 3), expected)
    cm = nu.confusion_matrix(y_true, y_pred)
    assert cm.shape == (10, 10) and cm.sum() == 9 and cm[3:].sum() == 0


def test_confusion_matrix_of_a_single_class():
    np.testing.assert_array_equal(nu.confusion_matrix(np.zeros(3, int), np.zeros(3, int), 1), [[3]])
    with pytest.raises(ValueError, match="need num_classes >= 1, got 0"):
        nu.confusion_matrix(np.zeros(3, int), np.zeros(3, int), 0)


def test_precision_and_recall():
    cm = np.array([[1, 1, 0], [0, 2, 1], [1, 0, 3]])
    precision, recall = nu.precision_recall(cm)
    np.testing.assert_allclose(precision, [1 / 2, 2 / 3, 3 / 4])
    np.testing.assert_allclose(recall, [1 / 2, 2 / 3, 3 / 4])
    precision, recall = nu.precision_recall(np.array([[2, 0], [1, 0]]))  # class 1 never predicted
    assert precision[0] == pytest.approx(2 / 3) and math.isnan(precision[1])
    np.testing.assert_allclose(recall, [1, 0])



# ----------------------------------------------------------------------------- gradient check


def test_gradient_check_measures_the_relative_error(monkeypatch):
    """A backward 0.1% too large: the error must be |a - n| / (|a| + |n|) = 0.001 / 2.001."""
    params = nu.init_params(SMALL, seed=3, dtype=np.float64)
    x, y = blobs(16)
    real = nu.backward
    monkeypatch.setattr(
        nu, "backward", lambda p, c, y: {k: g * 1.001 for k, g in real(p, c, y).items()}
    )
    worst = nu.gradient_check(params, x.astype(np.float64), y, num_checks=10)
    assert worst == pytest.approx(0.001 / 2.001, rel=1e-4)


def test_gradient_check_default_step_is_the_documented_one():
    # The notebook's text quotes epsilon = 1e-5.
    assert inspect.signature(nu.gradient_check).parameters["eps"].default == 1e-5


def test_gradient_check_with_one_check_per_parameter():
    params = nu.init_params(SMALL, seed=3, dtype=np.float64)
    x, y = blobs(8)
    assert 0 <= nu.gradient_check(params, x.astype(np.float64), y, num_checks=1) < 1e-6


def test_gradient_check_checks_its_arguments():
    params = nu.init_params(SMALL, dtype=np.float64)
    x, y = blobs(4)
    with pytest.raises(TypeError, match="num_checks must be an integer"):
        nu.gradient_check(params, x.astype(np.float64), y, num_checks=True)
    with pytest.raises(ValueError, match="eps must be a finite number > 0"):
        nu.gradient_check(params, x.astype(np.float64), y, eps=0.0)
    with pytest.raises(ValueError, match="x holds 1 NaN"):
        nu.gradient_check(params, with_value(x.astype(np.float64), np.nan), y)


@pytest.mark.parametrize("eps", [1e-30, 1e-9, 0.011, 10.0])
def test_gradient_check_refuses_steps_that_measure_nothing(eps):
    # 1e-30 (p + eps == p) and 10 (another function) both returned 1.0 for a correct backward.
    params = nu.init_params(SMALL, dtype=np.float64)
    x, y = blobs(4)
    with pytest.raises(ValueError, match=r"eps must lie between 1e-08 and 0\.01 for float64, got"):
        nu.gradient_check(params, x.astype(np.float64), y, eps=eps)


@pytest.mark.parametrize("eps", [1e-8, 1e-2, np.float64(1e-5)])
def test_gradient_check_accepts_the_ends_of_its_range(eps):
    params = nu.init_params(SMALL, seed=3, dtype=np.float64)
    x, y = blobs(8)
    assert 0 <= nu.gradient_check(params, x.astype(np.float64), y, eps=eps, num_checks=3) < 1e-3


def wrong_keys(params, cache, y):
    return {k: g for k, g in nu.backward(params, cache, y).items() if k != "b2"}


def wrong_shape(params, cache, y):
    return nu.backward(params, cache, y) | {"b1": np.zeros(3)}


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"params": None}, TypeError, r"params: expected the dict of W1, b1, W2, b2 .* NoneType"),
        ({"params": [1, 2]}, TypeError, r"params: expected the dict .* got list"),
        ({"x": None}, ValueError, r"x must be an array of shape \(n, 20\), got NoneType"),
        ({"x": [[0.5] * 20] * 4}, ValueError, r"x must be an array of shape \(n, 20\), got list"),
        ({"y": None}, ValueError, r"labels must have shape \(4,\), got NoneType"),
        ({"y": [0, 1, 2, 3]}, ValueError, r"labels must have shape \(4,\), got list"),
        ({"eps": True}, TypeError, "eps must be a real number"),
        ({"eps": "1e-5"}, TypeError, "eps must be a real number"),
        ({"backward_fn": "backward"}, TypeError, r"backward_fn must be a function .* got str"),
        ({"backward_fn": lambda p, c, y: None}, ValueError, r"backward_fn returned NoneType; it"),
        ({"backward_fn": wrong_keys}, ValueError, r"returned \['W1', 'W2', 'b1'\]; .* keys W1, b1"),
        ({"backward_fn": wrong_shape}, ValueError, r"gradient b1 has shape \(3,\); .* \(8,\)"),
    ],
)
def test_gradient_check_says_what_is_wrong(change, error, match):
    x, y = blobs(4)
    args = {"params": nu.init_params(SMALL, dtype=np.float64), "x": x.astype(np.float64), "y": y}
    with pytest.raises(error, match=match):
        nu.gradient_check(**(args | change))


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


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int32, np.uint64])
def test_split_takes_any_integer_labels(dtype):
    y = np.arange(6).astype(dtype)
    _, y_fit, _, y_val = nu.train_val_split(np.zeros((6, 1)), y, n_val=2)
    assert sorted(np.concatenate([y_fit, y_val]).tolist()) == list(range(6))


def test_split_any_shape_and_smallest_sizes():
    x = np.zeros((2, 3, 4))
    x_fit, y_fit, x_val, y_val = nu.train_val_split(x, np.array([0, 1]), n_val=1)
    assert x_fit.shape == x_val.shape == (1, 3, 4) and len(y_fit) == len(y_val) == 1


@pytest.mark.parametrize(
    ("x", "y", "kwargs", "error", "match"),
    [
        (np.zeros((5, 2)), np.zeros(4, int), {}, ValueError, "5 rows but y has 4"),
        (np.zeros((5, 2)), np.zeros(5, int), {"n_val": 5}, ValueError, "leaves nothing to fit"),
        (np.zeros((5, 2)), np.zeros(5, int), {"n_val": 0}, ValueError, "need n_val >= 1"),
        (np.zeros((5, 2)), np.zeros(5, int), {"n_val": True}, TypeError, "n_val must be an int"),
        (np.zeros((5, 2)), np.zeros(5, int), {"n_val": 2.0}, TypeError, "n_val must be an int"),
        (np.zeros((5, 2)), np.zeros(5, int), {"n_val": 2, "seed": -1}, ValueError, "seed"),
        ([[0], [1]], np.zeros(2, int), {"n_val": 1}, TypeError, "x must be a NumPy .* got list"),
        (np.zeros((2, 1)), np.array(3), {"n_val": 1}, TypeError, "y must .* got a 0-d array"),
        # Labels a learner may pass by mistake: one-hot rows, floats, strings, booleans.
        (np.zeros((5, 2)), np.eye(5, dtype=int), {}, ValueError, r"y must be 1-D.*argmax"),
        (np.zeros((5, 2)), np.zeros(5), {}, TypeError, "integer labels, got dtype float64"),
        (np.zeros((5, 2)), np.array(list("01234")), {}, TypeError, "got dtype <U1"),
        (np.zeros((5, 2)), np.zeros(5, bool), {}, TypeError, "got dtype bool"),
    ],
)
def test_split_rejects(x, y, kwargs, error, match):
    with pytest.raises(error, match=match):
        nu.train_val_split(x, y, **kwargs)


def test_pca_known_directions_and_sign():
    u, w = np.array([0.8, 0.6]), np.array([-0.6, 0.8])  # orthonormal; u has more spread
    t, s = np.array([-3.0, -1, 1, 3]), np.array([1.0, -1, -1, 1])
    x = t[:, None] * u + s[:, None] * w + [5, -2]  # an offset, removed by centring
    z = nu.pca(x, k=2)
    # Signs: u's and w's largest entries (0.8) are positive, so the coordinates are t and s.
    np.testing.assert_allclose(z, np.column_stack([t, s]), atol=1e-12)
    np.testing.assert_allclose(nu.pca(-x, k=1)[:, 0], -t, atol=1e-12)  # same direction, no flip
    assert nu.pca(x.astype(np.float32), k=1).shape == (4, 1)


def test_pca_gives_two_coordinates_by_default():
    assert nu.pca(np.random.default_rng(0).random((6, 4))).shape == (6, 2)


def test_pca_rejects():
    with pytest.raises(ValueError, match="k=3 directions need"):
        nu.pca(np.ones((5, 2)), k=3)
    with pytest.raises(ValueError, match="need k >= 1"):
        nu.pca(np.ones((5, 2)), k=0)


def test_a_unit_that_is_exactly_zero_is_dead():
    params = nu.init_params((4, 2, 2))
    params["W1"][:, 0], params["b1"][:] = 0, [0, 0.5]  # unit 0: Z1 = 0 on every row, relu'(0) = 0
    assert nu.dead_units(params, np.ones((3, 4), np.float32)).tolist() == [True, False]


def test_dead_units_hand_set_bias_across_chunks():
    params = nu.init_params((4, 3, 2))
    params["W1"][:] = 1
    params["b1"][:] = [0.5, -100, -3.5]  # unit 1 can never fire; unit 2 only on a full row
    x = np.zeros((25_000, 4), np.float32)
    assert nu.dead_units(params, x).tolist() == [False, True, True]
    x[-1] = 1  # in the third chunk of 10,000 rows
    assert nu.dead_units(params, x).tolist() == [False, True, False]
    x[-1], x[10_000] = 0, 1  # the first row of the second chunk
    assert nu.dead_units(params, x).tolist() == [False, True, False]


def test_dead_units_rejects():
    params = nu.init_params((4, 3, 2))
    with pytest.raises(ValueError, match="x has 5 columns, the network takes 4"):
        nu.dead_units(params, np.zeros((2, 5)))
    with pytest.raises(ValueError, match="expected the keys"):
        nu.dead_units({"W1": params["W1"]}, np.zeros((2, 4)))


# ----------------------------------------------------------------------------- its place


def test_nn_utils_imports_nothing_of_the_project():
    assert project_imports("nn_utils") == set()


def test_dead_units_takes_pixels_in_0_1_only():
    x = blobs(50)[0]
    x[0, 0] = 0.0
    params = nu.init_params(SMALL)
    nu.dead_units(params, x)  # raises nothing on the preprocessed pixels
    for changed, error, match in [
        (raw(x), ValueError, r"x has values in \[0, 2\d\d\], outside \[0, 1\]; scale raw pixels"),
        (2 * x - 1, ValueError, r"x has values in \[-1, 0\.\d+\], outside \[0, 1\]"),
        (raw(x).astype(np.uint8), TypeError, r"x has dtype uint8; pass floats"),
        (with_value(x, np.nan), ValueError, "x contains NaN or inf"),
    ]:
        with pytest.raises(error, match=match):
            nu.dead_units(params, changed)


# ----------------------------------------------------------------------------- data augmentation


def ink_images(n: int = 6, seed: int = 0) -> np.ndarray:
    """(n, 784) float32 images in [0, 1]: a soft blob of ink near the middle of each."""
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[0:28, 0:28]
    centres = 13.5 + rng.uniform(-3, 3, (n, 2))
    images = np.exp(
        -((rows - centres[:, 0, None, None]) ** 2 + (cols - centres[:, 1, None, None]) ** 2)
        / (2 * 2.0**2)
    )
    return images.reshape(n, 784).astype(np.float32)


def centre_of_mass(x: np.ndarray) -> np.ndarray:
    """(n, 2) ink centres (row, column) of (n, 784) images."""
    rows, cols = np.mgrid[0:28, 0:28]
    ink = x.reshape(-1, 28, 28)
    total = ink.sum(axis=(1, 2))
    return (
        np.stack([(ink * rows).sum(axis=(1, 2)), (ink * cols).sum(axis=(1, 2))], 1) / total[:, None]
    )


STRONG = {"rotation": 45.0, "scale": 0.5, "shear": 0.5, "shift": 7.0}  # every limit at once


def test_distort_keeps_shape_dtype_and_the_range_0_1():
    x = ink_images(50)
    for dtype in (np.float32, np.float64):
        out = nu.distort(x.astype(dtype), np.random.default_rng(1), **STRONG)
        assert out.shape == x.shape and out.dtype == dtype
        assert out.min() >= 0 and out.max() <= 1
        assert not np.array_equal(out, x)
    full = np.ones((3, 784), np.float32)  # all ink: the middle stays ink, whatever the turn
    out = nu.distort(full, np.random.default_rng(2), rotation=5)
    assert out.max() == 1.0 and out.reshape(3, 28, 28)[:, 10:18, 10:18].min() == 1.0
    levels = np.unique(x)  # every output pixel is one of the image's own values, or 0
    assert np.isin(nu.distort(x, np.random.default_rng(4), **STRONG), np.append(levels, 0)).all()


def test_distort_at_strength_0_is_the_identity():
    x = ink_images(8)
    np.testing.assert_array_equal(nu.distort(x, np.random.default_rng(0)), x)
    zeros = dict.fromkeys(STRONG, 0.0)
    np.testing.assert_array_equal(nu.distort(x, np.random.default_rng(3), **zeros), x)


@pytest.mark.parametrize(
    ("shift", "moved_to"),
    [
        ((0.0, 1.0), (10, 11)),  # one pixel right
        ((-2.0, 0.0), (8, 10)),  # two pixels up
        ((0.25, 0.0), (10, 10)),  # a quarter pixel: the nearest pixel is still the same
        ((0.6, -1.4), (11, 9)),  # rounded: one down, one left
    ],
)
def test_a_known_shift_moves_a_known_pixel(shift, moved_to):
    image = np.zeros((1, 784), np.float32)
    image[0, 10 * 28 + 10] = 0.7  # one pixel of ink at row 10, column 10
    out = nu._resample(image, np.eye(2)[None], np.array([shift])).reshape(28, 28)
    want = np.zeros((28, 28), np.float32)
    want[moved_to] = 0.7
    np.testing.assert_array_equal(out, want)


def test_ink_pushed_off_the_edge_is_lost_and_the_new_border_is_0():
    image = np.zeros((1, 784), np.float32)
    image[0, 27 * 28 + 5] = 1.0  # bottom row
    moved = nu._resample(image, np.eye(2)[None], np.array([[3.0, 0.0]]))
    assert moved.max() == 0.0  # shifted 3 rows down, out of the picture
    full = np.ones((1, 784), np.float32)
    shifted = nu._resample(full, np.eye(2)[None], np.array([[0.0, 2.0]])).reshape(28, 28)
    assert shifted[:, :2].max() == 0.0 and shifted[:, 2:].min() == 1.0


def test_the_drawn_shift_moves_the_ink_by_that_much():
    x, n = ink_images(20), 20
    out = nu.distort(x, np.random.default_rng(7), shift=3.0)
    replay = np.random.default_rng(7)  # _random_affine draws angle, size, shear, then shift
    for _ in range(3):
        replay.uniform(0, 0, n)
    drawn = replay.uniform(-3.0, 3.0, (n, 2))
    assert np.abs(drawn).max() > 2  # the sample moves some images by more than 2 pixels
    # Each image moves by whole pixels: its shift, rounded.
    np.testing.assert_allclose(centre_of_mass(out) - centre_of_mass(x), np.rint(drawn), atol=1e-3)


def blob_at(row: float, col: float) -> np.ndarray:
    """(1, 784): a soft round blob of ink centred (row, col) pixels from the image's centre."""
    rows, cols = np.mgrid[0:28, 0:28] - 13.5
    return np.exp(-((rows - row) ** 2 + (cols - col) ** 2) / 4.5).reshape(1, 784).astype("f4")


def test_rotation_and_scale_move_the_ink_as_drawn():
    image = blob_at(-6.0, 0.0)  # six rows above the centre
    inverse, offset = nu._random_affine(np.random.default_rng(11), 1, rotation=30.0)
    angle = np.deg2rad(np.random.default_rng(11).uniform(-30.0, 30.0, 1)[0])
    assert abs(angle) > np.deg2rad(10)  # large enough for the direction to show
    row, col = centre_of_mass(nu._resample(image, inverse, offset))[0] - 13.5
    # M = [[cos, -sin], [sin, cos]] on (row, col) takes (-6, 0) to (-6 cos, -6 sin).
    np.testing.assert_allclose([row, col], [-6 * np.cos(angle), -6 * np.sin(angle)], atol=0.25)
    inverse, offset = nu._random_affine(np.random.default_rng(12), 1, scale=0.4)
    size = 1 + np.random.default_rng(12).uniform(-0.4, 0.4, 2)[1]  # angle, then size
    assert abs(size - 1) > 0.15
    row, _ = centre_of_mass(nu._resample(image, inverse, offset))[0] - 13.5
    np.testing.assert_allclose(row, -6 * size, atol=0.25)


def test_shear_slants_columns_and_keeps_the_middle_row():
    inverse, offset = nu._random_affine(np.random.default_rng(13), 1, shear=0.4)
    slant = np.random.default_rng(13).uniform(-0.4, 0.4, 3)[2]  # angle, size, then shear
    assert abs(slant) > 0.15
    image = blob_at(-7.0, 0.0)
    row, col = centre_of_mass(nu._resample(image, inverse, offset))[0] - 13.5
    # M = [[1, 0], [slant, 1]] takes (-7, 0) to (-7, -7 slant).
    np.testing.assert_allclose([row, col], [-7, -7 * slant], atol=0.25)


def test_distort_is_deterministic_per_seed_and_each_image_differs():
    x = np.repeat(ink_images(1), 4, axis=0)
    a = nu.distort(x, np.random.default_rng(5), rotation=10, scale=0.1, shear=0.1, shift=2)
    b = nu.distort(x, np.random.default_rng(5), rotation=10, scale=0.1, shear=0.1, shift=2)
    c = nu.distort(x, np.random.default_rng(6), rotation=10, scale=0.1, shear=0.1, shift=2)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert len({row.tobytes() for row in a}) == 4  # one distortion per image, not per batch


def test_train_with_augmentation_is_reproducible_and_off_by_default():
    x, y = np.repeat(ink_images(8), 8, axis=0), np.repeat(np.arange(8) % 5, 8)
    start = nu.init_params((784, 8, 5), seed=0)
    common = {"epochs": 2, "batch_size": 16, "seed": 3, "lr": 0.1}
    aug = {"rotation": 10, "shift": 2}
    p1, _ = nu.train(start, x, y, augment=aug, **common)
    p2, _ = nu.train(start, x, y, augment=aug, **common)
    plain, _ = nu.train(start, x, y, **common)
    zeros, _ = nu.train(start, x, y, augment=dict.fromkeys(STRONG, 0), **common)
    for k in start:
        np.testing.assert_array_equal(p1[k], p2[k])
        np.testing.assert_array_equal(plain[k], zeros[k])  # strength 0 draws nothing
    assert not np.array_equal(p1["W1"], plain["W1"])


def test_train_distorts_each_batch_with_the_shuffling_generator():
    x, y = np.repeat(ink_images(4), 4, axis=0), np.tile(np.arange(4), 4)
    start = nu.init_params((784, 6, 4), seed=1)
    aug = {"rotation": 10.0, "shift": 2.0}
    params, _ = nu.train(
        start, x, y, epochs=1, batch_size=8, lr=0.1, weight_decay=5e-4, augment=aug, seed=9
    )
    expected = {k: v.copy() for k, v in start.items()}
    rng = np.random.default_rng(9)
    order = rng.permutation(16)
    for step in range(2):
        batch = order[8 * step : 8 * (step + 1)]
        xb = nu.distort(x[batch], rng, **aug)
        _, cache = nu.forward(expected, xb)
        nu.sgd_step(expected, nu.backward(expected, cache, y[batch]), 0.1, 5e-4)
    for k in params:
        np.testing.assert_array_equal(params[k], expected[k])


@pytest.mark.parametrize(
    ("augment", "error", "match"),
    [
        ({"rotation": -5}, ValueError, r"rotation strength must be from 0 to 45, got -5"),
        ({"shift": float("nan")}, ValueError, r"shift strength must be from 0 to 7, got nan"),
        ({"scale": float("inf")}, ValueError, r"scale strength must be from 0 to 0.5, got inf"),
        ({"scale": 1.0}, ValueError, r"no longer keeps the digit's label"),
        ({"rotation": 90}, ValueError, r"from 0 to 45, got 90"),
        ({"shear": True}, TypeError, r"shear strength must be a real number .* \(bool\)"),
        ({"shift": "2"}, TypeError, r"shift strength must be a real number .* \(str\)"),
        ({"shift": 1j}, TypeError, r"\(complex\)"),
        ({"rotate": 10}, ValueError, r"unknown distortions \['rotate'\]: use \['rotation'"),
        ([("rotation", 10)], TypeError, r"augment must be a dict of strengths .* got list"),
        (10, TypeError, r"augment must be a dict .* got int"),
    ],
)
def test_bad_augmentation_strengths_are_refused(augment, error, match):
    x, y = blobs(20)
    with pytest.raises(error, match=match):
        nu.train(nu.init_params(SMALL), x, y, epochs=1, batch_size=4, augment=augment)
    if isinstance(augment, dict) and len(augment) == 1 and "rotate" not in augment:
        with pytest.raises(error, match=match):
            nu.distort(ink_images(2), np.random.default_rng(0), **augment)


@pytest.mark.parametrize(
    ("x", "rng", "error", "match"),
    [
        (ink_images(2) * 255, np.random.default_rng(0), ValueError, r"outside \[0, 1\]"),
        (ink_images(2).reshape(2, 28, 28), np.random.default_rng(0), ValueError, r"\(n, d\)"),
        (ink_images(2)[:, :100], np.random.default_rng(0), ValueError, r"\(n, 784\) floats"),
        ((ink_images(2) * 255).astype(np.uint8), np.random.default_rng(0), ValueError, "uint8"),
        (ink_images(2).tolist(), np.random.default_rng(0), TypeError, "NumPy array, got list"),
        (np.full((2, 784), np.nan, np.float32), np.random.default_rng(0), ValueError, "NaN"),
        (ink_images(2), 0, TypeError, r"rng must be a numpy.random.Generator, got int"),
        (ink_images(2), np.random.RandomState(0), TypeError, "got RandomState"),
    ],
)
def test_distort_refuses_what_it_cannot_distort(x, rng, error, match):
    with pytest.raises(error, match=match):
        nu.distort(x, rng, rotation=10)


def test_distortion_scales_every_strength_and_checks_s():
    assert nu.distortion(0) == dict.fromkeys(nu.DISTORTION, 0.0)
    assert nu.distortion(1) == nu.DISTORTION
    assert nu.distortion(1.5) == {k: 1.5 * v for k, v in nu.DISTORTION.items()}
    assert nu.distortion(3.5)["shift"] == 7.0  # the shift reaches its limit first
    for bad, error, match in [
        (-1, ValueError, r"the strength s must be from 0 to 3.5, got -1"),
        (float("nan"), ValueError, r"got nan"),
        (4.5, ValueError, r"must be from 0 to 3.5, got 4.5: beyond 3.5 a distortion would pass"),
        (True, TypeError, r"strength s must be a real number, got True \(bool\)"),
        ("1", TypeError, r"got '1' \(str\)"),
        (None, TypeError, r"got None \(NoneType\)"),
    ]:
        with pytest.raises(error, match=match):
            nu.distortion(bad)


def test_a_strength_of_minus_zero_is_zero():
    x = ink_images(3)
    out = nu.distort(x, np.random.default_rng(0), rotation=-0.0, shift=-0.0)
    np.testing.assert_array_equal(out, x)
    assert nu.distortion(-0.0) == dict.fromkeys(nu.DISTORTION, 0.0)
