"""The network of mnist_from_scratch.ipynb, 784-64-10 in NumPy, and what the notebook does with it.

784 inputs -> 64 ReLU units -> 10 softmax outputs, cross-entropy loss, mini-batch gradient
descent with backpropagation written out by hand. Shapes follow the notebook's notation: a batch
``x`` is ``(n, 784)`` float32 in [0, 1], ``W1`` is ``(784, 64)``, ``b1`` is ``(64,)``, ``W2`` is
``(64, 10)``, ``b2`` is ``(10,)``, labels ``y`` are integers ``(n,)`` in 0..9. Randomness comes
only from seeded ``numpy.random.Generator`` objects, so the same seed gives the same numbers.

A map of this file, section by section:

* Input checks: ``_check_int``, ``_check_real``, ``_check_params`` (with ``_check_shapes``),
  ``_check_data``, ``_check_scaled`` and ``_check_labels`` raise a clear error where data
  enter, instead of a silently wrong array.
* Building blocks: ``preprocess``, ``one_hot``, ``relu``, ``relu_grad``, ``softmax``,
  ``cross_entropy``, ``init_params``.
* Forward and backward passes: ``forward``, ``backward``, ``sgd_step``; each checks its inputs,
  then calls an unchecked twin (``_forward``, ``_backward``, ``_sgd_step``) that training uses.
* Training: ``cosine_lr``, ``evaluate``, ``train`` (one epoch: ``_train_epoch``).
* Evaluation: ``predict``, ``accuracy``, ``confusion_matrix``, ``precision_recall``.
* Saving, loading and checking: ``save_params``, ``load_params`` (reads each .npy header
  before its data: ``MAX_PARAM_VALUES``, ``MAX_HEADER_BYTES``), ``gradient_check``.
* Validation split and baselines: ``train_val_split``, ``nearest_class_mean_fit`` and
  ``nearest_class_mean_predict``, ``softmax_regression`` and ``softmax_regression_predict``,
  ``pca``, ``dead_units``; the baselines take pixels in [0, 1] (``_check_pixels``).
* A digit from outside MNIST: ``resize_area``, ``prepare_digit``, within ``MAX_IMAGE_PIXELS``,
  ``MAX_IMAGE_SIDE``, ``MAX_RESIZE_WEIGHTS`` and ``MAX_RESIZE_WORK``.

What this module must NOT hold: loading MNIST (mnist_data.py; from it, this module takes only
``_write_atomically``, for save_params) and the exercises' checks (exercises.py, which imports
this module; nothing here imports it).
"""

from __future__ import annotations

import io
import math
import os
import stat
import struct
import time
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from mnist_data import _write_atomically

# ---------------------------------------------------------------------------------------
# Input checks: a clear error beats a silently wrong array
# ---------------------------------------------------------------------------------------

Params = dict[str, np.ndarray]
PARAM_KEYS = ("W1", "b1", "W2", "b2")


def _check_int(name: str, value: int, minimum: int) -> int:
    """``value`` as an int; raise unless it is an integer (Python or NumPy, not bool) >= minimum."""
    # bool is a subclass of int, but batch_size=True is a mistake, not a batch of one.
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"need {name} >= {minimum}, got {value}")
    return int(value)


