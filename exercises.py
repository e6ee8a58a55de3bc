"""The checks of the notebook's seven exercises, and the diagnoses of the mistakes they recognise.

One ``check_*`` per exercise, in the notebook's order: ``check_background_share`` (1),
``check_cross_entropy`` (2), ``check_broken_backward`` (3), ``check_momentum`` (4),
``check_hidden_size`` (5), ``check_confusion_by_hand`` (6) and ``check_prepare`` (7). Each
returns a message for the notebook to print, starting with exactly one of "Not attempted yet:",
"Correct!" or "Not yet:". A learner's wrong answer, or an error raised by the learner's code,
is reported in the message. What a check is given by the notebook (the data, the number of
epochs) is checked first: bad data raise a TypeError or ValueError saying they are the
notebook's, not the learner's, and so does an error in a check's own computations (only the
learner's calls sit inside ``_learner``'s try). The helpers beside them
(``_momentum_mistake``, ``_prepare_mistake``, ...) name the usual mistakes.

What this module must NOT hold: network or data code. A check uses the network through
nn_utils, and Exercise 7's reference through own_digit, the only modules of this project
imported here; nothing imports this module but the notebook and its tests.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from nn_utils import (
    CLIMB,
    Params,
    _backward,
    _batches,
    _check_data,
    _check_int,
    _check_labels,
    _climbed,
    _cross_entropy,
    _forward,
    _sgd_step,
    accuracy,
    backward,
    confusion_matrix,
    gradient_check,
    init_params,
    predict,
    train,
)
from own_digit import FIELD_CENTER, _center_of_mass, prepare_digit

NOT_ATTEMPTED, CORRECT, NOT_YET = "Not attempted yet:", "Correct!", "Not yet:"


def _raised(err: Exception) -> str:
    """The message for an exception raised by the learner's code."""
    return f"{NOT_YET} your function raised {type(err).__name__}: {err}"


