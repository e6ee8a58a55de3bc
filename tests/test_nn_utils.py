"""nn_utils.py: the network's maths, training, evaluation, saving and loading, then the validation
split, baselines and digits from outside MNIST, on small arrays made here (no MNIST needed)."""

from __future__ import annotations

import ast
import inspect
import math
import time

import numpy as np
import pytest

import nn_utils as nu
from conftest import SMALL, blobs, project_imports, ring

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
        (np.array([0.0, 1.0]), "integers"),
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
    with pytest.raises(ValueError, match="'he' or 'standard_normal'"):
        nu.init_params(scheme="xavier")


# ----------------------------------------------------------------------------- backprop


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


def with_value(x: np.ndarray, value: float) -> np.ndarray:
    x = x.copy()
    x[1, 3] = value
    return x


CALLERS = {
    "predict": lambda p, x, y: nu.predict(p, x),
    "evaluate": lambda p, x, y: nu.evaluate(p, x, y),
    "forward": lambda p, x, y: nu.forward(p, x),
    "train": lambda p, x, y: nu.train(p, x, y, epochs=1),
    "train (validation)": lambda p, x, y: nu.train(p, *blobs(10), epochs=1, x_val=x, y_val=y),
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
    ],
)
def test_bad_pixels_are_refused_where_data_enter(caller, value, match):
    x, y = blobs(10)
    x[0, 0] = 0.0  # the range [0, 1] is otherwise what blobs makes
    with pytest.raises(ValueError, match=match):
        CALLERS[caller](nu.init_params(SMALL), with_value(x, value), y)


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
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            probs, cache = nu.forward(params, x[batch])
            loss_sum += nu.cross_entropy(probs, y[batch]) * len(batch)
            correct += np.sum(probs.argmax(axis=1) == y[batch])
            grads = nu.backward(params, cache, y[batch])
            if sum_grads:
                grads = {k: g * len(batch) for k, g in grads.items()}
            nu.sgd_step(params, grads, nu.cosine_lr(lr, epoch, epochs), weight_decay)
        losses.append(loss_sum / len(x))
        accs.append(correct / len(x))
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
        "epochs": 20,
        "batch_size": 64,
        "lr": 0.5,
        "weight_decay": 5e-4,
    }
    assert (defaults["schedule"], defaults["seed"], defaults["grad_reduction"]) == (
        "cosine",
        0,
        "mean",
    )


def test_zero_epochs_returns_a_copy_and_an_empty_history():
    start = nu.init_params(SMALL)
    params, history = nu.train(start, *blobs(10), epochs=0, x_val=blobs(5)[0], y_val=blobs(5)[1])
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
    # 90 = 5 full batches and one of 10: that batch's step is 10/16 of the mean run's.
    summed, _ = nu.train(start, x[:90], y[:90], lr=0.01, grad_reduction="sum", **common)
    mean, _ = nu.train(start, x[:90], y[:90], lr=0.16, **common)
    assert not np.allclose(summed["W1"], mean["W1"], rtol=1e-6, atol=0)
    expected, _, _ = hand_loop(start, x[:90], y[:90], 2, 16, 0.01, 0.0, 1, sum_grads=True)
    for k in summed:
        np.testing.assert_allclose(summed[k], expected[k], rtol=1e-12, atol=1e-15)


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
    """Late loss above the first batch's raises; an early stumble or an equal loss does not."""
    x, y = blobs(64)
    fake_epochs(monkeypatch, [3.0, 9.0, 2.0, 2.0], [1.0, 1.0, 3.0, 3.0], [1.0, 1.0, 3.0, 3.02])
    with pytest.raises(FloatingPointError, match=r"second half of epoch 3 is 3\.01, above 3 on"):
        nu.train(nu.init_params(SMALL), x, y, epochs=3, schedule="constant", lr=0.2)
    fake_epochs(monkeypatch, [3.0], [3.5])  # an epoch of one batch: that batch is its half
    with pytest.raises(FloatingPointError, match=r"epoch 2 is 3\.5, above 3 .*learning rate 0\.2:"):
        nu.train(nu.init_params(SMALL), x, y, epochs=2, schedule="constant", lr=0.2)


