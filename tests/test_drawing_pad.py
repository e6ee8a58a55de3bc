"""The notebook's drawing pad (drawing_pad.py builds it, drawing_pad.js runs it in the browser).

One algorithm in two languages: drawing_pad.js's preparation and forward pass must give what
nn_utils.prepare_digit and nn_utils.forward give, on the same images: the 28 x 28 image to 1e-6
and the probabilities to 1e-5. Checked under Node.js: without it those tests skip; under CI
(the environment variable CI set) they fail.
"""

from __future__ import annotations

import base64
import html.parser
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import drawing_pad
import nn_utils

REPO = Path(__file__).resolve().parent.parent

NOTEBOOK = REPO / "mnist_from_scratch.ipynb"
HARNESS = REPO / "tests" / "drawing_pad_harness.js"
IMAGE_TOLERANCE, PROBABILITY_TOLERANCE = 1e-6, 1e-5


def require(found: bool, what: str) -> None:
    """Skip the test when ``what`` is missing here; fail under CI, which must run it."""
    if found:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing, and under CI this test must run: .ci/run installs it")
    pytest.skip(f"{what} is not installed")


# --------------------------------------------------------------------------------- the images


def upscale(digit: np.ndarray, factor: int, thicken: int = 0) -> np.ndarray:
    """An MNIST digit (light on dark) blown up ``factor`` times, strokes widened by ``thicken``
    pixels on each side (the brightest neighbour within that radius): like a drawing on a pad."""
    big = np.kron(digit.astype(np.float64), np.ones((factor, factor)))
    out = big.copy()
    for dy in range(-thicken, thicken + 1):
        for dx in range(-thicken, thicken + 1):
            if dy * dy + dx * dx <= thicken * thicken:
                out = np.maximum(out, np.roll(big, (dy, dx), axis=(0, 1)))
    return out


def paper(height: int, width: int) -> np.ndarray:
    return np.full((height, width), 255.0)