class _LearnerRaised(Exception):
    """The learner's code raised ``error``: carried out through the check's own code."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _learner(function: Callable, *args: object) -> object:
    """Call the learner's ``function``; whatever it raises comes out as _LearnerRaised.

    Only the learner's own call sits in this try: an error in the check's computations is the
    check's (or the notebook's) and propagates as it is, instead of being blamed on the learner.
    """
    try:
        return function(*args)
    except Exception as err:
        raise _LearnerRaised(err) from err


def _notebook_data(check: str, verify: Callable[[], object]) -> None:
    """Run ``verify``, which checks the arguments the notebook passes (not the learner's answer);
    a TypeError or ValueError from it is re-raised saying whose data are wrong."""
    try:
        verify()
    except (TypeError, ValueError) as err:
        raise type(err)(
            f"{check} was given bad data by the notebook, not by your answer: {err}. Re-run the "
            "notebook's cells from the top."
        ) from None


def _check_array(name: str, value: object) -> np.ndarray:
    """Raise unless ``value`` is a non-empty array of finite real numbers."""
    if not isinstance(value, np.ndarray) or value.size == 0:
        got = f"shape {value.shape}" if isinstance(value, np.ndarray) else type(value).__name__
        raise TypeError(f"{name} must be a non-empty NumPy array, got {got}")
    if value.dtype == bool or not (
        np.issubdtype(value.dtype, np.integer) or np.issubdtype(value.dtype, np.floating)
    ):
        raise TypeError(f"{name} must hold real numbers, got dtype {value.dtype}")
    if not np.isfinite(value).all():
        raise ValueError(f"{name} holds NaN or infinite values")
    return value


def _as_number(answer: object) -> float | None:
    """``answer`` as a float if it is one real number (not a bool), else None."""
    if isinstance(answer, bool | np.bool_):
        return None
    if isinstance(answer, np.ndarray) and answer.size == 1:
        answer = answer.item()
    if not isinstance(answer, int | float | np.integer | np.floating):
        return None
    try:
        return float(answer)
    except OverflowError:  # an int such as 10**400 has no float
        return None


def _one_number_hint(answer: object) -> str:
    if isinstance(answer, np.ndarray) and answer.size > 1:  # a mean over one axis: say so
        return (
            f"{NOT_YET} the answer should be one number, got an array of shape {answer.shape}; "
            "an axis= argument keeps the other axes: leave it out to reduce over everything."
        )
    try:
        shown = f"{answer!r:.60}"
    except Exception:  # a learner's object whose repr fails is still just a wrong answer
        shown = "an object that cannot be shown"
    kind = type(answer).__name__
    return f"{NOT_YET} the answer should be one number, got {shown} ({kind})"


def check_background_share(answer: float | None, images: np.ndarray) -> str:
    """Exercise: the share of training pixels that are exactly 0 (the black background).

    images: the raw training images, e.g. (60000, 28, 28) uint8. Correct within 1e-4.
    """
    _notebook_data("check_background_share", lambda: _check_array("images", images))
    if answer is None:
        return f"{NOT_ATTEMPTED} set `background_share` to the share of pixels equal to 0."
    a = _as_number(answer)
    if a is None or not math.isfinite(a):
        return _one_number_hint(answer)
    share = float(np.mean(images == 0))
    if abs(a - share) <= 1e-4:
        return f"{CORRECT} {share:.4f} of all pixels are exactly 0: most of an image is background."
    if abs(a - 100 * share) <= 1e-2:
        return f"{NOT_YET} {a:g} looks like a percentage; give a share in [0, 1] (divide by 100)."
    if not 0 <= a <= 1:
        return f"{NOT_YET} {a:g} is outside [0, 1]; a share is a count divided by the total count."
    if abs(a - (1 - share)) <= 1e-4:
        return (
            f"{NOT_YET} {a:.4f} is the share of pixels that are NOT 0 (the ink); "
            "count the pixels equal to 0 instead."
        )
    return (
        f"{NOT_YET} {a:.4f} is not the share. Hint: `images == 0` is an array of True/False "
        "with one entry per pixel, and the mean of True/False counts True as 1."
    )


def check_cross_entropy(answer: float | None, probs: np.ndarray, label: int) -> str:
    """Exercise: the cross-entropy -ln(probs[label]) of one row of probabilities (k,).

    probs: positive and summing to 1 (within 1e-6); label an int in 0..k-1. Correct within 1e-3.
    """

    def verify() -> None:
        _check_array("probs", probs)
        if probs.ndim != 1 or not (probs > 0).all() or abs(probs.sum() - 1) > 1e-6:
            raise ValueError(
                f"probs must be (k,) positive probabilities summing to 1, got shape "
                f"{probs.shape}, values from {probs.min():g} to {probs.max():g}, sum "
                f"{probs.sum():.10g}"
            )
        _check_int("label", label, 0)
        if label >= len(probs):
            raise ValueError(f"label must lie in 0..{len(probs) - 1}, got {label}")

    _notebook_data("check_cross_entropy", verify)
    probs = probs.astype(np.float64)
    if answer is None:
        return f"{NOT_ATTEMPTED} set `loss_by_hand` to the loss for the true class {label}."
    a = _as_number(answer)
    if a is None or not math.isfinite(a):
        return _one_number_hint(answer)
    p = probs[label]
    if abs(a - -np.log(p)) <= 1e-3:
        return f"{CORRECT} -ln({p:.3f}) = {-np.log(p):.4f}: the less sure of the truth, the larger."
    for other in ((label - 1) % len(probs), label + 1):  # probs[true_label - 1]: from 1
        if other != label and other < len(probs) and abs(a - -np.log(probs[other])) <= 1e-3:
            also = ", also the most likely one" if other == int(probs.argmax()) else ""
            return (
                f"{NOT_YET} {a:.4f} is the loss of class {other}, next to the true class"
                f"{also}; the loss uses the TRUE class, and Python counts from 0: "
                f"class {label} is probs[{label}]."
            )
    top = int(probs.argmax())
    if top != label and abs(a - -np.log(probs[top])) <= 1e-3:
        return (
            f"{NOT_YET} {a:.4f} is the loss of the most likely class ({top}); the loss uses "
            f"the probability of the TRUE class, probs[{label}]."
        )
    if abs(a - np.log(p)) <= 1e-3:
        return f"{NOT_YET} {a:.4f} has the wrong sign: the loss is MINUS the log of a probability."
    if abs(abs(a) - -np.log10(p)) <= 1e-3:
        return f"{NOT_YET} {a:.4f} uses log base 10; cross-entropy uses the natural log, np.log."
    if abs(a - p) <= 1e-3:
        return f"{NOT_YET} {a:.4f} is the probability itself; the loss is -ln of it."
    return f"{NOT_YET} {a:.4f} is not it. Hint: take the probability of class {label}, then -ln."


class _BadAnswer(Exception):
    """A learner's function returned something unusable; the message says what."""


def _check_grads(grads: object, params: Params) -> None:
    """Raise _BadAnswer unless grads is a dict of finite arrays shaped like params."""
    if not isinstance(grads, dict):
        raise _BadAnswer(f"your backward returned {type(grads).__name__}; return a dict of arrays")
    if set(grads) != set(params):
        raise _BadAnswer(
            f"your backward returned the keys {sorted(grads)}; return {sorted(params)}"
        )
    for key, p in params.items():
        g = grads[key]
        if np.shape(g) != p.shape:
            raise _BadAnswer(f"grads[{key!r}] has shape {np.shape(g)}; it must be {p.shape}")
        if not np.issubdtype(np.asarray(g).dtype, np.number) or np.iscomplexobj(g):
            raise _BadAnswer(f"grads[{key!r}] holds {np.asarray(g).dtype}, not real numbers")
        if not np.isfinite(g).all():
            raise _BadAnswer(f"grads[{key!r}] contains NaN or inf")


def check_broken_backward(
    my_backward: Callable | None, params: Params, x: np.ndarray, y: np.ndarray
) -> str:
    """Exercise: break one line of a copy of ``backward``; the gradient check must notice.

    params and x must be float64 (see gradient_check); y: (n,) labels.
    """

    def verify() -> None:
        _check_data(params, x)
        _check_labels(y, len(x), params["W2"].shape[1])

    _notebook_data("check_broken_backward", verify)
    if any(p.dtype != np.float64 for p in params.values()) or x.dtype != np.float64:
        # The notebook's slip, not the learner's: raise rather than blame their function.
        raise TypeError("check_broken_backward needs float64 params and x, as gradient_check")
    if my_backward is None:
        return f"{NOT_ATTEMPTED} copy `backward` into `my_backward` and break one line."
    if not callable(my_backward):
        return f"{NOT_YET} my_backward must be a function, got {type(my_backward).__name__}."

    unchanged = []  # whether my_backward gives backward's own gradients

    def checked(params: Params, cache: dict[str, np.ndarray], y: np.ndarray) -> Params:
        # Copies: a backward that changed params in place would spoil the numerical side.
        copies = {key: value.copy() for key, value in params.items()}
        grads = _learner(
            my_backward, copies, {key: value.copy() for key, value in cache.items()}, y.copy()
        )
        _check_grads(grads, params)
        grads = {key: np.asarray(g, np.float64) for key, g in grads.items()}
        reference = backward(params, cache, y)
        unchanged.append(all(_close(grads[key], reference[key]) for key in reference))
        return grads

    try:
        worst = gradient_check(params, x, y, backward_fn=checked)
    except _BadAnswer as err:
        return f"{NOT_YET} {err}."
    except _LearnerRaised as raised:
        return _raised(raised.error)
    # Also unbroken: backward's own gradients that a ReLU kink pushed just past 1e-6.
    if worst < 1e-6 or (worst <= 1e-3 and unchanged[0]):
        return (
            f"{NOT_YET} your backward still agrees with the numerical gradient (worst relative "
            f"error {worst:.1e}): it isn't broken yet; change one line, e.g. drop `dZ2 /= n`."
        )
    if worst > 1e-3:
        return (
            f"{CORRECT} the gradient check caught your bug: worst relative error {worst:.1e} "
            "(a correct backward stays below 1e-6)."
        )
    return (
        f"{NOT_YET} the worst relative error is {worst:.1e}: between 1e-6 (correct) and 1e-3 "
        "(clearly wrong). Such a small disagreement means your change barely alters the "
        "gradient (a tiny scale factor, or a path that is almost never used); make a plainer "
        "mistake, e.g. drop `dZ2 /= n` or the ReLU gate."
    )


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-12, atol=1e-12))


