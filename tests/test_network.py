"""The network's maths, training and evaluation, on small arrays made here."""

from __future__ import annotations

import math

import numpy as np
import pytest

import nn_utils as nu

SMALL = (20, 8, 5)  # a network small enough to check every gradient quickly


def blobs(n: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A synthetic, learnable task: 5 classes, each a bright patch in 20 'pixels' in [0, 1]."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 5, n)
    x = rng.uniform(0, 0.3, (n, 20))
    for k in range(5):
        x[y == k, 4 * k : 4 * k + 4] += 0.6
    return x.astype(np.float32), y


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
    with pytest.raises(FloatingPointError, match=r"epoch 1, step \d+ .*lower learning rate"):
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
    with pytest.raises(ValueError, match="allow_pickle"):
        nu.load_params(tmp_path / "pickled.npz")


def test_save_rejects_bad_params(tmp_path):
    with pytest.raises(ValueError, match="expected the keys"):
        nu.save_params(tmp_path / "p.npz", {"W1": np.zeros((2, 2))})
    assert list(tmp_path.iterdir()) == []
