"""Two baselines for mnist_from_scratch.ipynb, section 4.3: what a model without a hidden
layer achieves, so that the network's figure means something.

* ``nearest_class_mean_fit`` and ``nearest_class_mean_predict``: each image gets the class
  whose mean image is nearest. No training, no learning rate.
* ``softmax_regression`` and ``softmax_regression_predict``: probs = softmax(x W + b), the
  network of nn_utils without its hidden layer, trained as it is (full mini-batches of the
  mean cross-entropy, a seeded ``numpy.random.Generator`` shuffling each epoch).

Both take what the network takes: x (n, 784) float in [0, 1] (``nn_utils.preprocess``),
labels y (n,) integers 0..9; raw 0-255 pixels are refused.

What this module must NOT hold: the network (nn_utils.py, whose building blocks and checks it
uses; nothing in nn_utils imports this module) and anything that reads files.
"""

from __future__ import annotations

import math

import numpy as np

from nn_utils import (
    Params,
    _batches,
    _check_batch_size,
    _check_int,
    _check_labels,
    _check_pixels,
    _check_real,
    _cross_entropy,
    softmax,
)


def nearest_class_mean_fit(x: np.ndarray, y: np.ndarray, num_classes: int = 10) -> np.ndarray:
    """The mean image of each class: x (n, d), y (n,) labels -> means (num_classes, d) float32.

    x: floats in [0, 1], preprocessed as for the network. Raw 0..255 pixels are refused: on
    them it predicted class 1 for every MNIST digit (11.9%), however right it looked.

    The simplest learned classifier there is: a baseline any network should beat.
    """
    x = _check_pixels(x)
    num_classes = _check_int("num_classes", num_classes, 1)
    _check_labels(y, len(x), num_classes)
    counts = np.bincount(y, minlength=num_classes)
    if (counts == 0).any():
        missing = np.flatnonzero(counts == 0).tolist()
        raise ValueError(
            f"class(es) {missing} have no examples in y, so they have no mean; give examples "
            f"of every class 0..{num_classes - 1}, or a smaller num_classes"
        )
    # One class at a time: a float64 sum per class, without an (n, d) float64 copy of x.
    means = [x[y == c].mean(axis=0, dtype=np.float64) for c in range(num_classes)]
    return np.stack(means).astype(np.float32)


def nearest_class_mean_predict(means: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Class of the nearest mean (Euclidean) for each row: means (k, d), x (n, d) -> (n,) int64."""
    means = _check_pixels(means, "means")  # means of pixels in [0, 1] lie in [0, 1] too
    x = _check_pixels(x)
    if x.shape[1] != means.shape[1]:
        raise ValueError(
            f"x has {x.shape[1]} columns but the means have {means.shape[1]}: "
            "preprocess x exactly as the data the means were fitted on"
        )
    # ||x - m||^2 = ||x||^2 - 2 x.m + ||m||^2: one matrix product, no (n, k, d) temporary.
    x_sq = np.einsum("ij,ij->i", x, x, dtype=np.float64)[:, None]
    m_sq = np.einsum("ij,ij->i", means, means, dtype=np.float64)[None, :]
    dist_sq = x_sq - 2 * (x @ means.T) + m_sq
    return dist_sq.argmin(axis=1).astype(np.int64)


def softmax_regression(
    x: np.ndarray,
    y: np.ndarray,
    epochs: int = 5,
    lr: float = 0.5,
    batch_size: int = 64,
    seed: int = 0,
    num_classes: int = 10,
) -> Params:
    """Fit a linear classifier, probs = softmax(x W + b): the network without a hidden layer.

    x: (n, d) float32 in [0, 1]; y: (n,) integer labels. Mini-batch gradient descent on the
    mean cross-entropy from W = 0, b = 0 (with no hidden layer there is no symmetry to
    break), examples shuffled each epoch by a Generator seeded with ``seed``. Returns
    {"W": (d, num_classes), "b": (num_classes,)} in x's float dtype. Raises
    FloatingPointError if the loss stops being finite (lr too large).
    """
    x = _check_pixels(x)
    num_classes = _check_int("num_classes", num_classes, 2)
    _check_labels(y, len(x), num_classes)
    epochs = _check_int("epochs", epochs, 0)
    batch_size = _check_int("batch_size", batch_size, 1)
    seed = _check_int("seed", seed, 0)
    lr = _check_real("lr", lr, positive=True)
    _check_batch_size(batch_size, len(x))

    W = np.zeros((x.shape[1], num_classes), x.dtype)
    b = np.zeros(num_classes, x.dtype)
    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        for batch in _batches(rng, len(x), batch_size):
            xb, yb = x[batch], y[batch]
            probs = softmax(xb @ W + b)
            if not math.isfinite(_cross_entropy(probs, yb)):  # inputs were checked above
                raise FloatingPointError(
                    f"the loss stopped being finite in epoch {epoch + 1} (lr {lr:g}): "
                    "try a smaller learning rate"
                )
            dZ = probs  # softmax + cross-entropy: dL/dZ = probs - one_hot(y), over n
            dZ[np.arange(len(yb)), yb] -= 1
            dZ /= len(yb)
            W -= lr * (xb.T @ dZ)
            b -= lr * dZ.sum(axis=0)
    if not (np.isfinite(W).all() and np.isfinite(b).all()):  # the last step is checked too
        raise FloatingPointError(
            f"the weights stopped being finite in the last step (lr {lr:g}): try a smaller "
            "learning rate"
        )
    return {"W": W, "b": b}


def softmax_regression_predict(params: Params, x: np.ndarray) -> np.ndarray:
    """Predicted classes (n,) int64 for x: (n, d), from ``softmax_regression``'s params."""
    if not isinstance(params, dict) or set(params) != {"W", "b"}:
        raise ValueError("params must be the dict {'W': ..., 'b': ...} from softmax_regression")
    for key, value in params.items():
        if not isinstance(value, np.ndarray) or not np.issubdtype(value.dtype, np.floating):
            got = value.dtype if isinstance(value, np.ndarray) else type(value).__name__
            raise TypeError(
                f"params[{key!r}] must be a NumPy array of floats, got {got}: pass the dict "
                "that softmax_regression returned"
            )
        if not np.isfinite(value).all():
            raise ValueError(
                f"params[{key!r}] holds NaN or infinite values, so every prediction would be the "
                "same class; fit again with softmax_regression (a smaller lr if it diverged)"
            )
    x = _check_pixels(x)
    W, b = params["W"], params["b"]
    if W.ndim != 2 or b.shape != (W.shape[1],) or 0 in W.shape or x.shape[1] != W.shape[0]:
        raise ValueError(
            f"shapes do not fit: x {x.shape}, W {W.shape}, b {b.shape}; expected x (n, d), "
            "W (d, k), b (k,) with k >= 1"
        )
    # softmax keeps the order of the logits, so the largest logit is the prediction.
    return (x @ W + b).argmax(axis=1).astype(np.int64)