def _momentum_mistake(
    key: str,
    p_old: np.ndarray,
    v_old: np.ndarray,
    g: np.ndarray,
    p: np.ndarray,
    v: np.ndarray,
    lr: float,
    beta: float,
) -> str | None:
    """What is wrong with one key's update (None if nothing): p, v are after the step."""
    v_new = beta * v_old + g
    if not _close(v, v_new):
        if _close(v, v_old):
            return (
                f"velocity[{key!r}] was not updated in place: it still holds its old value. "
                "Change the arrays in the dict, e.g. velocity[key] *= beta; velocity[key] += g "
                "(a local `v = beta * v + g` is lost when the function returns)"
            )
        if _close(v, beta * v_old - lr * g):
            return (
                f"velocity[{key!r}] follows the other convention, v <- beta v - lr g; this "
                "exercise uses v <- beta v + g, then p <- p - lr v"
            )
        if _close(v, -v_new):
            return f"velocity[{key!r}] has the wrong sign: v <- beta v + g"
        if _close(v, g):
            return f"velocity[{key!r}] is just the gradient: add beta times the old velocity"
        if _close(v, beta * v_old + (1 - beta) * g):
            return f"velocity[{key!r}] averages (1 - beta) g; this exercise adds g itself"
        return f"velocity[{key!r}] is not beta * v + g (off by up to {np.abs(v - v_new).max():.3g})"
    if _close(p, p_old - lr * v_new):
        return None
    if _close(p, p_old):
        return f"params[{key!r}] was not updated in place: it still holds its old value"
    if _close(p, p_old + lr * v_new):
        return f"params[{key!r}] has the wrong sign: the step goes uphill; use p <- p - lr v"
    if _close(p, p_old - lr * g):
        return f"params[{key!r}] moved by the gradient; move it by the new velocity: p - lr v"
    if _close(p, p_old - lr * v_old):
        return f"params[{key!r}] used the old velocity: update v first, then p <- p - lr v"
    off = np.abs(p - (p_old - lr * v_new)).max()
    return f"params[{key!r}] is not p - lr * v (off by up to {off:.3g})"


