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
* Data augmentation: ``distortion``, ``distort`` (``DISTORTION``, ``DISTORTION_LIMITS``),
  which ``train(augment=...)`` applies to each batch.
* Training: ``cosine_lr``, ``evaluate``, ``train`` (one epoch: ``_train_epoch``); ``hidden``
  ("relu" or "linear", ``HIDDEN``) picks the hidden activation in these and ``predict``.
* Evaluation: ``predict``, ``accuracy``, ``confusion_matrix``, ``precision_recall``.
* Checking the gradients: ``gradient_check`` (finite differences, steps within ``EPS_RANGE``).
* Validation split and what the notebook measures with the network: ``train_val_split``,
  ``pca``, ``dead_units``; these take pixels in [0, 1] (``_check_pixels``).

What this module must NOT hold, and where it is instead: loading MNIST (mnist_data.py), the
baselines (baselines.py), saving and loading parameters (params_io.py), a digit from outside
MNIST and the drawing pad (own_digit.py), the exercises' checks (exercises.py). Those modules
import this one; this one imports none of the project's.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

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


def _check_choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    """``value`` if it is one of the strings ``choices``; a clear ValueError for anything else
    (numpy arrays and unhashable objects included, which a bare ``in`` would trip over)."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return value


def _check_real(name: str, value: float, positive: bool) -> float:
    """``value`` as a float; raise unless it is a finite real number > 0 (``positive``) or >= 0."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    if isinstance(value, complex | np.complexfloating):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    number = float(value)
    if not (math.isfinite(number) and (number > 0 if positive else number >= 0)):
        hint = " (the default recipe uses lr=0.5)" if name == "lr" else ""
        raise ValueError(
            f"{name} must be a finite number {'> 0' if positive else '>= 0'}, got {value!r}{hint}"
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


SCHEMES = ("he", "standard_normal", "zeros")  # init_params' weight initialisations
HIDDEN = ("relu", "linear")  # the hidden layer's activation: ReLU, or none at all


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
    gives those old weights, from the same draws unscaled, for comparison; ``"zeros"`` gives
    all-zero weights, to show why nobody starts there (every hidden unit gets the same
    gradient, here exactly 0, so none ever differs from another). Returns W1 (n_in, n_hidden),
    b1 (n_hidden,), W2 (n_hidden, n_out), b2 (n_out,) in ``dtype``.
    """
    _check_choice("scheme", scheme, SCHEMES)
    if len(sizes) != 3:
        raise ValueError(f"sizes must be (n_in, n_hidden, n_out), got {sizes!r}")
    n_in, n_hidden, n_out = (_check_int("each of sizes", size, 1) for size in sizes)
    rng = np.random.default_rng(_check_int("seed", seed, 0))
    if isinstance(dtype, str) and dtype in SCHEMES:  # init_params(sizes, seed, "zeros")
        raise TypeError(f"dtype must be a float type such as np.float32, got {dtype!r}: pass "
                        f"the initialisation by name, scheme={dtype!r}")
    try:
        floating = dtype is not None and np.issubdtype(dtype, np.floating)
    except TypeError:
        floating = False
    if not floating:
        raise TypeError(f"dtype must be a float type such as np.float32, got {dtype!r}")
    W1 = rng.standard_normal((n_in, n_hidden))
    W2 = rng.standard_normal((n_hidden, n_out))
    if scheme == "he":
        W1 *= np.sqrt(2 / n_in)
        W2 *= np.sqrt(2 / n_hidden)
    elif scheme == "zeros":
        W1[:], W2[:] = 0, 0  # after the draws, so the Generator is used alike in every scheme
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

    Z1 = x W1 + b1, A1 = relu(Z1), Z2 = A1 W2 + b2, probs = softmax(Z2). The ReLU network
    only: a network trained with ``train(hidden="linear")`` is evaluated by ``evaluate`` and
    ``predict`` with ``hidden="linear"``.
    """
    _check_data(params, x)
    return _forward(params, x)


def _forward(
    params: Params, x: np.ndarray, linear: bool = False
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """forward without the checks; ``linear`` leaves out the ReLU (A1 = Z1)."""
    Z1 = x @ params["W1"] + params["b1"]
    A1 = Z1 if linear else relu(Z1)
    Z2 = A1 @ params["W2"] + params["b2"]
    probs = softmax(Z2)
    return probs, {"x": x, "Z1": Z1, "A1": A1, "probs": probs}


def backward(params: Params, cache: dict[str, np.ndarray], y: np.ndarray) -> Params:
    """Gradients of the *mean* batch cross-entropy w.r.t. each parameter (same keys and shapes).

    y: (n,) integer labels; the cache of ``forward`` (the ReLU network). Dividing by n here
    (the mean, not the sum) keeps the step size independent of the batch size; summing, as
    the old notebook did, makes every step n times larger.
    """
    _check_params(params, "params")
    if not isinstance(cache, dict) or set(cache) != {"x", "Z1", "A1", "probs"}:
        raise ValueError("cache must be the dict that forward(params, x) returned")
    _check_labels(y, len(cache["x"]), cache["probs"].shape[1])
    return _backward(params, cache, y)


def _backward(
    params: Params, cache: dict[str, np.ndarray], y: np.ndarray, linear: bool = False
) -> Params:
    """backward without the checks; ``linear``: the cache came from _forward(..., linear=True)."""
    x, Z1, A1, probs = cache["x"], cache["Z1"], cache["A1"], cache["probs"]
    n = len(x)
    dZ2 = probs.copy()
    dZ2[np.arange(n), y] -= 1  # softmax + cross-entropy: dL/dZ2 = probs - one_hot(y)
    dZ2 /= n
    dA1 = dZ2 @ params["W2"].T  # back through W2,
    dZ1 = dA1 if linear else dA1 * relu_grad(Z1)  # then through the ReLU's gate
    return {
        "W1": x.T @ dZ1,
        "b1": dZ1.sum(axis=0),
        "W2": A1.T @ dZ2,
        "b2": dZ2.sum(axis=0),
    }


def sgd_step(params: Params, grads: Params, lr: float, weight_decay: float = 0.0) -> None:
    """One gradient-descent step, in place: p <- p - lr * (dp + weight_decay * p).

    Weight decay is the gradient of an L2 penalty (weight_decay / 2) * ||W||^2; it pulls
    the weight matrices (not the biases) towards 0. The notebook's recipe uses none (0).
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

#: Strength 1 of the notebook's search (section 6.8): up to ±10°, ±10% in size, a shear of
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


def _check_hidden(hidden: object) -> bool:
    """True for a linear hidden layer, False for ReLU; anything else is refused."""
    return _check_choice("hidden", hidden, HIDDEN) == "linear"


def evaluate(
    params: Params, x: np.ndarray, y: np.ndarray, hidden: str = "relu"
) -> tuple[float, float]:
    """Mean loss and accuracy of the network on x: (n, 784) float in [0, 1], y: (n,) labels.

    ``hidden``: the activation the network was trained with (see ``train``).
    """
    linear = _check_hidden(hidden)
    _check_data(params, x, y)
    return _evaluate(params, x, y, linear)


def _evaluate(params: Params, x: np.ndarray, y: np.ndarray, linear: bool) -> tuple[float, float]:
    """evaluate without the checks."""
    probs, _ = _forward(params, x, linear)
    return _cross_entropy(probs, y), accuracy(y, probs.argmax(axis=1))


def train(
    params: Params,
    x: np.ndarray,
    y: np.ndarray,
    epochs: int = 10,
    batch_size: int = 64,
    lr: float = 0.5,
    weight_decay: float = 0.0,
    schedule: str = "cosine",
    seed: int = 0,
    x_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    grad_reduction: str = "mean",
    augment: dict[str, float] | None = None,
    hidden: str = "relu",
) -> tuple[Params, dict[str, list[float]]]:
    """Mini-batch gradient descent on the cross-entropy; returns (new params, history).

    x: (n, 784) float32 in [0, 1]; y: (n,) integer labels, n >= batch_size. Each epoch
    visits the examples in a fresh order drawn from a Generator seeded with ``seed``, in
    full batches: the n % batch_size left over sit that epoch out. The default recipe (found
    on a validation split held out of the training set): 10 epochs at learning rate 0.5 with
    a cosine schedule (``"cosine"``, or ``"constant"``). ``weight_decay`` (default 0) adds
    the L2 pull of ``sgd_step``. ``grad_reduction``
    ``"mean"`` steps along the gradient of the batch's mean loss; ``"sum"`` along that of
    its summed loss (batch_size times larger, as the old notebook did), so lr η with
    ``"sum"`` takes the same steps as lr η·batch_size with ``"mean"``. ``augment``, a dict
    of ``distort``'s strengths (e.g. ``{"rotation": 10, "shift": 2}``), distorts every batch
    afresh before its step, drawing from the same Generator as the shuffling, so a seed
    still fixes every number; None (or all strengths 0) trains on the images as they are.
    ``hidden="linear"`` leaves out the ReLU, for showing what it is for: the two layers then
    compute one linear map, x W1 W2 + (b1 W2 + b2); evaluate and predict the result with
    ``hidden="linear"`` too.

    ``params`` is not modified. The history has one entry per epoch: ``lr``, ``train_loss``
    and ``train_acc`` (running means over the epoch's batches), ``seconds`` (training time
    of the epoch), and ``val_loss``/``val_acc`` at the epoch's end when validation data are
    given. Inputs are checked first (NaN, range, types), so a loss that stops being finite,
    an epoch whose second half has climbed above the very first batch's loss (and uniform
    guessing's; see ``_climbed``), or outputs that are no longer finite after an epoch's last
    step, mean the steps are too large: FloatingPointError names the epoch and the losses.
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
    linear = _check_hidden(hidden)
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
            linear,
        )
        if epoch == 0:
            first_loss = batch_losses[0]
        _check_progress(epoch, batch_losses, first_loss, epoch_lr, params["W2"].shape[1])
        # No batch loss measures the epoch's last step: probe it on the first batch's images.
        with np.errstate(over="ignore", invalid="ignore"):
            probe = _cross_entropy(_forward(params, x[:batch_size], linear)[0], y[:batch_size])
        if not (math.isfinite(probe) and all(np.isfinite(v).all() for v in params.values())):
            raise FloatingPointError(
                f"the network's outputs or parameters hold NaN or infinite values after epoch "
                f"{epoch + 1} (learning rate {epoch_lr:g}): the steps are too large. Try a lower "
                "learning rate."
            )
        history["seconds"].append(time.perf_counter() - start)
        history["lr"].append(epoch_lr)
        history["train_loss"].append(loss)
        history["train_acc"].append(acc)
        if x_val is not None:
            val_loss, val_acc = _evaluate(params, x_val, y_val, linear)
            history["val_loss"].append(val_loss)
            history["val_acc"].append(val_acc)
    return params, history


#: How far the late loss of an epoch must climb above where it began to count as diverging,
#: as a share of log(num_classes): a network stuck at guessing (all-zero weights learn only
#: the class frequencies) wobbles around log(num_classes) by a percent or two from batch to
#: batch. A margin added, not a factor: near float32's loss ceiling (about 87, reached by
#: unscaled weights) a factor would leave no room to climb at all.
CLIMB = 0.1


def _climbed(batch_losses: list[float], first_loss: float, num_classes: int) -> float | None:
    """The mean loss over an epoch's second half of batches if it climbed, else None.

    "Climbed" means above both the first batch's loss before any step and log(num_classes),
    the loss of guessing uniformly, by more than CLIMB * log(num_classes). The mean over the
    second half, not the last batch: a run that stumbles early and then settles (as summed
    gradients at lr 0.1 do, killing every hidden unit) is not diverging.
    """
    late = float(np.mean(batch_losses[len(batch_losses) // 2 :]))
    guess = math.log(num_classes)
    return late if late > max(first_loss, guess) + CLIMB * guess else None


def _check_progress(
    epoch: int, batch_losses: list[float], first_loss: float, lr: float, num_classes: int
) -> None:
    """Raise if training made things worse: the loss late in an epoch climbed (``_climbed``).

    The loss floor (about 87 in float32) keeps a diverging run's loss finite, so this is what
    catches steps so large that they climb.
    """
    late = _climbed(batch_losses, first_loss, num_classes)
    if late is not None:
        guess = math.log(num_classes)
        raise FloatingPointError(
            f"training diverged: the mean loss over the second half of epoch {epoch + 1} is "
            f"{late:.4g}, more than {CLIMB * guess:.2g} above both {first_loss:.4g} on the first "
            f"batch before any step and log({num_classes}) = {guess:.4g}, the loss of guessing, "
            f"at learning rate {lr:g}: the steps are too large. Try a lower learning rate."
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
    linear: bool = False,
) -> tuple[float, float, list[float]]:
    """One pass over (x, y) in a random order, in full batches, updating params in place.

    Returns the epoch's mean loss and accuracy over the examples it used, and each batch's
    loss (measured before that batch's step). ``summed`` steps along the summed, not the
    mean, gradient; ``augment`` (checked strengths) distorts each batch first; ``linear``
    leaves out the ReLU.
    """
    loss_sum, correct, batch_losses = 0.0, 0, []
    batches = _batches(rng, len(x), batch_size)
    # A diverging run overflows before its loss turns inf; we report that below, clearly.
    with np.errstate(over="ignore", invalid="ignore"):
        for step, batch in enumerate(batches):
            xb, yb = x[batch], y[batch]
            if augment:
                xb = _distort(xb, rng, **augment)
            probs, cache = _forward(params, xb, linear)
            loss = _cross_entropy(probs, yb)
            if not math.isfinite(loss):
                raise FloatingPointError(
                    f"the loss became {loss} at epoch {epoch + 1}, step {step + 1} (learning "
                    f"rate {lr:g}); the inputs and parameters were checked and finite, so the "
                    "steps are too large. Try a lower learning rate."
                )
            grads = _backward(params, cache, yb, linear)
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


def predict(params: Params, x: np.ndarray, hidden: str = "relu") -> np.ndarray:
    """Predicted digits (n,) int64 for x: (n, 784) float in [0, 1], preprocessed like training.

    ``hidden``: the activation the network was trained with (see ``train``).
    """
    linear = _check_hidden(hidden)
    _check_data(params, x)
    return _forward(params, x, linear)[0].argmax(axis=1)


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
# Checking the gradients
# ---------------------------------------------------------------------------------------


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
    parameter's shape; a NaN gradient counts as infinitely wrong. The loss is the ReLU
    network's (``forward``).
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
# Validation split, PCA and dead units
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

    For the ReLU network only: a linear hidden layer has no gate to die behind.

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