def varied_images(test_images: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """24 images of every kind the pad or a photo may give prepare_digit, with their names."""
    d = [test_images[i] for i in range(12)]  # MNIST test digits 7 2 1 0 4 1 4 9 5 9 0 6
    rng = np.random.default_rng(16)
    images = [
        ("7, x10, thickened, dark on light", 255 - upscale(d[0], 10, 3)),
        ("2, x8, thickened, light on dark", upscale(d[1], 8, 2)),
        ("1, x5, dark on light", 255 - upscale(d[2], 5)),
        ("0, x9, thickened, dark on light", 255 - upscale(d[3], 9, 4)),
        ("4, x7, thickened, light on dark", upscale(d[4], 7, 1)),
        ("9, x10, thickened, dark on light, uint8", (255 - upscale(d[7], 10, 2)).astype(np.uint8)),
        ("5, x6, dark on light, float in [0, 1]", 1 - upscale(d[8], 6, 1) / 255),
        ("6, x11, thickened, light on dark, range -1.2 to 2.5", upscale(d[11], 11, 3) / 69 - 1.2),
        ("tiny: an MNIST digit as it is, 28 x 28", d[9].astype(np.float64)),
        ("tiny: an L of 7 x 5", np.array([[1, 0, 0, 0, 0]] * 6 + [[1, 1, 1, 1, 0]]) * 200.0),
        ("huge: 4 at x24, 672 x 672", 255 - upscale(d[6], 24, 6)),
    ]
    corner = paper(280, 280)
    corner[8:92, 10:94] = 255 - upscale(d[0], 3, 1)
    images.append(("off-centre: a 7 in the top-left corner", corner))
    wide = paper(200, 300)
    wide[110:194, 210:294] = 255 - upscale(d[5], 3)
    images.append(("off-centre: a 1 bottom right of 300 x 200", wide))
    thin = paper(200, 200)
    thin[30, 40:160] = 0  # a 7 of one-pixel lines
    for r in range(30, 180):
        thin[r, int(160 - 0.5 * (r - 30))] = 0
    images.append(("thin: a 7 of one-pixel lines", thin))
    minus = np.ones((50, 200))
    minus[25, 10:190] = 0
    images.append(("thin: a one-pixel minus sign", minus))
    dot = paper(280, 280)
    dot[100, 180] = 0
    images.append(("a single dark pixel", dot))
    r, c = np.mgrid[:280, :280]
    images.append(("a dot one pen wide", np.where((r - 150) ** 2 + (c - 90) ** 2 <= 100, 0, 255.0)))
    ring = ((r[:100, :60] - 50) / 40) ** 2 + ((c[:100, :60] - 30) / 22) ** 2
    images.append(
        ("a symmetric ring, a centre-of-mass tie", np.where((ring < 1) & (ring > 0.55), 0.1, 0.95))
    )
    noisy = 255 - upscale(d[10], 10, 2) * 0.8 - rng.uniform(0, 40, (280, 280))
    images.append(("0 on grainy paper", noisy))
    dash = paper(280, 280)
    dash[130:140, 80:200] = 0
    images.append(("a wide dash, 10 x 120", dash))
    for height in (3, 5):  # 20 / 8 = 2.5: 7.5 and 12.5 round half to even, as Python's round
        block = paper(40, 40)
        block[10 : 10 + height, 12:20] = 0
        images.append((f"a block of {height} x 8 (a rounding tie)", block))
    images.append(("empty paper", paper(280, 280)))
    framed = np.ones((100, 100))
    framed[[0, -1], :] = framed[:, [0, -1]] = 0  # dark frame: not inverted, 96% is "ink"
    images.append(("all ink inside a dark frame", framed))
    return images


@pytest.fixture(scope="module")
def images(mnist) -> list[tuple[str, np.ndarray]]:
    return varied_images(mnist[2])


@pytest.fixture(scope="module")
def params(mnist) -> nn_utils.Params:
    """A trained-ish network: 3 epochs on 5,000 MNIST training images (about a second)."""
    x, y = nn_utils.preprocess(mnist[0][:5000]), mnist[1][:5000]
    trained, _ = nn_utils.train(nn_utils.init_params(seed=0), x, y, epochs=3, seed=0)
    return trained


def python_reading(params: nn_utils.Params, image: np.ndarray) -> dict:
    """What the Python gives for ``image``: prepare_digit's image (None where it refuses),
    the pad's refusal, and forward's probabilities."""
    try:
        prepared = nn_utils.prepare_digit(image)
    except ValueError:
        prepared = None
    probs = None if prepared is None else nn_utils.forward(params, prepared.reshape(1, -1))[0][0]
    return {"image": prepared, "refusal": drawing_pad.refusal(image), "probs": probs}


def compare(python: dict, js: dict, name: str) -> tuple[float, float]:
    """Assert the JavaScript's result matches the Python's; the largest differences."""
    assert js["refusal"] == python["refusal"], name
    if python["image"] is None:
        assert js["image"] is None, name
        return 0.0, 0.0
    image_diff = float(np.abs(np.asarray(js["image"]) - python["image"].ravel()).max())
    prob_diff = float(np.abs(np.asarray(js["probs"]) - python["probs"]).max())
    assert image_diff <= IMAGE_TOLERANCE, f"{name}: images differ by {image_diff:.2g}"
    assert prob_diff <= PROBABILITY_TOLERANCE, f"{name}: probabilities differ by {prob_diff:.2g}"
    return image_diff, prob_diff


def test_the_images_cover_every_outcome(images):
    refusals = [drawing_pad.refusal(image) for _, image in images]
    assert len(images) >= 20
    assert {None, "empty", "all ink", "too small"} <= set(refusals)
    assert refusals.count(None) >= 15


def test_refusal_is_prepare_digits_own_where_it_refuses(images):
    for name, image in images:
        try:
            nn_utils.prepare_digit(image)
            raised = False
        except ValueError:
            raised = True
        assert (drawing_pad.refusal(image) in ("empty", "all ink")) == raised, name


def test_a_dot_is_too_small_but_a_small_digit_is_not(images):
    found = dict(images)
    assert drawing_pad.refusal(found["a single dark pixel"]) == "too small"
    assert drawing_pad.refusal(found["a dot one pen wide"]) == "too small"
    assert drawing_pad.refusal(found["off-centre: a 7 in the top-left corner"]) is None


# ------------------------------------------------------------------------------- input guards


@pytest.fixture
def small_params() -> nn_utils.Params:
    return nn_utils.init_params(seed=0)


@pytest.mark.parametrize("function", [drawing_pad.pad_html, drawing_pad.encode_params])
@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (lambda p: None, ValueError, "expected the keys W1, b1, W2, b2, got NoneType"),
        (lambda p: [p["W1"]], ValueError, "expected the keys"),
        (lambda p: {k: v for k, v in p.items() if k != "b2"}, ValueError, "got W1, W2, b1$"),
        (lambda p: p | {"b1": p["b1"][:10]}, ValueError, "inconsistent shapes"),
        (lambda p: p | {"W1": p["W1"].ravel()}, ValueError, "inconsistent shapes"),
        (lambda p: p | {"W2": p["W2"].astype(int)}, TypeError, "W2 has dtype int64"),
        (lambda p: p | {"b1": np.full(64, np.nan, np.float32)}, ValueError, "b1 holds 64 NaN"),
        (lambda p: nn_utils.init_params((20, 8, 10)), ValueError, "feeds 784 pixels"),
        (lambda p: nn_utils.init_params((784, 8, 3)), ValueError, "shows 10 digits"),
        (lambda p: p | {"W2": p["W2"].astype(np.float64) * 1e300}, ValueError, "float32's range"),
    ],
)
def test_bad_params_are_refused_with_a_clear_error(function, small_params, change, error, match):
    with pytest.raises(error, match=match):
        function(change(small_params))