def _verify_momentum(momentum_step: Callable) -> str | None:
    """Two steps on small random float64 arrays against v <- beta v + g, p <- p - lr v."""
    rng = np.random.default_rng(0)
    shapes = {"W1": (4, 3), "b1": (3,), "W2": (3, 2), "b2": (2,)}
    params = {k: rng.standard_normal(s) for k, s in shapes.items()}
    velocity = {k: rng.standard_normal(s) for k, s in shapes.items()}  # non-zero: tests beta
    lr, beta = 0.1, 0.9
    for step in (1, 2):
        grads = {k: rng.standard_normal(s) for k, s in shapes.items()}
        p_old = {k: v.copy() for k, v in params.items()}
        v_old = {k: v.copy() for k, v in velocity.items()}
        _learner(momentum_step, params, {k: g.copy() for k, g in grads.items()}, velocity, lr, beta)
        for key, shape in shapes.items():
            if key not in params or key not in velocity:
                return f"after step {step}, the key {key!r} is missing from params or velocity"
            for name, value in (("params", params[key]), ("velocity", velocity[key])):
                if np.shape(value) != shape or not np.issubdtype(
                    np.asarray(value).dtype, np.number
                ):
                    return (
                        f"after step {step}, {name}[{key!r}] is {type(value).__name__} of shape "
                        f"{np.shape(value)}; it must stay an array of numbers of shape {shape}"
                    )
            p, v = np.asarray(params[key]), np.asarray(velocity[key])
            mistake = _momentum_mistake(key, p_old[key], v_old[key], grads[key], p, v, lr, beta)
            if mistake:
                return f"after step {step}: {mistake}"
    return None


class _Diverged(Exception):
    """Training with the learner's step went wrong; the message says how."""


def _train_with(
    step: Callable, params: Params, x: np.ndarray, y: np.ndarray, epochs: int, seed: int
) -> Params:
    """Mini-batches of 64 in nn_utils.train's order for ``seed``; step(params, grads) updates.

    The inputs were checked before, so the loop uses nn_utils' unchecked twins. _Diverged is
    raised when the loss stops being finite, or when an epoch's second half climbed (nn_utils'
    ``_climbed``, the rule train uses): the loss is floored (about 87 in float32), so steps
    that climb keep it finite.
    """
    rng = np.random.default_rng(seed)
    first = math.inf  # the loss of the very first batch, before any step: set in epoch 1
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported below
        for epoch in range(1, epochs + 1):
            losses = []
            for number, batch in enumerate(_batches(rng, len(x), 64), start=1):
                probs, cache = _forward(params, x[batch])
                losses.append(_cross_entropy(probs, y[batch]))
                if not math.isfinite(losses[-1]):
                    raise _Diverged(f"the loss became {losses[-1]} at epoch {epoch}, step {number}")
                step(params, _backward(params, cache, y[batch]))
            if epoch == 1:
                first = losses[0]
            late = _climbed(losses, first, 10)
            if late is not None:
                raise _Diverged(
                    f"the mean loss over the second half of epoch {epoch} was {late:.4g}, more "
                    f"than {CLIMB * math.log(10):.2g} above {max(first, math.log(10)):.4g} "
                    "(the first batch's loss before any step, or guessing's if higher)"
                )
    return params