def _check_real(name: str, value: float, positive: bool) -> float:
    """``value`` as a float; raise unless it is a finite real number > 0 (``positive``) or >= 0."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    if isinstance(value, complex | np.complexfloating):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    number = float(value)
    if not (math.isfinite(number) and (number > 0 if positive else number >= 0)):
        raise ValueError(
            f"{name} must be a finite number {'> 0' if positive else '>= 0'}, got {value!r} "
            "(the default recipe uses lr=0.5 and weight_decay=5e-4)"
        )
    return number


def _check_batch_size(batch_size: int, n: int) -> None:
    """An epoch takes only full batches, so a batch larger than the data would take none."""
    if batch_size > n:
        raise ValueError(
            f"batch_size {batch_size} is larger than the {n} training examples, so an epoch "
            f"would hold no full batch: use batch_size <= {n}"
        )


def _check_params(params: Params, source: str) -> None:
    """Raise unless params has exactly W1, b1, W2, b2: finite floats of matching 2-layer shapes,
    every layer at least one unit wide (as init_params makes them)."""
    if not isinstance(params, dict):
        raise TypeError(
            f"{source}: expected the dict of W1, b1, W2, b2 that init_params or load_params "
            f"returns, got {type(params).__name__}"
        )
    if set(params) != set(PARAM_KEYS):
        got = ", ".join(sorted(map(str, params)))
        raise ValueError(f"{source}: expected the keys {', '.join(PARAM_KEYS)}, got {got}")
    _check_shapes({key: np.shape(params[key]) for key in PARAM_KEYS}, source)
    W1, b1, W2, b2 = (np.asarray(params[k]) for k in PARAM_KEYS)
    for key, value in zip(PARAM_KEYS, (W1, b1, W2, b2), strict=True):
        if not np.issubdtype(value.dtype, np.floating):
            raise _dtype_error(source, key, value.dtype)
        if not np.isfinite(value).all():
            raise ValueError(
                f"{source}: {key} holds {np.count_nonzero(~np.isfinite(value))} NaN or infinite "
                "values, so every output would be garbage; start again from init_params or a "
                "file saved before the run diverged"
            )


def _check_shapes(shapes: dict[str, tuple[int, ...]], source: str) -> None:
    """Raise unless the shapes of W1, b1, W2, b2 make a 2-layer network, every layer >= 1 wide."""
    W1, b1, W2, b2 = (shapes[key] for key in PARAM_KEYS)
    if not (len(W1) == 2 and len(W2) == 2 and b1 == (W1[1],) and W2[0] == W1[1] and b2 == (W2[1],)):
        listed = ", ".join(f"{key} {shapes[key]}" for key in PARAM_KEYS)
        raise ValueError(
            f"{source}: inconsistent shapes {listed}; "
            "expected W1 (a, b), b1 (b,), W2 (b, c), b2 (c,)"
        )
    if 0 in W1 or 0 in W2:  # a layer of no units predicts class 0 for everything
        raise ValueError(
            f"{source}: a layer without units (W1 {W1}, W2 {W2}); every size must be at least "
            "1, as init_params requires"
        )


def _dtype_error(source: str, key: str, dtype: np.dtype) -> TypeError:
    return TypeError(
        f"{source}: {key} has dtype {dtype}; weights must be real floats (float32 or float64): "
        "start from init_params or a file saved by save_params"
    )


def _check_batch(x: np.ndarray, n_in: int) -> None:
    """Raise if ``x`` is not a non-empty float batch of shape (n, n_in)."""
    if not isinstance(x, np.ndarray) or x.ndim != 2 or x.shape[1] != n_in:
        shape = getattr(x, "shape", type(x).__name__)
        raise ValueError(f"x must be an array of shape (n, {n_in}), got {shape}")
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(
            f"x has dtype {x.dtype}; the network takes floats in [0, 1]: pass preprocess(images)"
        )
    if x.shape[0] == 0:
        raise ValueError("x is an empty batch (0 rows)")


def _exact(value: float, dtype: np.dtype) -> str:
    """``value`` as its dtype prints it: the shortest text that gives back exactly that number."""
    text = str(np.dtype(dtype).type(value))
    return text[:-2] if text.endswith(".0") else text


def _check_scaled(x: np.ndarray, name: str = "x") -> None:
    """Raise if pixels are NaN or outside [0, 1]: raw 0..255 pixels give confident nonsense.

    Exactly [0, 1], with no tolerance: a value of 1.0000001 (float rounding, e.g. after
    bilinear resampling) is refused too, with its exact value and the fix, np.clip. A
    tolerance would only move the edge, and the network is trained on preprocess's exact range.
    """
    lo, hi = x.min(), x.max()  # NaN propagates into both
    if math.isnan(lo) or math.isnan(hi):
        raise ValueError(
            f"{name} holds {np.count_nonzero(np.isnan(x))} NaN values; the images are damaged: "
            f"make {name} with preprocess(images) from the original uint8 pixels"
        )
    # Written so that a comparison with NaN could not pass it either.
    if not (lo >= 0.0 and hi <= 1.0):
        found = f"[{_exact(lo, x.dtype)}, {_exact(hi, x.dtype)}]"
        if lo >= -1e-3 and hi <= 1 + 1e-3:  # just outside: rounding, not raw pixels
            raise ValueError(
                f"{name} has values in {found}, just outside [0, 1], as float rounding (e.g. "
                f"resampling) leaves them; clip them: {name} = np.clip({name}, 0, 1)"
            )
        raise ValueError(
            f"{name} has values in {found}, outside [0, 1]; scale raw pixels with "
            "preprocess(images) exactly as for training"
        )


def _check_data(params: Params, x: np.ndarray, y: np.ndarray | None = None) -> None:
    """Raise unless params are sound, x a float batch in [0, 1] that fits them, y its labels."""
    _check_params(params, "params")
    _check_batch(x, params["W1"].shape[0])
    _check_scaled(x)
    if y is not None:
        _check_labels(y, len(x), params["W2"].shape[1])


def _check_labels(y: np.ndarray, n: int | None, num_classes: int = 10) -> None:
    """Raise unless ``y`` is (n,) integers in 0..num_classes-1 (any length if n is None)."""
    if not isinstance(y, np.ndarray) or y.ndim != 1 or (n is not None and len(y) != n):
        shape = getattr(y, "shape", type(y).__name__)
        raise ValueError(f"labels must have shape ({'n' if n is None else n},), got {shape}")
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"labels must be integers 0..{num_classes - 1}, got dtype {y.dtype}")
    if len(y) and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(
            f"labels must lie in 0..{num_classes - 1}, got values from {y.min()} to {y.max()}"
        )


# ---------------------------------------------------------------------------------------
# Building blocks
# ---------------------------------------------------------------------------------------


def preprocess(images: np.ndarray) -> np.ndarray:
    """Flatten and scale raw images: (n, 28, 28) or (n, 784) uint8 -> (n, 784) float32 in [0, 1]."""
    if not isinstance(images, np.ndarray) or images.dtype != np.uint8:
        got = getattr(images, "dtype", type(images).__name__)
        raise TypeError(f"preprocess takes raw uint8 pixels 0..255, got {got}")
    if images.ndim not in (2, 3) or math.prod(images.shape[1:]) != 784:
        raise ValueError(f"images must have shape (n, 28, 28) or (n, 784), got {images.shape}")
    # float32 halves memory traffic against float64 and is plenty for 8-bit pixels.
    return images.reshape(len(images), 784).astype(np.float32) / np.float32(255)


def one_hot(y: np.ndarray, num_classes: int = 10) -> np.ndarray:
    """Integer labels (n,) -> float32 (n, num_classes) with a single 1 per row."""
    num_classes = _check_int("num_classes", num_classes, 1)
    _check_labels(y, None, num_classes)
    out = np.zeros((len(y), num_classes), np.float32)
    out[np.arange(len(y)), y] = 1
    return out


def relu(z: np.ndarray) -> np.ndarray:
    """max(z, 0), elementwise."""
    return np.maximum(z, 0)


def relu_grad(z: np.ndarray) -> np.ndarray:
    """d relu / dz: 1 where z > 0, else 0 (the kink at 0 gets 0, as in PyTorch)."""
    return (z > 0).astype(z.dtype)


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of logits z: (n, k) -> probabilities (n, k), rows summing to 1.

    Subtracting each row's max leaves the result unchanged (it cancels in the ratio) but
    makes the largest exponent exp(0) = 1, so exp never overflows to inf (and inf/inf = NaN).
    """
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy(probs: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy -log p[i, y_i] over the batch; probs (n, k), y (n,) integer labels.

    Probabilities are floored at the smallest normal float, so a 0 gives a large but finite
    loss (about 87 in float32) instead of inf.
    """
    if not isinstance(probs, np.ndarray) or probs.ndim != 2 or len(probs) == 0:
        raise ValueError(f"probs must be a non-empty (n, k) array, got shape {np.shape(probs)}")
    if not np.issubdtype(probs.dtype, np.floating):
        raise TypeError(f"probs must be floats (softmax outputs), got dtype {probs.dtype}")
    _check_labels(y, len(probs), probs.shape[1])
    lo, hi = float(probs.min()), float(probs.max())
    if not (lo >= 0.0 and hi <= 1.0):  # false for NaN too
        raise ValueError(
            f"probs must be probabilities in [0, 1] (softmax outputs), got values from {lo:g} "
            f"to {hi:g}"
        )
    return _cross_entropy(probs, y)


def _cross_entropy(probs: np.ndarray, y: np.ndarray) -> float:
    """cross_entropy without the checks, for the training loop's batches."""
    p = probs[np.arange(len(y)), y]
    return float(-np.log(np.maximum(p, np.finfo(probs.dtype).tiny)).mean())


def init_params(
    sizes: tuple[int, int, int] = (784, 64, 10),
    seed: int = 0,
    dtype: type = np.float32,
    scheme: str = "he",
) -> Params:
    """He (Kaiming) initialisation: W ~ N(0, 2 / fan_in), b = 0.

    The variance 2 / fan_in keeps the scale of ReLU activations steady from layer to layer;
    unscaled N(0, 1) weights (the old notebook's) make the 784-input layer's outputs
    ~20x too large (sqrt(784 / 2)) and the softmax saturate. ``scheme="standard_normal"``
    gives those old weights, from the same draws unscaled, for comparison. Returns W1
    (n_in, n_hidden), b1 (n_hidden,), W2 (n_hidden, n_out), b2 (n_out,) in ``dtype``.
    """
    if scheme not in ("he", "standard_normal"):
        raise ValueError(f"scheme must be 'he' or 'standard_normal', got {scheme!r}")
    if len(sizes) != 3:
        raise ValueError(f"sizes must be (n_in, n_hidden, n_out), got {sizes!r}")
    n_in, n_hidden, n_out = (_check_int("each of sizes", size, 1) for size in sizes)
    rng = np.random.default_rng(_check_int("seed", seed, 0))
    if not np.issubdtype(dtype, np.floating):
        raise TypeError(f"dtype must be a float type such as np.float32, got {dtype!r}")
    W1 = rng.standard_normal((n_in, n_hidden))
    W2 = rng.standard_normal((n_hidden, n_out))
    if scheme == "he":
        W1 *= np.sqrt(2 / n_in)
        W2 *= np.sqrt(2 / n_hidden)
    return {
        "W1": W1.astype(dtype),
        "b1": np.zeros(n_hidden, dtype),
        "W2": W2.astype(dtype),
        "b2": np.zeros(n_out, dtype),
    }


# ---------------------------------------------------------------------------------------
# Forward and backward passes
# ---------------------------------------------------------------------------------------
# Each public function checks its inputs, then calls an unchecked twin (_forward, ...) that
# the training loop calls directly: checks belong where data enter, not in every batch.


def forward(params: Params, x: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Forward pass. x: (n, 784) float in [0, 1] -> probs (n, 10) and the cache for backward.

    Z1 = x W1 + b1, A1 = relu(Z1), Z2 = A1 W2 + b2, probs = softmax(Z2).
    """
    _check_data(params, x)
    return _forward(params, x)


def _forward(params: Params, x: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """forward without the checks."""
    Z1 = x @ params["W1"] + params["b1"]
    A1 = relu(Z1)
    Z2 = A1 @ params["W2"] + params["b2"]
    probs = softmax(Z2)
    return probs, {"x": x, "Z1": Z1, "A1": A1, "probs": probs}


def backward(params: Params, cache: dict[str, np.ndarray], y: np.ndarray) -> Params:
    """Gradients of the *mean* batch cross-entropy w.r.t. each parameter (same keys and shapes).

    y: (n,) integer labels. Dividing by n here (the mean, not the sum) keeps the step size
    independent of the batch size; summing, as the old notebook did, makes every step n
    times larger.
    """
    _check_params(params, "params")
    if not isinstance(cache, dict) or set(cache) != {"x", "Z1", "A1", "probs"}:
        raise ValueError("cache must be the dict that forward(params, x) returned")
    _check_labels(y, len(cache["x"]), cache["probs"].shape[1])
    return _backward(params, cache, y)


def _backward(params: Params, cache: dict[str, np.ndarray], y: np.ndarray) -> Params:
    """backward without the checks."""
    x, Z1, A1, probs = cache["x"], cache["Z1"], cache["A1"], cache["probs"]
    n = len(x)
    dZ2 = probs.copy()
    dZ2[np.arange(n), y] -= 1  # softmax + cross-entropy: dL/dZ2 = probs - one_hot(y)
    dZ2 /= n
    dZ1 = (dZ2 @ params["W2"].T) * relu_grad(Z1)  # back through W2, then the ReLU's gate
    return {
        "W1": x.T @ dZ1,
        "b1": dZ1.sum(axis=0),
        "W2": A1.T @ dZ2,
        "b2": dZ2.sum(axis=0),
    }


def sgd_step(params: Params, grads: Params, lr: float, weight_decay: float = 0.0) -> None:
    """One gradient-descent step, in place: p <- p - lr * (dp + weight_decay * p).

    Weight decay is the gradient of an L2 penalty (weight_decay / 2) * ||W||^2; it pulls
    the weight matrices (not the biases) towards 0, which here generalises better.
    """
    lr = _check_real("lr", lr, positive=True)
    weight_decay = _check_real("weight_decay", weight_decay, positive=False)
    for key, g in grads.items():
        if key not in params or np.shape(g) != np.shape(params[key]):
            raise ValueError(f"grads[{key!r}] has no parameter of its shape {np.shape(g)}")
        if not np.isfinite(g).all():
            raise ValueError(f"grads[{key!r}] holds NaN or infinite values; no step taken")
    _sgd_step(params, grads, lr, weight_decay)


def _sgd_step(params: Params, grads: Params, lr: float, weight_decay: float) -> None:
    """sgd_step without the checks."""
    for key, g in grads.items():
        p = params[key]
        if weight_decay and key.startswith("W"):
            p *= 1 - lr * weight_decay  # the same step, without a temporary the size of W1
        p -= lr * g


# ---------------------------------------------------------------------------------------
# Data augmentation: the same digit, a little rotated, scaled, sheared or shifted
# ---------------------------------------------------------------------------------------

#: The distortions ``distort`` draws from, each uniform in [-strength, +strength]:
#: rotation in degrees, scale and shear as fractions (0.1 = 10%), shift in pixels.
#: Their upper limits keep a digit a digit (a 90° turn makes a 6 of a 9).
DISTORTION_LIMITS = {"rotation": 45.0, "scale": 0.5, "shear": 0.5, "shift": 7.0}

#: Strength 1 of the notebook's search (section 6.6): up to ±10°, ±10% in size, a shear of
#: ±0.1 and ±2 pixels. ``distortion(s)`` scales all four by s.
DISTORTION = {"rotation": 10.0, "scale": 0.1, "shear": 0.1, "shift": 2.0}

_SIDE = 28  # images are 28×28
_GRID = np.arange(_SIDE, dtype=np.float32) - (_SIDE - 1) / 2  # pixel centres about the middle


def _check_distortion(augment: object) -> dict[str, float]:
    """A dict of strengths, each a real number from 0 to its DISTORTION_LIMITS entry."""
    if not isinstance(augment, dict):
        raise TypeError(
            "augment must be a dict of strengths such as {'rotation': 10, 'shift': 2}, got "
            f"{type(augment).__name__}"
        )
    unknown = sorted(set(augment) - set(DISTORTION_LIMITS), key=str)
    if unknown:
        raise ValueError(
            f"augment has unknown distortions {unknown}: use {sorted(DISTORTION_LIMITS)}"
        )
    checked = {}
    for name, value in augment.items():
        limit = DISTORTION_LIMITS[name]
        if isinstance(value, bool | np.bool_) or not isinstance(
            value, int | float | np.integer | np.floating
        ):
            raise TypeError(
                f"the {name} strength must be a real number from 0 to {limit:g}, got "
                f"{value!r} ({type(value).__name__})"
            )
        if not 0 <= value <= limit:  # NaN fails this too
            raise ValueError(
                f"the {name} strength must be from 0 to {limit:g}, got {value!r}: it is the "
                "largest distortion drawn either way, and a larger one no longer keeps the "
                "digit's label"
            )
        checked[name] = float(value) + 0.0  # -0.0 becomes 0.0: uniform(0, -0.0) refuses
    return checked


def distortion(s: float) -> dict[str, float]:
    """train's ``augment`` at strength s: each of DISTORTION's four scaled by s (0 = none)."""
    if isinstance(s, bool | np.bool_) or not isinstance(s, int | float | np.integer | np.floating):
        raise TypeError(f"the strength s must be a real number, got {s!r} ({type(s).__name__})")
    top = min(DISTORTION_LIMITS[name] / value for name, value in DISTORTION.items())
    if not 0 <= s <= top:  # NaN fails this too
        raise ValueError(
            f"the strength s must be from 0 to {top:g}, got {s!r}: beyond {top:g} a distortion "
            "would pass its limit in DISTORTION_LIMITS"
        )
    return _check_distortion({name: s * value for name, value in DISTORTION.items()})


def distort(
    x: np.ndarray,
    rng: np.random.Generator,
    rotation: float = 0.0,
    scale: float = 0.0,
    shear: float = 0.0,
    shift: float = 0.0,
) -> np.ndarray:
    """Each image randomly rotated, scaled, sheared and shifted (nearest-neighbour resampling).

    x: (n, 784) float in [0, 1], one image a row; returns a new (n, 784) array of x's dtype
    in [0, 1] whose pixels are x's own values, moved (ink moved off the edge is lost; new
    border pixels are 0). Each image gets its
    own distortion, drawn from ``rng``: an angle uniform in ±``rotation`` degrees, a size
    factor in 1 ± ``scale``, a horizontal shear in ±``shear``, and a shift in ±``shift``
    pixels along each axis, all about the image's centre. All zero leaves x unchanged.
    """
    x = _check_features(x)
    if not np.issubdtype(x.dtype, np.floating) or x.shape[1] != _SIDE * _SIDE:
        raise ValueError(
            f"x must be (n, {_SIDE * _SIDE}) floats in [0, 1], got {x.shape} {x.dtype}: "
            "use preprocess(images)"
        )
    _check_scaled(x)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator, got {type(rng).__name__}: "
            "use np.random.default_rng(seed)"
        )
    strengths = _check_distortion(
        {"rotation": rotation, "scale": scale, "shear": shear, "shift": shift}
    )
    return _distort(x, rng, **strengths)


def _distort(x: np.ndarray, rng: np.random.Generator, **strengths: float) -> np.ndarray:
    """distort without the checks: for the training loop."""
    inverse, offset = _random_affine(rng, len(x), **strengths)
    return _resample(x, inverse, offset)


def _random_affine(
    rng: np.random.Generator,
    n: int,
    rotation: float = 0.0,
    scale: float = 0.0,
    shear: float = 0.0,
    shift: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """n random distortions as the (n, 2, 2) inverse of each linear part and (n, 2) shifts.

    The forward map takes an ink point p (row, column, about the centre) to M p + t, with
    M = rotation · shear · size. Resampling asks the opposite question, which source point
    lands on each output pixel, so we return M⁻¹ (a 2×2 inverse, written out) and t.
    """
    angle = np.deg2rad(rng.uniform(-rotation, rotation, n))
    size = 1 + rng.uniform(-scale, scale, n)
    slant = rng.uniform(-shear, shear, n)
    offset = rng.uniform(-shift, shift, (n, 2))
    cos, sin = np.cos(angle), np.sin(angle)
    # M = [[cos, -sin], [sin, cos]] @ [[1, 0], [slant, 1]] @ (size * I), in (row, col) order.
    m = np.empty((n, 2, 2))
    m[:, 0, 0] = (cos - sin * slant) * size
    m[:, 0, 1] = -sin * size
    m[:, 1, 0] = (sin + cos * slant) * size
    m[:, 1, 1] = cos * size
    det = m[:, 0, 0] * m[:, 1, 1] - m[:, 0, 1] * m[:, 1, 0]  # size², never 0 (scale < 1)
    inverse = np.empty_like(m)
    inverse[:, 0, 0], inverse[:, 1, 1] = m[:, 1, 1] / det, m[:, 0, 0] / det
    inverse[:, 0, 1], inverse[:, 1, 0] = -m[:, 0, 1] / det, -m[:, 1, 0] / det
    return inverse, offset


def _resample(x: np.ndarray, inverse: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """Nearest-neighbour resampling of each row of x (n, 784) through its map (n, 2, 2), (n, 2).

    Output pixel q takes the value of the source pixel nearest to inverse @ (q - t) (about
    the centre), or 0 where that point lies outside the image. One gather per pixel, as
    whole-batch array operations: no Python loop over images or pixels. (Bilinear
    interpolation costs four gathers and the arithmetic between them, about three times
    the time here, and trained networks no better in our trials: see the README.)
    """
    n, side = len(x), _SIDE
    width = side + 2  # a frame of 0s, one pixel wide, for points outside the image
    padded = np.zeros((n, width, width), x.dtype)
    padded[:, 1:-1, 1:-1] = x.reshape(n, side, side)
    inverse = inverse.astype(np.float32)
    # +1 for the frame, +0.5 so that truncating to an integer rounds to the nearest pixel.
    start = (inverse @ -offset[:, :, None])[:, :, 0].astype(np.float32) + (side - 1) / 2 + 1.5
    # Source row and column of every output pixel: an outer sum, since the map is affine.
    rows = (inverse[:, 0, 0, None] * _GRID + start[:, 0, None])[:, :, None] + (
        inverse[:, 0, 1, None] * _GRID
    )[:, None, :]
    cols = (inverse[:, 1, 0, None] * _GRID + start[:, 1, None])[:, :, None] + (
        inverse[:, 1, 1, None] * _GRID
    )[:, None, :]
    # A point beyond the image lands on the frame: 0 below, width - 1 above.
    np.clip(rows, 0, width - 0.5, out=rows)
    np.clip(cols, 0, width - 0.5, out=cols)
    index = rows.astype(np.int32)  # truncation: the nearest pixel, as both are >= 0
    index *= width
    index += cols.astype(np.int32)
    index += (np.arange(n, dtype=np.int32) * width**2)[:, None, None]
    return padded.reshape(-1).take(index).reshape(n, side * side)


# ---------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------


def cosine_lr(lr: float, epoch: int, epochs: int) -> float:
    """Learning rate for ``epoch`` (0-based): lr at the start, easing to ~0 by the last epoch.

    Large steps early cover ground fast; small steps late settle into a minimum instead of
    bouncing around it (cosine annealing, Loshchilov & Hutter 2017). lr: a finite number > 0;
    epochs >= 1 and 0 <= epoch < epochs, integers. Past the last epoch the cosine would rise
    again, so such an epoch is refused rather than answered.
    """
    lr = _check_real("lr", lr, positive=True)
    epochs = _check_int("epochs", epochs, 1)
    epoch = _check_int("epoch", epoch, 0)
    if epoch >= epochs:
        raise ValueError(
            f"epoch {epoch} is past the last epoch of {epochs}: epochs are counted from 0, so "
            f"the last is {epochs - 1}"
        )
    return lr * 0.5 * (1 + math.cos(math.pi * epoch / epochs))


def evaluate(params: Params, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Mean loss and accuracy of the network on x: (n, 784) float in [0, 1], y: (n,) labels."""
    _check_data(params, x, y)
    probs, _ = _forward(params, x)
    return _cross_entropy(probs, y), accuracy(y, probs.argmax(axis=1))


def train(
    params: Params,
    x: np.ndarray,
    y: np.ndarray,
    epochs: int = 20,
    batch_size: int = 64,
    lr: float = 0.5,
    weight_decay: float = 5e-4,
    schedule: str = "cosine",
    seed: int = 0,
    x_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    grad_reduction: str = "mean",
    augment: dict[str, float] | None = None,
) -> tuple[Params, dict[str, list[float]]]:
    """Mini-batch gradient descent on the cross-entropy; returns (new params, history).

    x: (n, 784) float32 in [0, 1]; y: (n,) integer labels, n >= batch_size. Each epoch
    visits the examples in a fresh order drawn from a Generator seeded with ``seed``, in
    full batches: the n % batch_size left over sit that epoch out. The default recipe (found
    on a validation split held out of the training set): learning rate 0.5 with a cosine
    schedule (``"cosine"``, or ``"constant"``) and weight decay 5e-4. ``grad_reduction``
    ``"mean"`` steps along the gradient of the batch's mean loss; ``"sum"`` along that of
    its summed loss (batch_size times larger, as the old notebook did), so lr η with
    ``"sum"`` takes the same steps as lr η·batch_size with ``"mean"``. ``augment``, a dict
    of ``distort``'s strengths (e.g. ``{"rotation": 10, "shift": 2}``), distorts every batch
    afresh before its step, drawing from the same Generator as the shuffling, so a seed
    still fixes every number; None (or all strengths 0) trains on the images as they are.

    ``params`` is not modified. The history has one entry per epoch: ``lr``, ``train_loss``
    and ``train_acc`` (running means over the epoch's batches), ``seconds`` (training time
    of the epoch), and ``val_loss``/``val_acc`` at the epoch's end when validation data are
    given. Inputs are checked first (NaN, range, types), so a loss that stops being finite,
    or an epoch whose second half has a higher mean loss than the very first batch had (and
    than uniform guessing), means the steps are too large: FloatingPointError names the
    epoch and the losses.
    """
    epochs = _check_int("epochs", epochs, 0)
    batch_size = _check_int("batch_size", batch_size, 1)
    seed = _check_int("seed", seed, 0)
    lr = _check_real("lr", lr, positive=True)
    weight_decay = _check_real("weight_decay", weight_decay, positive=False)
    if schedule not in ("cosine", "constant"):
        raise ValueError(f"schedule must be 'cosine' or 'constant', got {schedule!r}")
    if grad_reduction not in ("mean", "sum"):
        raise ValueError(f"grad_reduction must be 'mean' or 'sum', got {grad_reduction!r}")
    if (x_val is None) != (y_val is None):
        raise ValueError("give both x_val and y_val, or neither")
    if augment is not None:
        augment = {k: v for k, v in _check_distortion(augment).items() if v} or None
    _check_data(params, x, y)
    if x_val is not None:
        _check_data(params, x_val, y_val)
    _check_batch_size(batch_size, len(x))

    params = {key: value.copy() for key, value in params.items()}  # leave the caller's alone
    rng = np.random.default_rng(seed)
    history: dict[str, list[float]] = {
        key: [] for key in ("lr", "train_loss", "train_acc", "seconds")
    }
    if x_val is not None:
        history.update(val_loss=[], val_acc=[])
    first_loss = math.inf  # the loss of the very first batch, before any step
    for epoch in range(epochs):
        epoch_lr = cosine_lr(lr, epoch, epochs) if schedule == "cosine" else lr
        start = time.perf_counter()
        loss, acc, batch_losses = _train_epoch(
            params,
            x,
            y,
            batch_size,
            epoch_lr,
            weight_decay,
            rng,
            epoch,
            grad_reduction == "sum",
            augment,
        )
        if epoch == 0:
            first_loss = batch_losses[0]
        _check_progress(epoch, batch_losses, first_loss, epoch_lr, params["W2"].shape[1])
        history["seconds"].append(time.perf_counter() - start)
        history["lr"].append(epoch_lr)
        history["train_loss"].append(loss)
        history["train_acc"].append(acc)
        if x_val is not None:
            val_loss, val_acc = evaluate(params, x_val, y_val)
            history["val_loss"].append(val_loss)
            history["val_acc"].append(val_acc)
    return params, history


def _check_progress(
    epoch: int, batch_losses: list[float], first_loss: float, lr: float, num_classes: int
) -> None:
    """Raise if training made things worse: the loss late in an epoch is above where it began.

    The loss floor (about 87 in float32) keeps a diverging run's loss finite, so this is what
    catches steps so large that they climb. "Late" is the mean over the epoch's second half of
    batches: a run that stumbles early and then settles (as summed gradients at lr 0.1 do,
    killing every hidden unit) is not diverging. "Above" means above both the first batch's
    loss before any step and log(num_classes), the loss of guessing uniformly, which a network
    that has only learnt the class frequencies never exceeds.
    """
    late = float(np.mean(batch_losses[len(batch_losses) // 2 :]))
    bound = max(first_loss, math.log(num_classes))
    if late > bound:
        raise FloatingPointError(
            f"training diverged: the mean loss over the second half of epoch {epoch + 1} is "
            f"{late:.4g}, above {first_loss:.4g} on the first batch before any step (and above "
            f"log({num_classes}) = {math.log(num_classes):.4g}) at learning rate {lr:g}: the "
            "steps are too large. Try a lower learning rate."
        )


def _batches(rng: np.random.Generator, n: int, batch_size: int) -> list[np.ndarray]:
    """One epoch's mini-batches: indices into n examples, in a fresh order drawn from rng.

    Only full batches: the n % batch_size examples left over sit this epoch out (the next
    shuffle gives them their turn). A short last batch would take a step as long as a full
    one from a gradient measured on a few examples: at the rates used here, one step on 16 images
    could knock validation accuracy down by several points at the end of an epoch.
    """
    order = rng.permutation(n)
    return [order[start : start + batch_size] for start in range(0, n - batch_size + 1, batch_size)]


def _train_epoch(
    params: Params,
    x: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    lr: float,
    weight_decay: float,
    rng: np.random.Generator,
    epoch: int,
    summed: bool = False,
    augment: dict[str, float] | None = None,
) -> tuple[float, float, list[float]]:
    """One pass over (x, y) in a random order, in full batches, updating params in place.

    Returns the epoch's mean loss and accuracy over the examples it used, and each batch's
    loss (measured before that batch's step). ``summed`` steps along the summed, not the
    mean, gradient; ``augment`` (checked strengths) distorts each batch first.
    """
    loss_sum, correct, batch_losses = 0.0, 0, []
    batches = _batches(rng, len(x), batch_size)
    # A diverging run overflows before its loss turns inf; we report that below, clearly.
    with np.errstate(over="ignore", invalid="ignore"):
        for step, batch in enumerate(batches):
            xb, yb = x[batch], y[batch]
            if augment:
                xb = _distort(xb, rng, **augment)
            probs, cache = _forward(params, xb)
            loss = _cross_entropy(probs, yb)
            if not math.isfinite(loss):
                raise FloatingPointError(
                    f"the loss became {loss} at epoch {epoch + 1}, step {step + 1} (learning "
                    f"rate {lr:g}); the inputs and parameters were checked and finite, so the "
                    "steps are too large. Try a lower learning rate."
                )
            grads = _backward(params, cache, yb)
            if summed:  # the gradient of the batch's summed loss: len(batch) times the mean's
                for g in grads.values():
                    g *= len(batch)
            _sgd_step(params, grads, lr, weight_decay)
            loss_sum += loss * len(batch)
            correct += int((probs.argmax(axis=1) == yb).sum())
            batch_losses.append(loss)
    seen = len(batches) * batch_size
    return loss_sum / seen, correct / seen, batch_losses


# ---------------------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------------------


def predict(params: Params, x: np.ndarray) -> np.ndarray:
    """Predicted digits (n,) int64 for x: (n, 784) float in [0, 1], preprocessed like training."""
    _check_data(params, x)
    return _forward(params, x)[0].argmax(axis=1)


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Fraction of predictions (n,) equal to the true labels (n,): both 1-D integer labels."""
    for name, labels in (("y_true", y_true), ("y_pred", y_pred)):
        if not isinstance(labels, np.ndarray) or labels.ndim != 1:
            raise ValueError(
                f"{name} must be a 1-D array of labels, got shape {np.shape(labels)}; for "
                "one-hot rows or probabilities, pass rows.argmax(axis=1)"
            )
        if not np.issubdtype(labels.dtype, np.integer):
            raise TypeError(f"{name} must hold integer labels, got dtype {labels.dtype}")
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError(
            f"need two non-empty label arrays of one shape, got {y_true.shape} and {y_pred.shape}"
        )
    return float(np.mean(y_true == y_pred))


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int = 10) -> np.ndarray:
    """Counts (num_classes, num_classes) int64: entry [i, j] = examples of class i predicted j."""
    num_classes = _check_int("num_classes", num_classes, 1)
    _check_labels(y_true, None, num_classes)
    _check_labels(y_pred, len(y_true), num_classes)
    if len(y_true) == 0:
        raise ValueError("no labels given")
    # Each (true, predicted) pair gets one cell index; bincount counts them all at once.
    cells = np.bincount(y_true * num_classes + y_pred, minlength=num_classes**2)
    return cells.reshape(num_classes, num_classes)


def precision_recall(cm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-class precision and recall (k,) from a confusion matrix (k, k) (rows are true classes).

    precision = correct / predicted as that class; recall = correct / truly that class.
    A class never predicted (or absent) has an undefined ratio, returned as NaN.
    """
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"a confusion matrix is square, got shape {cm.shape}")
    hits = np.diag(cm).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return hits / cm.sum(axis=0), hits / cm.sum(axis=1)


# ---------------------------------------------------------------------------------------
# Saving, loading and checking
# ---------------------------------------------------------------------------------------


def _check_path(path: object) -> Path:
    """``path`` as a Path with ``~`` expanded; raise unless it is a non-empty str or PathLike."""
    text = os.fspath(path) if isinstance(path, str | os.PathLike) else None
    if not isinstance(text, str):
        raise TypeError(
            f"path must be a file name, a str or pathlib.Path such as 'params.npz', got "
            f"{type(path).__name__}"
        )
    if not text:
        raise ValueError("path is empty: give a file name such as 'params.npz'")
    return Path(text).expanduser()


def _check_sizes(sizes: object) -> tuple[int, int, int]:
    """``sizes`` as a tuple of three ints >= 1 (n_in, n_hidden, n_out)."""
    if not isinstance(sizes, tuple | list) or len(sizes) != 3:
        raise ValueError(f"sizes must be (n_in, n_hidden, n_out), got {sizes!r}")
    n_in, n_hidden, n_out = (_check_int("each of sizes", size, 1) for size in sizes)
    return n_in, n_hidden, n_out


def save_params(path: str | os.PathLike, params: Params) -> None:
    """Save params to ``path`` as .npz (written to a temporary name first, then renamed).

    ``~`` in ``path`` means the home folder. Refuses non-finite or non-float weights and
    layers without units: a file of NaNs would only fail later, elsewhere.
    """
    path = _check_path(path)
    _check_params(params, "params")
    buffer = io.BytesIO()
    np.savez(buffer, **params)
    _write_atomically(path, buffer.getvalue())


#: The most values load_params reads into one array: 2**24 (128 MiB as float64). The widest
#: network the notebook trains (check_hidden_size allows 2048 hidden units) has a W1 of
#: 784 x 2048 = 1.6 M values, so this leaves ten times that room and still bounds what a
#: small file can make load_params allocate (a 2 MiB .npz can inflate to 2 GiB).
MAX_PARAM_VALUES = 2**24

#: The longest .npy header load_params reads. numpy writes about 128 bytes for these arrays
#: (padded to a multiple of 64), and refuses more than 10,000 itself.
MAX_HEADER_BYTES = 1024


def _open_regular(path: Path) -> io.BufferedReader:
    """``path`` opened for reading; ValueError unless it is a regular file.

    Opened without blocking, then checked: open() on a FIFO would wait for a writer forever.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)  # a missing file raises FileNotFoundError, naming it
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = (
            "a folder"
            if stat.S_ISDIR(mode)
            else "a FIFO (named pipe)"
            if stat.S_ISFIFO(mode)
            else "not a regular file (a device or socket)"
        )
        raise ValueError(
            f"{path}: this is {kind}, not a file of saved parameters; give the .npz file that "
            "save_params wrote"
        )
    return os.fdopen(fd, "rb")


def _read_header(path: Path, key: str, stream: io.BufferedIOBase) -> tuple[np.dtype, tuple, bool]:
    """Read one .npy member's header from ``stream``: (dtype, shape, fortran_order), checked."""
    name = f"{path}: {key}.npy"
    start = stream.read(8)
    if start[:6] != b"\x93NUMPY":
        what = "a pickle" if start[:1] == b"\x80" else f"data starting {start[:6]!r}"
        raise ValueError(
            f"{name} is not a .npy array but {what}; save_params writes plain arrays only: "
            "save the parameters again with save_params"
        )
    version = tuple(start[6:8])
    if version not in ((1, 0), (2, 0)):
        raise ValueError(f"{name} uses .npy version {version}, which save_params never writes")
    layout = "<H" if version == (1, 0) else "<I"  # the header's length: 2 or 4 bytes
    size_bytes = stream.read(struct.calcsize(layout))
    if len(size_bytes) != struct.calcsize(layout):
        raise EOFError("the file ends inside an array header")
    (length,) = struct.unpack(layout, size_bytes)
    if length > MAX_HEADER_BYTES:
        raise ValueError(
            f"{name} has a header of {length:,} bytes, where save_params writes about 128 (at "
            f"most {MAX_HEADER_BYTES:,} are read): the file was made some other way or is "
            "damaged; save the parameters again with save_params"
        )
    header = stream.read(length)
    if len(header) != length:
        raise EOFError("the file ends inside an array header")
    read_1, read_2 = np.lib.format.read_array_header_1_0, np.lib.format.read_array_header_2_0
    reader = read_1 if version == (1, 0) else read_2
    try:
        shape, fortran_order, dtype = reader(io.BytesIO(size_bytes + header))
    except ValueError as err:
        raise ValueError(f"{name} has an unreadable header ({err})") from None
    if dtype.hasobject:
        raise ValueError(
            f"{path}: holds Python objects, not plain arrays; such files can run code when "
            "loaded, so they are never loaded here. Give a file written by save_params."
        )
    if not np.issubdtype(dtype, np.floating):
        raise _dtype_error(str(path), key, dtype)
    if math.prod(shape) > MAX_PARAM_VALUES:
        raise ValueError(
            f"{name} declares shape {shape}, {math.prod(shape):,} values: more than the "
            f"{MAX_PARAM_VALUES:,} load_params reads into one array (784-2048-10 needs 1.6 M); "
            "not a network saved by save_params, so it is not read"
        )
    return dtype, shape, fortran_order


def _read_npz(path: Path, sizes: tuple[int, int, int] | None = None) -> Params:
    """The four arrays of .npz file ``path``; ValueError naming the file for anything else.

    Each member's .npy header is read and checked first (dtype, shape against the other
    arrays, ``sizes`` and MAX_PARAM_VALUES), then exactly the bytes it declares: a small file
    cannot make this allocate more than those checks allow.
    """
    with _open_regular(path) as f:
        magic = f.read(6)
        if magic == b"\x93NUMPY":
            raise ValueError(
                f"{path}: this is a single .npy array, not the .npz file of W1, b1, W2, b2 that "
                "save_params writes; save the parameters with save_params(path, params)"
            )
        if magic[:4] not in (b"PK\x03\x04", b"PK\x05\x06"):  # a zip: its first entry, or empty
            raise ValueError(
                f"{path}: not a .npz file (it starts with "
                f"{magic.hex() or 'nothing: it is empty'}); give a file written by save_params"
            )
        f.seek(0)
        try:
            with zipfile.ZipFile(f) as archive:
                return _read_members(path, archive, sizes)
        except (EOFError, OSError, zipfile.BadZipFile, zlib.error, NotImplementedError) as err:
            raise ValueError(
                f"{path}: truncated or corrupt .npz file ({type(err).__name__}: {err}); "
                "save the parameters again with save_params"
            ) from None


def _read_into(stream: io.BufferedIOBase, buffer: memoryview, key: str) -> None:
    """Fill ``buffer`` from ``stream`` in 1 MiB pieces (no second copy of a large array)."""
    filled = 0
    while filled < len(buffer):
        piece = stream.read(min(len(buffer) - filled, 1 << 20))
        if not piece:
            raise EOFError(f"{key}.npy holds {filled:,} bytes of data, not {len(buffer):,}")
        buffer[filled : filled + len(piece)] = piece
        filled += len(piece)


def _read_members(
    path: Path, archive: zipfile.ZipFile, sizes: tuple[int, int, int] | None
) -> Params:
    """_read_npz's work inside the opened zip archive."""
    members = {info.filename.removesuffix(".npy"): info for info in archive.infolist()}
    if set(members) != set(PARAM_KEYS):
        raise ValueError(
            f"{path}: expected the keys {', '.join(PARAM_KEYS)}, got {', '.join(sorted(members))}"
        )
    for info in members.values():
        if info.flag_bits & 0x1:
            raise ValueError(
                f"{path}: {info.filename} is encrypted; save_params never encrypts, so this is "
                "not its file: save the parameters again with save_params"
            )
    headers = {}
    for key in PARAM_KEYS:
        with archive.open(members[key]) as stream:
            headers[key] = _read_header(path, key, stream)
    _check_shapes({key: header[1] for key, header in headers.items()}, str(path))
    got = (*headers["W1"][1], headers["W2"][1][1])
    if sizes is not None and got != sizes:
        raise ValueError(f"{path}: the network is {got}, expected {sizes}")
    params = {}
    for key in PARAM_KEYS:
        dtype, shape, fortran_order = headers[key]
        with archive.open(members[key]) as stream:
            _read_header(path, key, stream)  # skip it again: zip members read forwards only
            flat = np.empty(math.prod(shape), dtype)
            _read_into(stream, memoryview(flat).cast("B"), key)
            if stream.read(1):  # reading to the end also checks the member's CRC
                raise ValueError(
                    f"{path}: {key}.npy holds more data than its header declares ({shape}); "
                    "the file is damaged: save the parameters again with save_params"
                )
        params[key] = flat.reshape(shape, order="F" if fortran_order else "C")
    return params


def load_params(path: str | os.PathLike, sizes: tuple[int, int, int] | None = None) -> Params:
    """Load params saved by ``save_params``; checks the file, keys, shapes, dtypes, finiteness
    and ``sizes`` if given. Raises ValueError (TypeError for non-float weights) naming ``path``.

    ``~`` in ``path`` means the home folder. Only a regular file is read (a FIFO would block),
    and only as much of it as four arrays of the declared, checked shapes need.
    """
    path = _check_path(path)
    if sizes is not None:
        sizes = _check_sizes(sizes)
    params = _read_npz(path, sizes)
    _check_params(params, str(path))
    return params


#: The finite-difference steps gradient_check accepts, for float64. At 1e-30 p + eps == p, at 10
#: the difference quotient measures a different function: both once "agreed" perfectly (1.0).
EPS_RANGE = (1e-8, 1e-2)


def gradient_check(
    params: Params,
    x: np.ndarray,
    y: np.ndarray,
    eps: float = 1e-5,
    num_checks: int = 20,
    seed: int = 0,
    backward_fn: Callable | None = None,
) -> float:
    """Worst relative error between ``backward_fn`` (None: ``backward``) and finite differences.

    For ``num_checks`` random entries of each parameter, the numerical gradient is
    (L(p + eps) - L(p - eps)) / (2 eps) with L the mean cross-entropy on (x, y). Use float64
    params and x: float32 rounding alone would swamp the comparison. Relative error is
    |a - n| / max(|a| + |n|, 1e-12); agreement to ~1e-7 or better means backward is right.
    eps must lie in ``EPS_RANGE``. ``backward_fn`` must return a gradient for every key, of its
    parameter's shape; a NaN gradient counts as infinitely wrong.
    """
    _check_data(params, x)
    _check_labels(y, len(x), params["W2"].shape[1])
    if any(p.dtype != np.float64 for p in params.values()) or x.dtype != np.float64:
        raise TypeError("gradient_check needs float64 params and x (init_params(dtype=np.float64))")
    eps, seed = _check_real("eps", eps, positive=True), _check_int("seed", seed, 0)
    if not EPS_RANGE[0] <= eps <= EPS_RANGE[1]:
        raise ValueError(
            f"eps must lie between {EPS_RANGE[0]:g} and {EPS_RANGE[1]:g} for float64, got {eps:g}: "
            "a smaller step drowns the difference in rounding error, a larger one in the loss's "
            "curvature (and ReLU kinks); the default 1e-5 is a good choice"
        )
    num_checks = _check_int("num_checks", num_checks, 1)
    if backward_fn is not None and not callable(backward_fn):
        raise TypeError(
            f"backward_fn must be a function like backward(params, cache, y), got "
            f"{type(backward_fn).__name__}"
        )
    rng = np.random.default_rng(seed)
    params = {key: value.copy() for key, value in params.items()}
    # None, not a default of backward: looked up now, so a patched nn_utils.backward is used.
    backward_fn = backward if backward_fn is None else backward_fn
    analytic = backward_fn(params, forward(params, x)[1], y)
    if not isinstance(analytic, dict) or set(analytic) != set(PARAM_KEYS):
        got = sorted(map(str, analytic)) if isinstance(analytic, dict) else type(analytic).__name__
        raise ValueError(
            f"backward_fn returned {got}; it must return a dict of gradients with the keys "
            f"{', '.join(PARAM_KEYS)}, like backward"
        )
    for key, p in params.items():
        if np.shape(analytic[key]) != p.shape:
            raise ValueError(
                f"backward_fn's gradient {key} has shape {np.shape(analytic[key])}; it must have "
                f"the shape of params[{key!r}], {p.shape}"
            )
    worst = 0.0
    for key, p in params.items():
        for index in zip(*(rng.integers(0, d, num_checks) for d in p.shape), strict=True):
            saved = p[index]
            p[index] = saved + eps
            loss_plus = cross_entropy(forward(params, x)[0], y)
            p[index] = saved - eps
            loss_minus = cross_entropy(forward(params, x)[0], y)
            p[index] = saved
            numeric = (loss_plus - loss_minus) / (2 * eps)
            a = analytic[key][index]
            error = abs(a - numeric) / max(abs(a) + abs(numeric), 1e-12)
            # max() would pass over a NaN error; a NaN gradient is as wrong as it gets.
            worst = math.inf if math.isnan(error) else max(worst, error)
    return worst


# ---------------------------------------------------------------------------------------
# Validation split and baselines
# ---------------------------------------------------------------------------------------


def _check_features(x: object, name: str = "x") -> np.ndarray:
    """Raise unless ``x`` is a non-empty, finite, real (n, d) array; return it."""
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name} must be a NumPy array, got {type(x).__name__}: use np.asarray")
    if x.ndim != 2 or 0 in x.shape:
        raise ValueError(
            f"{name} must be a non-empty (n, d) array with one example per row, got shape "
            f"{x.shape}; flatten images with x.reshape(len(x), -1)"
        )
    if not (np.issubdtype(x.dtype, np.integer) or np.issubdtype(x.dtype, np.floating)):
        raise TypeError(f"{name} must hold real numbers, got dtype {x.dtype}")
    if not np.isfinite(x).all():
        raise ValueError(f"{name} contains NaN or inf: fix or drop those rows first")
    return x


def _check_pixels(x: object, name: str = "x") -> np.ndarray:
    """Raise unless ``x`` is a non-empty (n, d) float array in [0, 1], as preprocess makes it."""
    x = _check_features(x, name)
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(
            f"{name} has dtype {x.dtype}; pass floats in [0, 1]: preprocess(images), as for the "
            "network"
        )
    _check_scaled(x, name)
    return x


def train_val_split(
    x: np.ndarray, y: np.ndarray, n_val: int = 10_000, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split (x, y) at random into a part to fit and ``n_val`` examples to validate on.

    x: (n, ...) any array, y: (n,) integer labels (any integer dtype), with n > n_val >= 1.
    Returns (x_fit, y_fit, x_val, y_val); on MNIST's 60,000 training rows the default gives
    50,000 + 10,000.
    The same seed gives the same split. The test set stays untouched: choices made by
    looking at it would make its score an optimistic guess instead of a measurement.
    """
    for name, array in (("x", x), ("y", y)):
        if not isinstance(array, np.ndarray) or array.ndim == 0:
            got = "a 0-d array" if isinstance(array, np.ndarray) else type(array).__name__
            raise TypeError(
                f"{name} must be a NumPy array with one row per example, got {got}: use np.asarray"
            )
    if y.ndim != 1:
        raise ValueError(
            f"y must be 1-D, one integer label per example, got shape {y.shape}; for one-hot "
            "rows, pass y.argmax(axis=1)"
        )
    if not np.issubdtype(y.dtype, np.integer):  # bool is not an integer dtype here
        raise TypeError(
            f"y must hold integer labels, got dtype {y.dtype}; whole numbers stored as floats "
            "can be converted with y.astype(np.int64)"
        )
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} rows but y has {len(y)} labels: they must match")
    n_val = _check_int("n_val", n_val, 1)
    seed = _check_int("seed", seed, 0)
    if n_val >= len(y):
        raise ValueError(
            f"n_val={n_val} leaves nothing to fit: there are only {len(y)} examples; "
            f"choose n_val < {len(y)}"
        )
    order = np.random.default_rng(seed).permutation(len(y))
    val, fit = order[:n_val], order[n_val:]
    return x[fit], y[fit], x[val], y[val]


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


def pca(x: np.ndarray, k: int = 2) -> np.ndarray:
    """Coordinates of x's rows along its top-k principal directions: x (n, d) -> (n, k) float64.

    The rows are centred, then projected onto the first k right singular vectors of the
    centred data. A direction's sign is arbitrary (v and -v are equally good), so each is
    flipped to make its largest-magnitude entry positive: plots then look the same on every
    machine. The SVD of all 60,000 MNIST rows takes over a gigabyte; a few thousand suffice.
    """
    x = _check_features(x)
    k = _check_int("k", k, 1)
    if k > min(x.shape):
        raise ValueError(f"k={k} directions need at least k rows and k columns, x is {x.shape}")
    centred = x.astype(np.float64) - x.mean(axis=0, dtype=np.float64)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    directions = vt[:k]
    biggest = directions[np.arange(k), np.abs(directions).argmax(axis=1)]
    directions = directions * np.where(biggest < 0, -1.0, 1.0)[:, None]
    return centred @ directions.T


def dead_units(params: Params, x: np.ndarray) -> np.ndarray:
    """Hidden units whose ReLU is zero on every row of x: (n_hidden,) bool, True = dead.

    x: (n, 784) float in [0, 1]. A dead unit passes no gradient back (relu_grad is 0), so
    training can never revive it: it is wasted capacity.
    """
    _check_params(params, "params")
    x = _check_pixels(x)
    if x.shape[1] != params["W1"].shape[0]:
        raise ValueError(f"x has {x.shape[1]} columns, the network takes {params['W1'].shape[0]}")
    alive = np.zeros(params["W1"].shape[1], bool)
    # Chunks of 10,000 rows: Z1 for all of MNIST at once would be 60,000 x n_hidden floats.
    for start in range(0, len(x), 10_000):
        Z1 = x[start : start + 10_000] @ params["W1"] + params["b1"]
        alive |= (Z1 > 0).any(axis=0)
    return ~alive


# ---------------------------------------------------------------------------------------
# A digit from outside MNIST
# ---------------------------------------------------------------------------------------

#: After scaling to [0, 1] and inverting, a pixel brighter than this counts as ink for the
#: bounding box. Not 0: in a photo, paper grain, shadows and JPEG noise lift the background
#: a little, and counting them as ink would make the box the whole photo. Not 0.5: the soft,
#: anti-aliased edges of a stroke belong to the digit and would be cut off.
INK_THRESHOLD = 0.2

#: Where prepare_digit puts the centre of mass, in pixel-index coordinates (row, column).
#: Not the geometric centre 13.5: MNIST's own digits have theirs at (14.0, 14.0) on average
#: (measured on the training set), and with 14.0 re-preparing an MNIST digit gives it back
#: unchanged (median correlation 1.000 on 5,000 validation digits; 0.805 with 13.5, which
#: shifts thin strokes by a pixel and costs a trained network about 1.7 points of accuracy).
FIELD_CENTER = 14.0

#: The field is MNIST's 28 x 28 image; the digit's longer side is scaled to 20 pixels in it.
FIELD_SIZE = 28
DIGIT_SIZE = 20

#: A border brighter than this on average (after scaling to [0, 1]) is light paper under dark
#: ink, so prepare_digit inverts the image when not told whether to.
LIGHT_BORDER = 0.5

#: More ink than this share of the pixels is no digit on paper: prepare_digit refuses it.
MAX_INK_SHARE = 0.9

#: prepare_digit rounds the shift that centres the digit to a multiple of this (2**-20 pixel)
#: before rounding it to a whole pixel. A symmetric digit's centre of mass can sit exactly on
#: a half pixel, and there the last bit of a matrix product, which depends on the CPU and its
#: BLAS kernel (and differs in drawing_pad.js), would otherwise decide which pixel it goes to.
SHIFT_RESOLUTION = 2.0**-20


#: The largest picture prepare_digit and resize_area take: 50 megapixels, and 65,536 pixels on
#: a side. A phone photo is 12 MP (4000 x 3000), the largest full-resolution modes 48-50 MP
#: (8160 x 6120 = 49.9 MP); past that is a scan or a mistake. prepare_digit needs about 20
#: bytes per pixel (a 12 MP photo: 0.3 s, 240 MB), so 50 MP stays near 1 GB, within Colab's
#: 12 GB; a 20000 x 20000 image took 18 s and 6.6 GB. The side limit keeps resize_area's
#: weights small on long, thin pictures.
MAX_IMAGE_PIXELS = 50_000_000
MAX_IMAGE_SIDE = 65_536


def _check_size(name: str, shape: tuple[int, int]) -> None:
    """Raise if a (height, width) picture is larger than MAX_IMAGE_PIXELS or MAX_IMAGE_SIDE."""
    height, width = shape
    if height * width > MAX_IMAGE_PIXELS or max(height, width) > MAX_IMAGE_SIDE:
        raise ValueError(
            f"{name} is {height:,} x {width:,} pixels ({height * width / 1e6:.1f} megapixels); "
            f"at most {MAX_IMAGE_PIXELS / 1e6:g} megapixels and {MAX_IMAGE_SIDE:,} pixels a "
            "side are taken (a phone photo is 12): crop it to the digit or shrink it first, "
            "e.g. image[::4, ::4]"
        )


def _check_image(image: object, name: str = "image") -> np.ndarray:
    """Raise unless ``image`` is a non-empty, finite, real 2-D array; return it."""
    if not isinstance(image, np.ndarray):
        raise TypeError(
            f"{name} must be a 2-D NumPy array of grayscale pixels, got {type(image).__name__}: "
            "use np.asarray(...)"
        )
    if image.ndim == 3 and image.shape[2] in (3, 4):
        raise ValueError(
            f"{name} has shape {image.shape}, a colour (RGB or RGBA) picture; convert it to "
            "grayscale first, e.g. image[..., :3].mean(axis=2)"
        )
    if image.ndim != 2:
        raise ValueError(f"{name} must be 2-D (height, width), got shape {image.shape}")
    if image.size == 0:
        raise ValueError(f"{name} is empty (shape {image.shape}): there is no picture to use")
    _check_size(name, image.shape)
    if image.dtype != bool and not (
        np.issubdtype(image.dtype, np.integer) or np.issubdtype(image.dtype, np.floating)
    ):
        raise TypeError(f"{name} must hold real numbers, got dtype {image.dtype}")
    # min and max carry any NaN or inf: no temporary the size of the picture, as isfinite makes.
    if np.issubdtype(image.dtype, np.floating) and not (
        np.isfinite(image.min()) and np.isfinite(image.max())
    ):
        raise ValueError(f"{name} contains NaN or inf; replace them (e.g. np.nan_to_num) first")
    return image


def _area_weights(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in) weights: how much of each input pixel each output pixel covers, rows sum 1.

    Output pixel i covers input interval [i * s, (i + 1) * s) with s = n_in / n_out; its
    weight on input pixel j is the overlap of that interval with [j, j + 1), over s.
    """
    s = n_in / n_out
    starts = np.arange(n_out)[:, None] * s
    j = np.arange(n_in)[None, :]
    overlap = np.minimum(starts + s, j + 1) - np.maximum(starts, j)
    return np.clip(overlap, 0, None) / s


#: The most resize_area computes: its dense weight matrices R_rows (h, H) and R_cols (w, W)
#: together hold at most 2**24 numbers (128 MiB), and the two products at most 2**31
#: multiply-adds (about a second here). prepare_digit's largest resize, a 50-megapixel crop
#: to 20 pixels, needs 1e9 and 1.3 M; the same size to the same size (4000 x 3000) needed
#: 4.8e10 multiply-adds, 3.8 s and 461 MB.
MAX_RESIZE_WEIGHTS = 2**24
MAX_RESIZE_WORK = 2**31


def _check_resize_work(shape_in: tuple[int, int], shape_out: tuple[int, int]) -> None:
    """Raise if resizing shape_in to shape_out needs more than resize_area's limits."""
    (H, W), (h, w) = shape_in, shape_out
    weights, work = h * H + w * W, h * H * W + h * W * w
    if weights > MAX_RESIZE_WEIGHTS or work > MAX_RESIZE_WORK:
        raise ValueError(
            f"resizing {H:,} x {W:,} to {h:,} x {w:,} would take {work:.2g} multiply-adds and "
            f"{weights:,} weights; resize_area allows {MAX_RESIZE_WORK:.2g} and "
            f"{MAX_RESIZE_WEIGHTS:,}: it is made for shrinking a digit to about 20 pixels. Crop "
            "to the digit first, or shrink in a cheaper way, e.g. image[::4, ::4]"
        )


def resize_area(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Resample a 2-D image (H, W) to ``shape`` (h, w) by area averaging -> float64 (h, w).

    Each output pixel is the mean of the input area it covers, partial pixels weighted by
    their overlap, so the mean intensity is kept and thin strokes fade rather than vanish
    when shrinking. Rows and columns are separable: out = R_rows @ image @ R_cols.T.
    Input and output are limited to ``MAX_IMAGE_PIXELS`` and ``MAX_IMAGE_SIDE``, the dense
    weights and products to ``MAX_RESIZE_WEIGHTS`` and ``MAX_RESIZE_WORK``.
    """
    image = _check_image(image)
    if not (isinstance(shape, tuple | list) and len(shape) == 2):
        raise TypeError(f"shape must be a pair (height, width), got {shape!r}")
    h = _check_int("height", shape[0], 1)
    w = _check_int("width", shape[1], 1)
    _check_size("the output", (h, w))
    _check_resize_work(image.shape, (h, w))
    R_rows = _area_weights(image.shape[0], h)
    R_cols = _area_weights(image.shape[1], w)
    return R_rows @ image.astype(np.float64) @ R_cols.T


def _center_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(row, column) of the intensity-weighted mean position in a non-negative 2-D image."""
    total = image.sum()
    rows = (image.sum(axis=1) * np.arange(image.shape[0])).sum() / total
    cols = (image.sum(axis=0) * np.arange(image.shape[1])).sum() / total
    return float(rows), float(cols)


def _whole_pixels(shift: float) -> int:
    """``shift`` rounded to the nearest whole pixel, a half up, once rounded (the same way) to a
    multiple of SHIFT_RESOLUTION: float noise cannot tip a tie. Every step is exact in floats."""
    snapped = math.floor(shift / SHIFT_RESOLUTION + 0.5) * SHIFT_RESOLUTION
    return math.floor(snapped + 0.5)


def _pixel_range(image: np.ndarray) -> tuple[float, float]:
    """(min, max) of a picture as floats; raise if it is flat or too wide a range to scale.

    On the raw array, before prepare_digit makes its float copy: a flat 20000 x 20000 picture
    was refused only after a 3.5 GB copy.
    """
    lo, hi = float(image.min()), float(image.max())
    if lo == hi:
        raise ValueError(
            f"the image is flat (every pixel is {lo:g}): all background or all ink, "
            "no digit to find"
        )
    if not math.isfinite(hi - lo):  # values near ±1e308: scaling them would overflow to inf
        raise ValueError(
            f"the pixel values span [{lo:g}, {hi:g}], too wide a range to scale in float64; "
            "divide the image by its largest magnitude first: image / np.abs(image).max()"
        )
    return lo, hi


def _check_background(image: np.ndarray, lo: float, hi: float, invert: bool) -> None:
    """Raise if an explicit ``invert`` turns the background into ink.

    The border's mean decides it for invert=None (light: invert). An explicit choice against
    the border is honoured while the "ink" it gives covers at most half the picture (a light
    digit may touch much of the border of a dark photo); past that it is the paper, not the
    digit: dark ink on light paper with invert=False made the paper a white block (79%).
    """
    span = hi - lo
    edges = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    border = float(((edges.astype(np.float64) - lo) / span).mean())  # 0 darkest, 1 lightest
    if (border > 0.5) == invert:
        return
    ink = image < hi - INK_THRESHOLD * span if invert else image > lo + INK_THRESHOLD * span
    share = np.count_nonzero(ink) / image.size
    if share > 0.5:
        looks, ink_on, other = (
            ("dark", "light ink on a dark background", "False")
            if invert
            else ("light", "dark ink on light paper", "True")
        )
        raise ValueError(
            f"the background looks {looks} (the border averages {border:.2f} on a scale from 0, "
            f"darkest, to 1, lightest), and with invert={invert} {share:.0%} of the picture "
            f"would count as ink: the paper, not the digit. For {ink_on} pass "
            f"invert={other}, or invert=None to decide from the border"
        )


def prepare_digit(image: np.ndarray, invert: bool | None = None) -> np.ndarray:
    """Make any grayscale picture of one digit look like an MNIST digit: (28, 28) float32 in [0, 1].

    image: (H, W) any real dtype, e.g. a photo of a digit on paper. The steps follow how
    MNIST was made (LeCun et al.): scale to [0, 1] by the image's min and max; light ink on
    a dark background (``invert`` None decides: a border brighter than ``LIGHT_BORDER``, 0.5,
    on average means dark ink on light paper, so it is inverted); crop to the ink's bounding
    box (pixels above ``INK_THRESHOLD``; more than ``MAX_INK_SHARE`` of them is refused);
    shrink or enlarge with ``resize_area`` so the longer side is ``DIGIT_SIZE`` (20) pixels,
    keeping the aspect ratio; place in a 28 x 28 field so that the centre of mass is at
    MNIST's centre, ``FIELD_CENTER`` (an integer shift, kept within the field).
    A network trained on MNIST only knows digits prepared like this.

    Refused with a clear error: pictures over ``MAX_IMAGE_PIXELS`` or ``MAX_IMAGE_SIDE``, flat
    ones, values too far apart to scale (near ±1e308), and an explicit ``invert`` that would
    make the background ink (e.g. invert=False on dark ink on light paper).
    """
    image = _check_image(image)
    if invert is not None and not isinstance(invert, bool | np.bool_):
        raise TypeError(f"invert must be None, True or False, got {invert!r}")
    lo, hi = _pixel_range(image)
    if invert is not None:
        _check_background(image, lo, hi, bool(invert))
    img = (image.astype(np.float64) - lo) / (hi - lo)
    if invert is None:
        border = np.concatenate([img[0], img[-1], img[:, 0], img[:, -1]])
        invert = bool(border.mean() > LIGHT_BORDER)
    if invert:
        img = 1 - img

    ink = img > INK_THRESHOLD
    if ink.mean() > MAX_INK_SHARE:
        raise ValueError(
            f"{ink.mean():.0%} of the pixels are ink, i.e. all ink: is the photo cropped too "
            "tightly or too dark? Leave some paper around the digit, or pass invert= explicitly"
        )
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    crop = img[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]

    height, width = crop.shape
    scale = DIGIT_SIZE / max(height, width)
    small = resize_area(crop, (max(1, round(height * scale)), max(1, round(width * scale))))

    # Shift so the centre of mass lands on the field's centre (pixel centres are 0..27).
    cy, cx = _center_of_mass(small)
    top = min(max(_whole_pixels(FIELD_CENTER - cy), 0), FIELD_SIZE - small.shape[0])
    left = min(max(_whole_pixels(FIELD_CENTER - cx), 0), FIELD_SIZE - small.shape[1])
    out = np.zeros((FIELD_SIZE, FIELD_SIZE), np.float32)
    out[top : top + small.shape[0], left : left + small.shape[1]] = small
    return np.clip(out, 0, 1)