def test_the_divergence_rule_allows_up_to_the_loss_of_guessing(monkeypatch):
    """A network that only learnt the class frequencies (loss <= log k) has not diverged."""
    x, y = blobs(64)  # 5 classes: log 5 = 1.609
    fake_epochs(monkeypatch, [1.0, 1.0], [1.6, 1.6])
    _, history = nu.train(nu.init_params(SMALL), x, y, epochs=2)
    assert len(history["train_loss"]) == 2
    fake_epochs(monkeypatch, [1.0, 1.0], [1.62, 1.62])
    with pytest.raises(FloatingPointError, match=r"log\(5\) = 1\.609"):
        nu.train(nu.init_params(SMALL), x, y, epochs=2)


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


def test_precision_and_recall():
    cm = np.array([[1, 1, 0], [0, 2, 1], [1, 0, 3]])
    precision, recall = nu.precision_recall(cm)
    np.testing.assert_allclose(precision, [1 / 2, 2 / 3, 3 / 4])
    np.testing.assert_allclose(recall, [1 / 2, 2 / 3, 3 / 4])
    precision, recall = nu.precision_recall(np.array([[2, 0], [1, 0]]))  # class 1 never predicted
    assert precision[0] == pytest.approx(2 / 3) and math.isnan(precision[1])
    np.testing.assert_allclose(recall, [1, 0])


# ----------------------------------------------------------------------------- save and load


def test_load_accepts_a_layer_of_one_unit(tmp_path):
    nu.save_params(tmp_path / "p.npz", nu.init_params((20, 1, 5)))
    assert nu.load_params(tmp_path / "p.npz", sizes=(20, 1, 5))["W1"].shape == (20, 1)


def test_save_and_load_round_trip(tmp_path):
    params = nu.init_params(seed=4)
    nu.save_params(tmp_path / "p.npz", params)
    loaded = nu.load_params(tmp_path / "p.npz", sizes=(784, 64, 10))
    for k in params:
        assert loaded[k].dtype == np.float32
        np.testing.assert_array_equal(loaded[k], params[k])
    assert [p.name for p in tmp_path.iterdir()] == ["p.npz"]


def test_load_rejects_missing_keys_and_wrong_shapes(tmp_path):
    params = nu.init_params(SMALL)
    np.savez(tmp_path / "missing.npz", **{k: v for k, v in params.items() if k != "b2"})
    with pytest.raises(ValueError, match=r"missing\.npz: expected the keys W1, b1, W2, b2"):
        nu.load_params(tmp_path / "missing.npz")
    np.savez(tmp_path / "shape.npz", **(params | {"b1": np.zeros(9)}))
    with pytest.raises(ValueError, match=r"shape\.npz: inconsistent shapes .*b1 \(9,\)"):
        nu.load_params(tmp_path / "shape.npz")
    np.savez(tmp_path / "small.npz", **params)
    with pytest.raises(ValueError, match=r"\(20, 8, 5\), expected \(784, 64, 10\)"):
        nu.load_params(tmp_path / "small.npz", sizes=(784, 64, 10))


def test_load_refuses_pickles(tmp_path):
    params = dict(nu.init_params(SMALL), W1=np.array([{"a": 1}], dtype=object))
    np.savez(tmp_path / "pickled.npz", **params)
    with pytest.raises(ValueError, match=r"pickled\.npz: holds Python objects") as err:
        nu.load_params(tmp_path / "pickled.npz")
    assert "allow_pickle" not in str(err.value)  # never point the user to unsafe loading


def test_save_rejects_bad_params(tmp_path):
    with pytest.raises(ValueError, match="expected the keys"):
        nu.save_params(tmp_path / "p.npz", {"W1": np.zeros((2, 2))})
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"", r"bad: not a \.npz file \(it starts with nothing: it is empty\)"),
        (b"W1 = [[0.1, 0.2]]\n", r"bad: not a \.npz file \(it starts with 5731"),
        (bytes(np.random.default_rng(0).integers(0, 256, 300, np.uint8)), r"bad: not a \.npz"),
        (b"PK\x03\x04" + bytes(100), r"bad: truncated or corrupt \.npz file"),
    ],
)
def test_load_names_the_file_for_any_unreadable_content(tmp_path, content, match):
    (tmp_path / "bad").write_bytes(content)
    with pytest.raises(ValueError, match=match) as err:
        nu.load_params(tmp_path / "bad")
    assert "allow_pickle" not in str(err.value)