def _check_fit_val(
    x_fit: object, y_fit: object, x_val: object, y_val: object, epochs: object, seed: object
) -> None:
    """Raise unless the notebook's data fit a (d, h, 10) network and epochs, seed are sane."""
    _check_int("epochs", epochs, 1)
    _check_int("seed", seed, 0)
    d = x_fit.shape[1] if isinstance(x_fit, np.ndarray) and x_fit.ndim == 2 else 784
    probe = init_params((max(d, 1), 1, 10))
    for name, x, y in (("fit", x_fit, y_fit), ("validation", x_val, y_val)):
        try:
            _check_data(probe, x, y)
        except (TypeError, ValueError) as err:
            raise type(err)(f"the {name} data: {err}") from None
    if len(x_fit) < 64:  # the checks train with train's batch of 64
        raise ValueError(f"the fit data have {len(x_fit)} examples, fewer than one batch of 64")


def check_momentum(
    momentum_step: Callable | None,
    x_fit: np.ndarray,
    y_fit: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    epochs: int = 2,
    seed: int = 0,
) -> str:
    """Exercise: ``momentum_step(params, grads, velocity, lr, beta)``, in place, for every key:
    v <- beta * v + g, then p <- p - lr * v.

    Checked first on small arrays; if right, the 784-64-10 network is trained for ``epochs``
    epochs on (x_fit, y_fit) with it (lr 0.05, beta 0.9) and with plain sgd_step (lr 0.5),
    batches of 64 in nn_utils.train's order for ``seed``, and both validation accuracies
    are reported. x_*: (n, 784) float32 in [0, 1]; y_*: (n,) labels; epochs >= 1.
    """
    _notebook_data(
        "check_momentum", lambda: _check_fit_val(x_fit, y_fit, x_val, y_val, epochs, seed)
    )
    if momentum_step is None:
        return f"{NOT_ATTEMPTED} write momentum_step(params, grads, velocity, lr, beta)."
    if not callable(momentum_step):
        return f"{NOT_YET} momentum_step must be a function, got {type(momentum_step).__name__}."
    try:
        mistake = _verify_momentum(momentum_step)
    except _LearnerRaised as raised:
        return _raised(raised.error)
    if mistake:
        return f"{NOT_YET} {mistake}."

    start = init_params((x_fit.shape[1], 64, 10), seed)
    plain = {k: v.copy() for k, v in start.items()}
    _train_with(lambda p, g: _sgd_step(p, g, 0.5, 0.0), plain, x_fit, y_fit, epochs, seed)
    velocity = {k: np.zeros_like(v) for k, v in start.items()}
    moving = {k: v.copy() for k, v in start.items()}
    try:
        _train_with(
            lambda p, g: _learner(momentum_step, p, g, velocity, 0.05, 0.9),
            moving,
            x_fit,
            y_fit,
            epochs,
            seed,
        )
    except _LearnerRaised as raised:
        return _raised(raised.error)
    except _Diverged as err:
        return (
            f"{NOT_YET} your step gives the right numbers on small float64 arrays, but training "
            f"the network with it (lr 0.05, beta 0.9) diverged: {err}. Look for what differs "
            "on the network's arrays: they are float32, and every key must get the same update."
        )
    acc_momentum = accuracy(y_val, predict(moving, x_val))
    acc_plain = accuracy(y_val, predict(plain, x_val))
    return (
        f"{CORRECT} your step matches v <- beta v + g, p <- p - lr v. Validation accuracy with "
        f"momentum: {acc_momentum:.2%}, plain SGD: {acc_plain:.2%} ({epochs} epochs each). "
        "lr 0.05 with beta 0.9 ends up stepping like lr 0.5 (0.05 / (1 - 0.9)), but smoothed."
    )


def _param_count(sizes: tuple[int, int, int]) -> int:
    n_in, n_hidden, n_out = sizes
    return n_in * n_hidden + n_hidden + n_hidden * n_out + n_out


