"""A digit from outside MNIST: mnist_from_scratch.ipynb, section 9.

Two ways in, one algorithm:

* ``prepare_digit(image)`` makes any grey-scale picture of one digit (a photo, a scan) look
  like an MNIST digit, the way MNIST's authors prepared theirs: scaled to [0, 1], light ink on
  dark, cropped to the ink, resized (``resize_area``) so its longer side is 20 pixels, and
  placed in a 28 x 28 field with its centre of mass at the centre. Its constants
  (``INK_THRESHOLD``, ``FIELD_CENTER``, ...) say why they have their values; the limits
  (``MAX_IMAGE_PIXELS``, ``MAX_RESIZE_WORK``, ...) refuse absurd pictures early.
* The drawing pad: ``pad_html(params)`` is the HTML of a cell output that carries the
  network's weights (float32, base64), prepare_digit's constants as a JSON config, and
  ``drawing_pad.js``, which does prepare_digit's steps and the forward pass in the browser.
  No kernel round trip, no ipywidgets, nothing fetched from the network, so the pad works
  alike in Jupyter, JupyterLab, VS Code and Colab, and after the kernel stops. A viewer that
  runs no JavaScript (GitHub, nbviewer) shows a sentence instead. ``show(params)`` wraps the
  HTML for display; ``refusal(image)`` is the pad's rule, in Python, for showing a prompt
  instead of a guess. The tests hold drawing_pad.js to prepare_digit, refusal and
  nn_utils.forward.

Shapes are the notebook's: ``params`` holds W1 (784, h), b1 (h,), W2 (h, 10), b2 (10,).

What this module must NOT hold: the network and its training (nn_utils.py, whose checks it
uses; nothing in nn_utils imports this module) and loading MNIST (mnist_data.py).
"""

from __future__ import annotations

import base64
import json
import math
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nn_utils import PARAM_KEYS, Params, _check_int, _check_params

if TYPE_CHECKING:  # IPython is imported only by show(), so that this module needs no Jupyter
    from IPython.display import HTML

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
    if not isinstance(image, np.ndarray) or isinstance(image, np.matrix):
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
    if image.dtype.kind in "mM" or (  # timedelta64 counts as an integer type in NumPy
        image.dtype != bool
        and not (np.issubdtype(image.dtype, np.integer) or np.issubdtype(image.dtype, np.floating))
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
    """(min, max) of a picture as floats, in one pass each; raise if too wide a range to scale.

    On the raw array, before any float copy: a flat 20000 x 20000 picture was refused only
    after a 3.5 GB copy. lo == hi (a flat picture) is the caller's to judge: prepare_digit
    refuses it, refusal answers "empty".
    """
    lo, hi = float(image.min()), float(image.max())
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
    if lo == hi:
        raise ValueError(
            f"the image is flat (every pixel is {lo:g}): all background or all ink, "
            "no digit to find"
        )
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


# ---------------------------------------------------------------------------------------
# The drawing pad: the same steps and the forward pass, in the browser
# ---------------------------------------------------------------------------------------

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
    """The constants drawing_pad.js needs, by the names it uses: prepare_digit's, from above
    (so they are written in one place), and the pad's own."""
    return {
        "fieldSize": FIELD_SIZE,
        "digitSize": DIGIT_SIZE,
        "fieldCenter": FIELD_CENTER,
        "shiftResolution": SHIFT_RESOLUTION,
        "inkThreshold": INK_THRESHOLD,
        "lightBorder": LIGHT_BORDER,
        "maxInkShare": MAX_INK_SHARE,
        "minMarkShare": MIN_MARK_SHARE,
        "canvasSize": CANVAS_SIZE,
        "penWidth": PEN_WIDTH,
    }


def _check_pad_params(params: Params, source: str) -> None:
    """Raise unless params are a sound network that reads 28 x 28 images into 10 digits."""
    _check_params(params, source)
    n_in, n_out = np.shape(params["W1"])[0], np.shape(params["W2"])[1]
    pixels = FIELD_SIZE**2
    if n_in != pixels or n_out != 10:
        raise ValueError(
            f"{source}: the pad feeds {pixels} pixels to the network and shows 10 digits, but "
            f"W1 has shape {np.shape(params['W1'])} and W2 {np.shape(params['W2'])}; pass the "
            "trained 784-h-10 network, e.g. final_params"
        )
    for key in PARAM_KEYS:
        if np.abs(params[key]).max() > np.finfo(np.float32).max:
            raise ValueError(
                f"{source}: {key} holds values beyond float32's range, which the pad would "
                "turn into inf; such weights come from a diverged run: train again"
            )


def encode_params(params: Params) -> dict[str, dict[str, Any]]:
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
        for key in PARAM_KEYS
    }


def refusal(image: np.ndarray) -> str | None:
    """Why the pad shows a prompt instead of a guess for ``image``, or None if it reads it.

    image: (H, W) grey-scale, any real dtype, as for ``prepare_digit``. Returns
    "empty" (every pixel the same) or "all ink" (more than MAX_INK_SHARE of the pixels are
    ink): exactly where prepare_digit refuses the image (ValueError); or "too small": the
    ink's bounding box is shorter than MIN_MARK_SHARE of the image's longer side, a stray dot
    that prepare_digit would blow up to 20 pixels. The ink is what prepare_digit crops to.
    Values too far apart to scale (near ±1e308) raise prepare_digit's ValueError.
    """
    lo, hi = _pixel_range(_check_image(image))  # raises, as prepare_digit does, if too wide
    if lo == hi:
        return "empty"
    img = image.astype(np.float64)
    # prepare_digit's steps 1 and 2, to find the same ink: scale to [0, 1], light ink on dark.
    img = (img - lo) / (hi - lo)
    border = np.concatenate([img[0], img[-1], img[:, 0], img[:, -1]])
    if border.mean() > LIGHT_BORDER:
        img = 1 - img
    ink = img > INK_THRESHOLD
    if ink.mean() > MAX_INK_SHARE:
        return "all ink"
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    side = max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1
    return "too small" if side < MIN_MARK_SHARE * max(img.shape) else None


def pad_html(params: Params, source: str = "pad_html") -> str:
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


def show(params: Params) -> HTML:
    """The drawing pad for ``params`` as an IPython HTML object: a cell ending in
    ``own_digit.show(final_params)`` displays it."""
    from IPython.display import HTML

    return HTML(pad_html(params, source="show"))