def test_show_checks_too():
    with pytest.raises(ValueError, match="expected the keys"):
        drawing_pad.show(None)


@pytest.mark.parametrize(
    ("image", "error", "match"),
    [
        (None, TypeError, "2-D NumPy array"),
        ([[0, 255]], TypeError, "2-D NumPy array"),
        (np.zeros((28, 28, 4)), ValueError, "convert it to grayscale"),
        (np.zeros(784), ValueError, "must be 2-D"),
        (np.zeros((0, 3)), ValueError, "empty"),
        (np.array([[0.0, np.nan]]), ValueError, "NaN or inf"),
        (np.array([["a", "b"]]), TypeError, "real numbers"),
    ],
)
def test_refusal_checks_its_image(image, error, match):
    with pytest.raises(error, match=match):
        drawing_pad.refusal(image)


# ----------------------------------------------------------------------------------- the HTML


class VisibleText(html.parser.HTMLParser):
    """The text and tags of HTML as a viewer that strips scripts and styles shows it."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        self.hidden += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.text.append(data.strip())


def test_without_javascript_a_sentence_shows_not_a_broken_pad(small_params):
    page = VisibleText()
    page.feed(drawing_pad.pad_html(small_params))
    assert page.text == [drawing_pad.NO_SCRIPT_SENTENCE]
    assert set(page.tags) == {"div", "p", "script"}  # no canvas or button to sit there dead


def test_each_render_has_its_own_id(small_params):
    ids = [
        re.findall(r'id="(mnist-drawing-pad-[0-9a-f]{16})"', drawing_pad.pad_html(small_params))
        for _ in range(2)
    ]
    assert len(ids[0]) == len(ids[1]) == 1 and ids[0] != ids[1]


def test_the_html_holds_the_script_the_constants_and_the_weights(small_params):
    page = drawing_pad.pad_html(small_params)
    assert drawing_pad.JS_PATH.read_text() in page  # the project's file, verbatim
    config = drawing_pad.pad_config()
    assert json.dumps(config) in page
    assert config["inkThreshold"] == nn_utils.INK_THRESHOLD
    assert config["fieldCenter"] == nn_utils.FIELD_CENTER
    assert config["digitSize"] == nn_utils.DIGIT_SIZE
    assert embedded_params(page).keys() == small_params.keys()
    for key, value in embedded_params(page).items():
        np.testing.assert_array_equal(value, small_params[key].astype(np.float32))
    # Nothing is fetched: no URL, no external script, style or font.
    assert not re.search(r"https?:|src=|href=|url\(|@import|fetch\(|XMLHttpRequest", page)
    # About 4 bytes of base64 per 3 of float32: 50,890 weights fit in under 300 KB.
    assert len(page.encode()) < 300_000


def embedded_params(page: str) -> nn_utils.Params:
    """The float32 weights a pad's HTML carries (what pad_html embedded)."""
    start = page.index('{"W1": {"shape"')
    encoded, _ = json.JSONDecoder().raw_decode(page, start)
    return {
        key: np.frombuffer(base64.b64decode(value["float32"]), "<f4").reshape(value["shape"])
        for key, value in encoded.items()
    }


def notebook_pad_html() -> str:
    """The committed notebook's pad output: the HTML of the cell that shows the pad."""
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    for cell in cells:
        if cell["cell_type"] == "code" and "drawing_pad.show(" in "".join(cell["source"]):
            for output in cell["outputs"]:
                if "text/html" in output.get("data", {}):
                    return "".join(output["data"]["text/html"])
    raise LookupError("the notebook has no cell showing the drawing pad, or it has no output")


# ---------------------------------------------------------------------------------- Node.js


def test_the_javascript_files_parse():
    node = shutil.which("node")
    require(node is not None, "Node.js (node)")
    for path in (drawing_pad.JS_PATH, HARNESS):
        done = subprocess.run([node, "--check", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


def test_javascript_matches_python_under_node(params, images):
    node = shutil.which("node")
    require(node is not None, "Node.js (node)")
    request = {
        "config": drawing_pad.pad_config(),
        "params": drawing_pad.encode_params(params),
        "images": [
            {"height": im.shape[0], "width": im.shape[1], "pixels": im.ravel().tolist()}
            for _, im in images
        ],
    }
    done = subprocess.run(
        [node, str(HARNESS)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)["results"]
    assert len(results) == len(images)
    diffs = [
        compare(python_reading(params, image), js, name)
        for (name, image), js in zip(images, results, strict=True)
    ]
    print(
        f"\nNode.js, {len(images)} images: largest difference from NumPy "
        f"{max(d[0] for d in diffs):.2g} (images), {max(d[1] for d in diffs):.2g} (probabilities)"
    )