def check_hidden_size(
    hidden_size: int | None,
    x_fit: np.ndarray,
    y_fit: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    epochs: int = 2,
    seed: int = 0,
) -> str:
    """Exercise: pick another hidden-layer size; trains 784-h-10 and 784-64-10 and compares.

    Both are trained with nn_utils.train for ``epochs`` epochs from init_params(..., seed);
    reports the validation accuracies and parameter counts. A layer too narrow to learn at
    all (train stops it as diverging: the loss climbs above where it began) is reported as
    that finding, with the 64-unit result beside it.
    """
    _notebook_data(
        "check_hidden_size", lambda: _check_fit_val(x_fit, y_fit, x_val, y_val, epochs, seed)
    )
    if hidden_size is None:
        return f"{NOT_ATTEMPTED} set `hidden_size` to a number of hidden units, e.g. 16 or 256."
    if isinstance(hidden_size, bool | np.bool_) or not isinstance(hidden_size, int | np.integer):
        return (
            f"{NOT_YET} hidden_size must be a whole number like 16, got {hidden_size!r} "
            f"({type(hidden_size).__name__})."
        )
    h = int(hidden_size)
    if h < 1:
        return f"{NOT_YET} a layer needs at least 1 unit, got {h}."
    if h > 2048:
        return f"{NOT_YET} {h} units would train for a long time here; pick at most 2048."
    if h == 64:
        return f"{NOT_YET} 64 is the size the notebook already uses; try 16 or 256."
    d = x_fit.shape[1]
    results = []
    for size in (h, 64):
        start = init_params((d, size, 10), seed)
        try:
            params, _ = train(start, x_fit, y_fit, epochs=epochs, seed=seed)
        except FloatingPointError as err:
            if size == 64:  # the notebook's own network: not the learner's doing
                raise ValueError(
                    "check_hidden_size was given bad data by the notebook, not by your answer: "
                    f"the 784-64-10 network diverged on them ({err}). Re-run the notebook's "
                    "cells from the top."
                ) from None
            params = None
        accuracy_ = None if params is None else accuracy(y_val, predict(params, x_val))
        results.append((accuracy_, _param_count((d, size, 10))))
    (acc_h, count_h), (acc_64, count_64) = results
    units = f"{h} hidden unit{'s' if h > 1 else ''}"
    each = f"{epochs} epoch{'s' if epochs > 1 else ''} each"
    # Chance: always answering the most common digit of the validation set (about 11% on MNIST),
    # which a network stuck on one answer scores.
    chance = float(np.bincount(y_val).max() / len(y_val))
    cost_64 = _cost(count_64, acc_64, chance)
    other = f"64 units: {acc_64:.2%} with {count_64:,} parameters, {cost_64}"
    if acc_h is None:
        why = (
            f"every digit has to pass through {h} number{'s' if h > 1 else ''}, too few to "
            "tell ten classes apart. Try 8 or 16 to see where it starts to work"
            if h < 16
            else "at the notebook's rate, steps through this many units were too large. "
            "Try a size nearer 64"
        )
        return (
            f"{CORRECT} {units} ({count_h:,} parameters) could not learn here: training "
            f"stopped it as diverging (its loss climbed above where it began); {why}. {other} "
            f"({each})."
        )
    per_h, per_64 = _per_point(count_h, acc_h, chance), _per_point(count_64, acc_64, chance)
    if math.isinf(per_h) and math.isinf(per_64):
        answer = "Neither beats chance yet, so neither buys a point: train longer."
    elif math.isinf(per_h):
        buy = "buys" if h == 1 else "buy"
        answer = f"{units.capitalize()} {buy} no point above chance here, at any price."
    elif math.isinf(per_64):
        answer = "Here 64 units do not beat chance yet, and yours do."
    else:
        costlier = "larger" if (per_h > per_64) == (h > 64) else "smaller"
        answer = f"Here the {costlier} layer pays more parameters for each point."
    return (
        f"{CORRECT} {units}: validation accuracy {acc_h:.2%} with {count_h:,} parameters, "
        f"{_cost(count_h, acc_h, chance)}; {other} ({each}; chance, always answering the "
        f"validation set's most common digit, is {chance:.2%}). {answer}"
    )


def _per_point(count: int, acc: float, chance: float) -> float:
    """Parameters per percentage point of accuracy above ``chance``; inf at or below it."""
    points = 100 * (acc - chance)
    return count / points if points > 0 else math.inf


def _cost(count: int, acc: float, chance: float) -> str:
    per = _per_point(count, acc, chance)
    return "no better than chance" if math.isinf(per) else f"{per:,.0f} per point above chance"