def test_load_refuses_npy_and_truncated_files(tmp_path):
    np.save(tmp_path / "w.npy", np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"w\.npy: this is a single \.npy array, not the \.npz"):
        nu.load_params(tmp_path / "w.npy")
    nu.save_params(tmp_path / "p.npz", nu.init_params(SMALL))
    raw = (tmp_path / "p.npz").read_bytes()
    for cut in (10, len(raw) // 2, len(raw) - 10):
        (tmp_path / "cut.npz").write_bytes(raw[:cut])
        with pytest.raises(ValueError, match=r"cut\.npz: truncated or corrupt \.npz file"):
            nu.load_params(tmp_path / "cut.npz")
    with pytest.raises(FileNotFoundError, match=r"nowhere\.npz"):
        nu.load_params(tmp_path / "nowhere.npz")


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"W1": np.nan}, ValueError, r"p\.npz: W1 holds 1 NaN or infinite values"),
        ({"b1": -np.inf}, ValueError, r"p\.npz: b1 holds 1 NaN or infinite values"),
        ({"W2": np.int32}, TypeError, r"p\.npz: W2 has dtype int32; weights must be real floats"),
        ({"b2": np.bool_}, TypeError, r"p\.npz: b2 has dtype bool"),
        ({"W1": np.complex64}, TypeError, r"p\.npz: W1 has dtype complex64"),
    ],
)
def test_load_refuses_non_finite_and_non_float_weights(tmp_path, change, error, match):
    params = nu.init_params(SMALL)
    ((key, value),) = change.items()
    if isinstance(value, float):
        params[key].flat[0] = value
    else:
        params[key] = params[key].astype(value)
    np.savez(tmp_path / "p.npz", **params)
    with pytest.raises(error, match=match):
        nu.load_params(tmp_path / "p.npz")


def test_save_refuses_non_finite_weights(tmp_path):
    params = nu.init_params(SMALL)
    params["W2"][0, 0] = np.nan
    with pytest.raises(ValueError, match="params: W2 holds 1 NaN or infinite values"):
        nu.save_params(tmp_path / "p.npz", params)
    assert list(tmp_path.iterdir()) == []


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
            r"class\(es\) \[1\] have no examples.*every class 0\.\.2,",
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
    x[-1], x[10_000] = 0, 1  # the first row of the second chunk
    assert nu.dead_units(params, x).tolist() == [False, True, False]


def test_dead_units_rejects():
    params = nu.init_params((4, 3, 2))
    with pytest.raises(ValueError, match="x has 5 columns, the network takes 4"):
        nu.dead_units(params, np.zeros((2, 5)))
    with pytest.raises(ValueError, match="expected the keys"):
        nu.dead_units({"W1": params["W1"]}, np.zeros((2, 4)))


# --------------------------------------------------------------------------- outside digits


def ink_box(out: np.ndarray) -> tuple[int, int]:
    rows, cols = np.flatnonzero((out > 0).any(axis=1)), np.flatnonzero((out > 0).any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


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


def test_prepare_digit_crops_to_exactly_the_ink():
    image = np.ones((100, 100))
    image[30:70, 40:60] = 0.0  # a solid dark block, 40 x 20, on white paper
    out = nu.prepare_digit(image)
    assert ink_box(out) == (20, 10)
    assert out[out > 0].min() > 0.999  # all ink: no paper was cropped in and averaged into it


def test_prepare_digit_allows_up_to_90_percent_ink():
    image = np.ones((10, 10))
    image.flat[:90] = 0.0  # 90% of the pixels are ink: the most that is accepted
    assert nu.prepare_digit(image, invert=True).shape == (28, 28)


def test_prepare_digit_all_ink():
    image = np.ones((100, 100))
    image[50:53, 40:60] = 0  # a small dark dash: with invert=False the paper is the "ink"
    with pytest.raises(ValueError, match="all ink: is the photo cropped too tightly"):
        nu.prepare_digit(image, invert=False)


# ----------------------------------------------------------------------------- its place


def test_nn_utils_takes_only_the_file_writer_from_the_project():
    assert project_imports("nn_utils") == {"mnist_data"}
    names = {
        alias.name
        for node in ast.walk(ast.parse(inspect.getsource(nu)))
        if isinstance(node, ast.ImportFrom) and node.module == "mnist_data"
        for alias in node.names
    }
    assert names == {"_write_atomically"}  # one helper, kept in one place
