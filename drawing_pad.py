"""The drawing pad of mnist_from_scratch.ipynb, section 9: draw a digit, watch the network read it.

``pad_html(params)`` returns the HTML of a cell output that carries all the pad needs: the
network's weights (float32, base64), the constants of ``nn_utils.prepare_digit`` as a JSON
config, and ``drawing_pad.js``, which prepares the drawing the MNIST way and runs the forward
pass in the browser. No kernel round trip, no ipywidgets, nothing fetched from the network, so
the pad works alike in Jupyter, JupyterLab, VS Code and Colab, and still works after the kernel
stops. A viewer that runs no JavaScript (GitHub, nbviewer) shows a sentence instead.
``show(params)`` wraps the HTML for display in a notebook.

``refusal(image)`` is the pad's rule for showing a prompt instead of a guess, in Python: the
tests hold drawing_pad.js to it, and to ``prepare_digit`` and ``forward`` themselves.

Shapes are the notebook's: ``params`` holds W1 (784, h), b1 (h,), W2 (h, 10), b2 (10,).
"""

from __future__ import annotations

import base64
import json
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

import nn_utils

if TYPE_CHECKING:  # IPython is imported only by show(), so that this module needs no Jupyter
    from IPython.display import HTML

#: The JavaScript half of the pad; pad_html embeds it whole.
JS_PATH = Path(__file__).resolve().with_name("drawing_pad.js")

#: The canvas is CANVAS_SIZE x CANVAS_SIZE pixels, ten times MNIST's 28, and the pen PEN_WIDTH
#: wide: a digit drawn across most of the box then has strokes about as thick, relative to its
#: size, as MNIST's (2 to 3 pixels in a 20-pixel box).
CANVAS_SIZE = 280
PEN_WIDTH = 20

#: Ink whose bounding box is shorter than this share of the canvas's side (42 of 280 pixels)
#: is a stray dot or tick, not a digit: the pad asks for a digit instead of guessing. A digit
#: drawn small is still read (the preparation scales it up); a dot, about one pen width across,
#: is not.
MIN_MARK_SHARE = 0.15

#: The sentence a viewer that runs no JavaScript shows in the pad's place.
NO_SCRIPT_SENTENCE = (
    "A drawing pad appears here when this cell runs in Jupyter, JupyterLab, VS Code or Colab: "
    "run the cell to draw a digit and watch the network read it. (This view runs no "
    "JavaScript.)"
)


def pad_config() -> dict[str, float]:
    """The constants drawing_pad.js needs, by the names it uses: prepare_digit's, from nn_utils
    (so they are written in one place), and the pad's own."""
    return {
        "fieldSize": nn_utils.FIELD_SIZE,
        "digitSize": nn_utils.DIGIT_SIZE,
        "fieldCenter": nn_utils.FIELD_CENTER,
        "shiftResolution": nn_utils.SHIFT_RESOLUTION,
        "inkThreshold": nn_utils.INK_THRESHOLD,
        "lightBorder": nn_utils.LIGHT_BORDER,
        "maxInkShare": nn_utils.MAX_INK_SHARE,
        "minMarkShare": MIN_MARK_SHARE,
        "canvasSize": CANVAS_SIZE,
        "penWidth": PEN_WIDTH,
    }


def _check_pad_params(params: nn_utils.Params, source: str) -> None:
    """Raise unless params are a sound network that reads 28 x 28 images into 10 digits."""
    nn_utils._check_params(params, source)
    n_in, n_out = np.shape(params["W1"])[0], np.shape(params["W2"])[1]
    pixels = nn_utils.FIELD_SIZE**2
    if n_in != pixels or n_out != 10:
        raise ValueError(
            f"{source}: the pad feeds {pixels} pixels to the network and shows 10 digits, but "
            f"W1 has shape {np.shape(params['W1'])} and W2 {np.shape(params['W2'])}; pass the "
            "trained 784-h-10 network, e.g. final_params"
        )
    for key in nn_utils.PARAM_KEYS:
        if np.abs(params[key]).max() > np.finfo(np.float32).max:
            raise ValueError(
                f"{source}: {key} holds values beyond float32's range, which the pad would "
                "turn into inf; such weights come from a diverged run: train again"
            )