def check_confusion_by_hand(answer: object, y_true: object, y_pred: object) -> str:
    """Exercise: the confusion matrix of a few labels, by hand (a nested list or an array).

    Rows are true classes, columns predicted classes; classes 0..max label.
    """
    labels_in = {"y_true": y_true, "y_pred": y_pred}

    def verify() -> None:
        for name, given in labels_in.items():
            try:
                labels = np.asarray(given)
            except ValueError:  # ragged lists
                message = f"{name} must be a flat list of labels, got {given!r:.60}"
                raise ValueError(message) from None
            if labels.ndim != 1 or labels.size == 0:
                raise ValueError(f"{name} must be a non-empty list of labels, got {labels!r:.60}")
            if not np.issubdtype(labels.dtype, np.integer):
                raise TypeError(f"{name} must hold integer labels, got dtype {labels.dtype}")
            if labels.min() < 0:
                raise ValueError(f"{name} holds a negative label, {labels.min()}")
            if labels.max() > 20:  # a matrix to write by hand
                raise ValueError(f"{name} holds label {labels.max()}; by hand means a few classes")
        if len(labels_in["y_true"]) != len(labels_in["y_pred"]):
            raise ValueError(
                f"y_true has {len(labels_in['y_true'])} labels but y_pred "
                f"{len(labels_in['y_pred'])}"
            )

    _notebook_data("check_confusion_by_hand", verify)
    y_true, y_pred = np.asarray(y_true).astype(np.int64), np.asarray(y_pred).astype(np.int64)
    k = int(max(y_true.max(), y_pred.max())) + 1
    expected = confusion_matrix(y_true, y_pred, num_classes=k)
    if answer is None:
        return f"{NOT_ATTEMPTED} fill in `cm_by_hand`, a {k} x {k} table of counts."
    try:
        got = np.asarray(answer)
    except ValueError:
        return f"{NOT_YET} the rows have different lengths; every row needs {k} counts."
    except Exception as err:  # the learner's own object failed to become an array
        return f"{NOT_YET} the answer could not be read as a table of counts ({err!r:.80})."
    if not (np.issubdtype(got.dtype, np.integer) or np.issubdtype(got.dtype, np.floating)):
        return f"{NOT_YET} the answer should hold numbers (counts), got dtype {got.dtype}."
    if got.shape != expected.shape:
        return (
            f"{NOT_YET} the answer has shape {got.shape}; it should be ({k}, {k}): one row per "
            f"true class and one column per predicted class, 0..{k - 1}."
        )
    if not np.all(np.isfinite(got)) or not np.array_equal(got, np.round(got)):
        return f"{NOT_YET} every entry is a count of examples: a whole number, 0 or more."
    if np.array_equal(got, expected):
        return f"{CORRECT} the diagonal holds the {np.trace(expected)} right answers."
    if np.array_equal(got, expected.T):
        return (
            f"{NOT_YET} rows and columns are swapped: rows are the TRUE classes, columns the "
            "predictions (entry [i, j] counts true i predicted as j)."
        )
    if got.sum() != len(y_true):
        return (
            f"{NOT_YET} the counts add up to {got.sum():g}, but there are {len(y_true)} "
            "examples; each example adds 1 to exactly one cell."
        )
    i, j = np.argwhere(got != expected)[0]
    return (
        f"{NOT_YET} cell [{i}, {j}] (true {i}, predicted {j}) is {got[i, j]:g}; count again "
        f"the examples whose label is {i} and prediction {j}."
    )


#: How far, in pixels along each axis, Exercise 7 lets the centre of mass sit from FIELD_CENTER
#: (14, 14), where MNIST's digits have theirs on average. A whole-pixel shift towards (14, 14),
#: as in prepare_digit and the notebook's solution, lands within 0.5 of it; one towards the
#: geometric centre (13.5, 13.5) within 1.0: both pass with room. Not centring at all does not.
COM_TOLERANCE = 1.5


def _box_and_com(out: np.ndarray) -> tuple[int, tuple[float, float]] | None:
    """Longer side of the visible ink's bounding box and the centre of mass (None: no ink)."""
    # Low threshold: shrinking to 20 px averages a stroke's edge with paper, so edges are faint.
    visible = out > 0.05
    if not visible.any():
        return None
    rows, cols = np.flatnonzero(visible.any(axis=1)), np.flatnonzero(visible.any(axis=0))
    return max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1, _center_of_mass(out)