def encode_params(params: nn_utils.Params) -> dict[str, dict[str, Any]]:
    """The weights as drawing_pad.js reads them: for each of W1, b1, W2, b2, its shape and its
    values as little-endian float32, row by row, in base64 (4 bytes a weight: about 270 KB of
    text for the 784-64-10 network). float64 weights are rounded to float32."""
    _check_pad_params(params, "encode_params")
    return {
        key: {
            "shape": list(np.shape(params[key])),
            "float32": base64.b64encode(
                np.ascontiguousarray(params[key], dtype="<f4").tobytes()
            ).decode("ascii"),
        }
        for key in nn_utils.PARAM_KEYS
    }


def refusal(image: np.ndarray) -> str | None:
    """Why the pad shows a prompt instead of a guess for ``image``, or None if it reads it.

    image: (H, W) grey-scale, any real dtype, as for ``nn_utils.prepare_digit``. Returns
    "empty" (every pixel the same) or "all ink" (more than MAX_INK_SHARE of the pixels are
    ink): exactly where prepare_digit refuses the image (ValueError); or "too small": the
    ink's bounding box is shorter than MIN_MARK_SHARE of the image's longer side, a stray dot
    that prepare_digit would blow up to 20 pixels. The ink is what prepare_digit crops to.
    """
    img = nn_utils._check_image(image).astype(np.float64)
    lo, hi = img.min(), img.max()
    if lo == hi:
        return "empty"
    # prepare_digit's steps 1 and 2, to find the same ink: scale to [0, 1], light ink on dark.
    img = (img - lo) / (hi - lo)
    border = np.concatenate([img[0], img[-1], img[:, 0], img[:, -1]])
    if border.mean() > nn_utils.LIGHT_BORDER:
        img = 1 - img
    ink = img > nn_utils.INK_THRESHOLD
    if ink.mean() > nn_utils.MAX_INK_SHARE:
        return "all ink"
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    side = max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1
    return "too small" if side < MIN_MARK_SHARE * max(img.shape) else None


def pad_html(params: nn_utils.Params, source: str = "pad_html") -> str:
    """The HTML of the drawing pad for the trained network ``params`` (W1 (784, h), b1 (h,),
    W2 (h, 10), b2 (10,), finite floats; embedded as float32).

    A <div> with a unique id per call (two pads on one page never clash) holding the sentence
    for viewers that run no JavaScript, then a <script> that hides it and builds the pad there.
    ``source`` names the caller in error messages.
    """
    _check_pad_params(params, source)
    script = JS_PATH.read_text(encoding="utf-8")
    if "</script" in script.lower() or "<!--" in script:
        raise ValueError(f"{JS_PATH.name} must not contain '</script' or '<!--': it is inlined")
    element_id = f"mnist-drawing-pad-{secrets.token_hex(8)}"
    config = json.dumps(pad_config())
    weights = json.dumps(encode_params(params))
    return (
        f'<div id="{element_id}" class="mnist-drawing-pad">\n'
        f'<p class="mnist-drawing-pad-fallback">{NO_SCRIPT_SENTENCE}</p>\n'
        "</div>\n"
        "<script>\n"
        "(function () {\n"
        "var module = { exports: {} };  // drawing_pad.js exports into this, as under Node\n"
        f"{script}"
        "var pad = module.exports;\n"
        "window.mnistDrawingPad = pad;  // its functions, for the tests and the curious\n"
        f'pad.mountById("{element_id}", {config},\n'
        f"{weights},\n"
        "document.currentScript);\n"
        "})();\n"
        "</script>\n"
    )


def show(params: nn_utils.Params) -> HTML:
    """The drawing pad for ``params`` as an IPython HTML object: a cell ending in
    ``drawing_pad.show(final_params)`` displays it."""
    from IPython.display import HTML

    return HTML(pad_html(params, source="show"))