def _best_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Largest correlation of a with b shifted by up to 1 pixel (centring is checked apart)."""
    return max(
        float(np.corrcoef(a.ravel(), np.roll(b, (dy, dx), axis=(0, 1)).ravel())[0, 1])
        for dy in (-1, 0, 1)
        for dx in (-1, 0, 1)
    )


def _prepare_mistake(out: object, reference: np.ndarray) -> str | None:
    """What is wrong with my_prepare's output, given prepare_digit's (None if nothing)."""
    if isinstance(out, np.matrix):  # an ndarray whose indexing differs: judge its values
        out = np.asarray(out)
    if not isinstance(out, np.ndarray):
        return f"it returned {type(out).__name__}; return a NumPy array"
    if out.shape != (28, 28):
        return f"it returned shape {out.shape}; MNIST digits are (28, 28)"
    if not (np.issubdtype(out.dtype, np.floating) or np.issubdtype(out.dtype, np.integer)):
        return f"it returned dtype {out.dtype}; return floats in [0, 1]"
    out = out.astype(np.float64)
    if not np.isfinite(out).all():
        return "it contains NaN or inf; check for divisions by zero"
    if out.min() < -1e-6 or out.max() > 1 + 1e-6:
        return f"its values span [{out.min():g}, {out.max():g}]; scale them into [0, 1]"
    border = np.ones((28, 28), bool)
    border[2:-2, 2:-2] = False
    if out[border].mean() >= 0.5:  # mostly light: the paper, not inverted
        return (
            f"the 2-pixel border averages {out[border].mean():.2f}: the background is light; "
            "MNIST has light ink on black (0): invert dark-on-light photos (1 - img)"
        )
    if np.median(out[border]) >= 0.05:  # grey all round, not a stroke that reaches the edge
        return (
            f"the 2-pixel border averages {out[border].mean():.2f}, where MNIST's is black (0): "
            "is the paper still grey? Scale by the image's own min and max before cropping"
        )
    measured = _box_and_com(out)
    if measured is None:
        return "no ink is visible (every pixel <= 0.05); did the digit get lost in the crop?"
    side, (cy, cx) = measured
    if not 19 <= side <= 21:
        return (
            f"the ink's bounding box is {side} px on its longer side; crop to the ink, then "
            "scale so the longer side is 20 px"
        )
    if max(abs(cy - FIELD_CENTER), abs(cx - FIELD_CENTER)) > COM_TOLERANCE + 1e-4:  # float32
        return (
            f"the centre of mass is at ({cy:.1f}, {cx:.1f}); shift the digit so that it lands "
            f"at the centre, ({FIELD_CENTER:g}, {FIELD_CENTER:g}), as MNIST's digits do"
        )
    if out[border].mean() >= 0.05:  # centred and 20 px, yet ink lies along an edge
        return (
            f"ink reaches the 2-pixel border (it averages {out[border].mean():.2f}); MNIST keeps "
            "it black: did something outside the digit's box come along?"
        )
    if out.std() == 0:
        return "every pixel has the same value"
    corr = _best_correlation(out, reference)
    if corr <= 0.9:
        return (
            f"it looks unlike own_digit.prepare_digit(image) (correlation {corr:.2f}); show "
            "both with plt.imshow side by side. Usual causes: light paper left in the picture "
            "(not inverted), or a crop that is not the ink's bounding box"
        )
    return None


def check_prepare(my_prepare: Callable | None, images: Sequence[np.ndarray]) -> str:
    """Exercise: ``my_prepare(image) -> (28, 28)`` turns a photo-like digit into an MNIST one.

    images: raw 2-D grayscale arrays, dark ink on light paper. Each result must be 28 x 28
    in [0, 1], black border, ink box 19-21 px, centre of mass within ``COM_TOLERANCE`` (1.5)
    px of ``FIELD_CENTER`` (14, 14) on each axis, and correlate > 0.9 with
    ``prepare_digit(image)``. The first failure is reported.
    """
    references = []

    def verify() -> None:
        if not isinstance(images, list | tuple) or len(images) == 0:
            raise ValueError(f"images must be a non-empty list of pictures, got {images!r:.60}")
        references.extend(prepare_digit(image) for image in images)

    _notebook_data("check_prepare", verify)
    if my_prepare is None:
        return f"{NOT_ATTEMPTED} write my_prepare(image) returning a (28, 28) MNIST-like digit."
    if not callable(my_prepare):
        return f"{NOT_YET} my_prepare must be a function, got {type(my_prepare).__name__}."
    for number, (image, reference) in enumerate(zip(images, references, strict=True), start=1):
        try:
            out = _learner(my_prepare, image.copy())  # a copy: the learner's code may change it
        except _LearnerRaised as raised:
            return f"{_raised(raised.error)} (on image {number})"
        mistake = _prepare_mistake(out, reference)
        if mistake:
            return f"{NOT_YET} on image {number}, {mistake}."
    return (
        f"{CORRECT} all {len(images)} images come out like MNIST digits: 28 x 28, light ink on "
        "black, 20 px on the longer side, centred by centre of mass."
    )
