"""Tests of own_digit.py: prepare_digit and resize_area (at the end of this file), and the
notebook's drawing pad (own_digit.py builds it, drawing_pad.js runs it in the browser).

One algorithm in two languages: drawing_pad.js's preparation and forward pass must give what
own_digit.prepare_digit and nn_utils.forward give, on the same images: the 28 x 28 image to 1e-6
and the probabilities to 1e-5. Checked under Node.js and in headless Chromium, where the pad is
also drawn on with real pointer events and read the way a reader reads it. Without Node.js or
Chromium (and Selenium) those tests skip; under CI (the environment variable CI set) they fail.

    python tests/test_own_digit.py --screenshot   # retakes eda_images/drawing_pad.png

draws a 7 on the pad of the committed notebook's final network and saves the screenshot that
the README shows.
"""

from __future__ import annotations

import base64
import html.parser
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script, too (pytest has it from pyproject.toml)

import nn_utils  # noqa: E402
import own_digit  # noqa: E402
from conftest import ring  # noqa: E402

NOTEBOOK = REPO / "mnist_from_scratch.ipynb"
HARNESS = REPO / "tests" / "drawing_pad_harness.js"
SCREENSHOT = REPO / "eda_images" / "drawing_pad.png"
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
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
        prepared = own_digit.prepare_digit(image)
    except ValueError:
        prepared = None
    probs = None if prepared is None else nn_utils.forward(params, prepared.reshape(1, -1))[0][0]
    return {"image": prepared, "refusal": own_digit.refusal(image), "probs": probs}


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
    refusals = [own_digit.refusal(image) for _, image in images]
    assert len(images) >= 20
    assert {None, "empty", "all ink", "too small"} <= set(refusals)
    assert refusals.count(None) >= 15


def test_refusal_is_prepare_digits_own_where_it_refuses(images):
    for name, image in images:
        try:
            own_digit.prepare_digit(image)
            raised = False
        except ValueError:
            raised = True
        assert (own_digit.refusal(image) in ("empty", "all ink")) == raised, name


def test_a_dot_is_too_small_but_a_small_digit_is_not(images):
    found = dict(images)
    assert own_digit.refusal(found["a single dark pixel"]) == "too small"
    assert own_digit.refusal(found["a dot one pen wide"]) == "too small"
    assert own_digit.refusal(found["off-centre: a 7 in the top-left corner"]) is None


# ------------------------------------------------------------------------------- input guards


@pytest.fixture
def small_params() -> nn_utils.Params:
    return nn_utils.init_params(seed=0)


@pytest.mark.parametrize("function", [own_digit.pad_html, own_digit.encode_params])
@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (lambda p: None, TypeError, "expected the dict of W1, b1, W2, b2 .* got NoneType"),
        (lambda p: [p["W1"]], TypeError, "expected the dict of W1, b1, W2, b2 .* got list"),
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
    with pytest.raises(TypeError, match="expected the dict of W1, b1, W2, b2"):
        own_digit.show(None)


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
        own_digit.refusal(image)


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
    page.feed(own_digit.pad_html(small_params))
    assert page.text == [own_digit.NO_SCRIPT_SENTENCE]
    assert set(page.tags) == {"div", "p", "script"}  # no canvas or button to sit there dead


def test_each_render_has_its_own_id(small_params):
    ids = [
        re.findall(r'id="(mnist-drawing-pad-[0-9a-f]{16})"', own_digit.pad_html(small_params))
        for _ in range(2)
    ]
    assert len(ids[0]) == len(ids[1]) == 1 and ids[0] != ids[1]


def test_the_html_holds_the_script_the_constants_and_the_weights(small_params):
    page = own_digit.pad_html(small_params)
    assert own_digit.JS_PATH.read_text() in page  # the project's file, verbatim
    config = own_digit.pad_config()
    assert json.dumps(config) in page
    assert config["inkThreshold"] == own_digit.INK_THRESHOLD
    assert config["fieldCenter"] == own_digit.FIELD_CENTER
    assert config["digitSize"] == own_digit.DIGIT_SIZE
    assert embedded_params(page).keys() == small_params.keys()
    for key, value in embedded_params(page).items():
        np.testing.assert_array_equal(value, small_params[key].astype(np.float32))
    # Nothing is fetched: no URL, no external script, style or font.
    assert not re.search(r"https?:|src=|href=|url\(|@import|fetch\(|XMLHttpRequest", page)
    # 50,890 float32 weights are 272 KB of base64; with the script (27 KB) the output must stay
    # well within the 400 KB the notebook may grow by.
    assert len(page.encode()) < 350_000


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
        if cell["cell_type"] == "code" and "own_digit.show(" in "".join(cell["source"]):
            for output in cell["outputs"]:
                if "text/html" in output.get("data", {}):
                    return "".join(output["data"]["text/html"])
    raise LookupError("the notebook has no cell showing the drawing pad, or it has no output")


def test_the_committed_notebook_shows_the_pad_as_pad_html_makes_it(mnist):
    """Its output is current (drawing_pad.js and the config as they are now) and carries the
    final network: about 98% on MNIST's test set, as section 8.2 reports."""
    committed = notebook_pad_html()
    params = {key: value.copy() for key, value in embedded_params(committed).items()}
    element_id = re.compile(r"mnist-drawing-pad-[0-9a-f]{16}")
    fresh = own_digit.pad_html(params)
    assert element_id.sub("<id>", committed) == element_id.sub("<id>", fresh)
    x_test, y_test = nn_utils.preprocess(mnist[2]), mnist[3]
    assert nn_utils.accuracy(y_test, nn_utils.predict(params, x_test)) >= 0.975


# ---------------------------------------------------------------------------------- Node.js


def test_the_javascript_files_parse():
    node = shutil.which("node")
    require(node is not None, "Node.js (node)")
    for path in (own_digit.JS_PATH, HARNESS):
        done = subprocess.run([node, "--check", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


def test_javascript_matches_python_under_node(params, images):
    node = shutil.which("node")
    require(node is not None, "Node.js (node)")
    request = {
        "config": own_digit.pad_config(),
        "params": own_digit.encode_params(params),
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


# ---------------------------------------------------------------------------------- Chromium


def start_chromium():
    """Headless Chromium through Selenium, with a fresh profile and no network chatter."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tempfile.mkdtemp(prefix="drawing-pad-chromium-")
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1100,800",
        "--force-device-scale-factor=1",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.profile_dir = profile
    return driver


def stop_chromium(driver) -> None:
    driver.quit()
    shutil.rmtree(driver.profile_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    try:
        import selenium  # noqa: F401
    except ImportError:
        require(False, "Selenium (pip install -r requirements.txt)")
    require(CHROMIUM.exists() and CHROMEDRIVER.exists(), "Chromium and chromedriver")
    driver = start_chromium()
    yield driver
    stop_chromium(driver)


def open_page(driver, body: str, folder: Path) -> list:
    """Load ``body`` (pad_html's output, as a notebook shows it) as a page; its pads' hosts."""
    page = folder / "pad.html"
    page.write_text(
        f'<!doctype html><html><head><meta charset="utf-8"></head><body>{body}</body></html>'
    )
    driver.get(page.as_uri())
    hosts = driver.find_elements("css selector", ".mnist-drawing-pad")
    for host in hosts:
        wait_for_update(driver, host)
    return hosts


def wait_for_update(driver, host) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 10).until(
        lambda d: d.execute_script(
            "const pad = arguments[0].mnistPad; return Boolean(pad) && !pad.pending", host
        )
    )


def stroke(driver, host, points: list[tuple[float, float]], touch: bool = False) -> None:
    """Draw through ``points`` (canvas pixels) with a real pointer: press, move, release."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.actions import interaction
    from selenium.webdriver.common.actions.action_builder import ActionBuilder
    from selenium.webdriver.common.actions.pointer_input import PointerInput

    canvas = host.find_element("css selector", "canvas.mdp-canvas")
    half = own_digit.CANVAS_SIZE / 2
    offsets = [(round(x - half), round(y - half)) for x, y in points]  # from the centre
    if touch:
        finger = PointerInput(interaction.POINTER_TOUCH, "finger")
        actions = ActionBuilder(driver, mouse=finger, duration=10)
        actions.pointer_action.move_to(canvas, *offsets[0]).pointer_down()
        for dx, dy in offsets[1:]:
            actions.pointer_action.move_to(canvas, dx, dy)
        actions.pointer_action.pointer_up()
        actions.perform()
    else:
        chain = ActionChains(driver, duration=10).move_to_element_with_offset(canvas, *offsets[0])
        chain.click_and_hold()
        for dx, dy in offsets[1:]:
            chain.move_to_element_with_offset(canvas, dx, dy)
        chain.release().perform()
    wait_for_update(driver, host)


def line(a: tuple[float, float], b: tuple[float, float], steps: int = 12) -> list:
    return [
        (a[0] + (b[0] - a[0]) * t / steps, a[1] + (b[1] - a[1]) * t / steps)
        for t in range(steps + 1)
    ]


SEVEN = [line((70, 60), (215, 60)), line((215, 60), (125, 235), 16)]
SEVEN_BAR = [*SEVEN, line((115, 150), (205, 150), 8)]
ONE = [line((140, 40), (140, 240), 14)]
SMALL_FOUR_IN_A_CORNER = [
    line((225, 190), (200, 235), 5),
    line((200, 235), (250, 235), 5),
    line((240, 200), (240, 265), 6),
]


def read_pad(driver, host) -> dict:
    """What the page shows: the bars, the answer, the preview's and the canvas's pixels."""
    return driver.execute_script(
        """
        const host = arguments[0];
        const pixels = (canvas) => {
          const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
          let text = "";
          for (let i = 0; i < data.length; i += 8192) {
            text += String.fromCharCode.apply(null, data.subarray(i, i + 8192));
          }
          return btoa(text);
        };
        const answer = host.querySelector(".mdp-answer");
        return {
          probabilities: [...host.querySelectorAll(".mdp-fill")].map(
            (fill) => fill.dataset.probability === undefined ? null : fill.dataset.probability),
          widths: [...host.querySelectorAll(".mdp-fill")].map((fill) => fill.style.width),
          values: [...host.querySelectorAll(".mdp-value")].map((value) => value.textContent),
          top: [...host.querySelectorAll(".mdp-bar")].findIndex(
            (bar) => bar.classList.contains("mdp-top")),
          digit: answer.dataset.digit,
          answer: answer.textContent,
          answerVisible: answer.offsetParent !== null,
          preview: pixels(host.querySelector(".mdp-preview")),
          canvas: pixels(host.querySelector(".mdp-canvas")),
          size: host.querySelector(".mdp-canvas").width,
        };
        """,
        host,
    )


def rgba(text: str, size: int) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), np.uint8).reshape(size, size, 4)


def check_shown(params: nn_utils.Params, shown: dict) -> float:
    """Assert the page shows what NumPy makes of the canvas's own pixels; the largest
    difference in probability (0 when the pad shows a prompt)."""
    canvas = rgba(shown["canvas"], shown["size"])
    assert (canvas[..., 3] == 255).all()  # opaque: what you see is what is read
    gray = canvas[..., :3].mean(axis=2)
    python = python_reading(params, gray)
    preview = rgba(shown["preview"], 28)[..., 0].astype(int)
    if python["refusal"] is not None:  # a prompt, and nothing that looks like a guess
        assert shown["probabilities"] == [None] * 10
        assert shown["values"] == [""] * 10 and shown["widths"] == ["0%"] * 10
        assert shown["digit"] == "" and shown["top"] == -1
        assert shown["answer"].startswith(("Draw a digit", "Too small", "Almost all"))
        assert (preview == 255).all()
        return 0.0
    probs = np.array([float(p) for p in shown["probabilities"]])
    diff = float(np.abs(probs - python["probs"]).max())
    assert diff <= PROBABILITY_TOLERANCE
    best = int(python["probs"].argmax())
    assert shown["digit"] == str(best) and shown["top"] == best
    said = re.fullmatch(r"The network reads (\d) with probability (\d\.\d\d)\.", shown["answer"])
    assert said and said[1] == str(best), shown["answer"]
    assert abs(float(said[2]) - probs[best]) <= 0.005 + 1e-9  # rounded to 2 decimals
    for value, p in zip(shown["values"], probs, strict=True):
        assert abs(float(value.rstrip("%")) - 100 * p) <= 0.05 + 1e-9  # to 1 decimal
    # The preview is the prepared image, dark ink on white (to the nearest grey level).
    expected = np.round(255 * (1 - python["image"].astype(np.float64))).astype(int)
    assert np.abs(preview - expected).max() <= 1
    return diff


@pytest.fixture(scope="module")
def pad(browser, params, tmp_path_factory):
    return open_page(browser, own_digit.pad_html(params), tmp_path_factory.mktemp("pad"))[0]


def test_the_page_runs_the_pad_offline(browser, pad):
    shown = read_pad(browser, pad)
    assert shown["answerVisible"]
    fallback = pad.find_element("css selector", ".mnist-drawing-pad-fallback")
    assert not fallback.is_displayed()  # the script hid the sentence for viewers without it
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    assert (
        browser.execute_script(
            "return getComputedStyle(arguments[0]).touchAction",
            pad.find_element("css selector", "canvas"),
        )
        == "none"
    )


def test_the_pages_functions_match_python(browser, pad, params, images):
    diffs = []
    for name, image in images:
        js = browser.execute_script(
            """
            const [host, pixels, height, width] = arguments;
            const api = window.mnistDrawingPad, pad = host.mnistPad;
            const prepared = api.prepareDigit(pixels, height, width, pad.config);
            return {
              image: prepared.image && Array.from(prepared.image),
              refusal: prepared.refusal,
              probs: prepared.image && Array.from(api.forward(pad.params, prepared.image)),
            };
            """,
            pad,
            image.ravel().tolist(),
            image.shape[0],
            image.shape[1],
        )
        diffs.append(compare(python_reading(params, image), js, name))
    print(
        f"\nChromium, {len(images)} images: largest difference from NumPy "
        f"{max(d[0] for d in diffs):.2g} (images), {max(d[1] for d in diffs):.2g} (probabilities)"
    )


def test_drawing_with_a_pointer_shows_numpys_reading(browser, pad, params):
    diffs = []
    for strokes, touch in [
        (SEVEN, False),
        (SEVEN_BAR, True),
        (ONE, False),
        (SMALL_FOUR_IN_A_CORNER, False),
    ]:
        pad.find_element("css selector", ".mdp-clear").click()
        wait_for_update(browser, pad)
        for points in strokes:
            stroke(browser, pad, points, touch=touch)
        shown = read_pad(browser, pad)
        assert shown["digit"] != "", "a drawn digit must be read, not refused"
        diffs.append(check_shown(params, shown))
    print(f"\npointer-drawn digits: largest difference from NumPy {max(diffs):.2g}")


def test_clear_an_empty_pad_and_a_dot_show_a_prompt(browser, pad, params):
    stroke(browser, pad, ONE[0])
    pad.find_element("css selector", ".mdp-clear").click()
    wait_for_update(browser, pad)
    shown = read_pad(browser, pad)
    assert (rgba(shown["canvas"], shown["size"])[..., :3] == 255).all()  # the canvas is blank
    assert shown["answer"] == "Draw a digit from 0 to 9 in the box."
    check_shown(params, shown)
    stroke(browser, pad, [(90, 200)])  # a tap: a stray dot
    shown = read_pad(browser, pad)
    assert shown["answer"].startswith("Too small")
    check_shown(params, shown)


def test_an_update_takes_under_a_frame(browser, pad):
    pad.find_element("css selector", ".mdp-clear").click()
    for points in SEVEN:
        stroke(browser, pad, points)
    timings = browser.execute_script(
        "const pad = arguments[0].mnistPad; pad.timings.length = 0;"
        "for (let i = 0; i < 25; i++) pad.update(); return pad.timings;",
        pad,
    )
    median = statistics.median(timings)
    print(
        f"\nupdate (read the canvas, prepare, forward, show): median {median:.2f} ms of "
        f"{len(timings)}, max {max(timings):.2f} ms"
    )
    assert median < 16, f"an update takes {median:.1f} ms, more than a 60 Hz frame"


def test_two_pads_on_one_page_do_not_clash(browser, params, tmp_path):
    first, second = open_page(
        browser, own_digit.pad_html(params) + own_digit.pad_html(params), tmp_path
    )
    for points in ONE:
        stroke(browser, second, points)
    assert read_pad(browser, second)["digit"] != ""
    assert read_pad(browser, first)["answer"] == "Draw a digit from 0 to 9 in the box."


# ---------------------------------------------------------------------------- the screenshot


def take_screenshot(path: Path = SCREENSHOT) -> None:
    """The README's screenshot: a 7 drawn on the pad of the committed notebook's network."""
    params = embedded_params(notebook_pad_html())
    driver = start_chromium()
    try:
        with tempfile.TemporaryDirectory() as folder:
            host = open_page(driver, own_digit.pad_html(params), Path(folder))[0]
            for points in SEVEN:
                stroke(driver, host, points)
            shown = read_pad(driver, host)
            host.find_element("css selector", ".mdp").screenshot(str(path))
    finally:
        stop_chromium(driver)
    print(f"{path.relative_to(REPO)}: the network reads {shown['digit']}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--screenshot"]:
        raise SystemExit(f"usage: python {Path(__file__).relative_to(REPO)} --screenshot")
    take_screenshot()


def test_show_names_itself_in_its_errors():
    with pytest.raises(TypeError, match=r"^show: "):
        own_digit.show(None)


# --------------------------------------------------------------------------- outside digits


def ink_box(out: np.ndarray) -> tuple[int, int]:
    rows, cols = np.flatnonzero((out > 0).any(axis=1)), np.flatnonzero((out > 0).any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


@pytest.mark.parametrize("shape", [(20, 12), (7, 5), (13, 11), (200, 3)])
def test_resize_area_keeps_the_mean(shape):
    image = np.random.default_rng(0).uniform(size=(60, 100))
    out = own_digit.resize_area(image, shape)
    assert out.shape == shape
    assert out.mean() == pytest.approx(image.mean(), rel=1e-12)


def test_resize_area_identity_blocks_and_constant():
    image = np.arange(12.0).reshape(3, 4)
    np.testing.assert_allclose(own_digit.resize_area(image, (3, 4)), image, atol=1e-12)
    np.testing.assert_allclose(
        own_digit.resize_area(np.arange(16).reshape(4, 4), (2, 2)), [[2.5, 4.5], [10.5, 12.5]]
    )
    np.testing.assert_allclose(own_digit.resize_area(np.full((5, 7), 0.3), (9, 2)), 0.3)


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
        own_digit.resize_area(image, shape)


def test_prepare_digit_makes_an_mnist_digit():
    out = own_digit.prepare_digit(ring())
    assert out.shape == (28, 28) and out.dtype == np.float32
    assert out.min() == 0 and out.max() == pytest.approx(1)  # inverted: light ink on black
    assert max(ink_box(out)) == 20 and min(ink_box(out)) >= 10  # aspect ratio about 0.55 kept
    # An integer shift puts the centre of mass within 0.5 px (plus float32 rounding: this
    # symmetric ring sits exactly on a half-pixel tie).
    cy, cx = own_digit._center_of_mass(out)
    assert (
        abs(cy - own_digit.FIELD_CENTER) <= 0.5 + 1e-5
        and abs(cx - own_digit.FIELD_CENTER) <= 0.5 + 1e-5
    )
    # Any scale or dtype of the same picture gives the same digit.
    np.testing.assert_allclose(own_digit.prepare_digit(ring() * 255), out, atol=1e-6)
    uint8 = np.round(ring() * 255).astype(np.uint8)
    np.testing.assert_allclose(own_digit.prepare_digit(uint8), out, atol=1e-6)


def test_prepare_digit_light_on_dark_is_not_inverted():
    out = own_digit.prepare_digit(1 - ring())
    np.testing.assert_allclose(out, own_digit.prepare_digit(ring()), atol=1e-6)
    np.testing.assert_allclose(own_digit.prepare_digit(ring(), invert=True), out, atol=1e-6)


def test_prepare_digit_thin_line_keeps_one_pixel():
    image = np.ones((50, 200))
    image[25, 10:190] = 0  # a one-pixel minus sign, 180 long: shorter side 20/180 -> 1 px
    assert ink_box(own_digit.prepare_digit(image)) == (1, 20)


@pytest.mark.parametrize("nudge", [1 - 2**-52, 1 + 2**-52])
def test_prepare_digit_placement_does_not_hang_on_the_last_bit(monkeypatch, nudge):
    """At a tie (this minus sign's centre of mass sits on a half pixel), the last bit of the
    resizing's matrix products, which varies with the BLAS kernel, must not move the digit."""
    image = np.ones((50, 200))
    image[25, 10:190] = 0
    expected = own_digit.prepare_digit(image)
    resize = own_digit.resize_area
    monkeypatch.setattr(own_digit, "resize_area", lambda im, shape: resize(im, shape) * nudge)
    np.testing.assert_allclose(own_digit.prepare_digit(image), expected, atol=1e-6)


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
        own_digit.prepare_digit(image, **kwargs)


def test_prepare_digit_crops_to_exactly_the_ink():
    image = np.ones((100, 100))
    image[30:70, 40:60] = 0.0  # a solid dark block, 40 x 20, on white paper
    out = own_digit.prepare_digit(image)
    assert ink_box(out) == (20, 10)
    assert out[out > 0].min() > 0.999  # all ink: no paper was cropped in and averaged into it


def test_prepare_digit_all_ink():
    image = np.ones((100, 100))
    image[:2], image[-2:], image[:, :2], image[:, -2:] = 0, 0, 0, 0  # a dark frame: not inverted
    image[50:53, 40:60] = 0  # a small dark dash on the light paper inside the frame
    with pytest.raises(
        ValueError, match=r"92% of the pixels are ink, i\.e\. all ink: is the photo"
    ):
        own_digit.prepare_digit(image)


def shaded_ring() -> np.ndarray:
    """ring() with its left edge in shadow: the border is 0.68 light, still lighter than half."""
    image = ring()
    image[:, 0] = 0.1
    return image


def grey_photo(paper: float, grey: float, ink: float) -> np.ndarray:
    """Values 0..2 (scaled, the ink threshold is 0.4 from either end): paper on 45% including
    the border, a grey patch on 20%, ink on 35%."""
    image = np.full((100, 100), paper)
    image[10:30, 5:95] = grey  # 18%, plus 2% below
    image[30:32, 5:55] = grey
    image[40:79, 5:95] = ink  # 35.1%
    return image


@pytest.mark.parametrize(
    ("image", "invert"),
    [
        # Light paper with invert=False: the grey (0.3) is under the 0.4 threshold, not ink,
        # so the "ink" is the paper's 45% and the choice is honoured.
        (grey_photo(paper=2.0, grey=0.3, ink=0.0), False),
        # Dark paper with invert=True: the grey (1.7) is within 0.4 of the top, not ink.
        (grey_photo(paper=0.0, grey=1.7, ink=2.0), True),
        # Exactly at the threshold (values 0..10, threshold 2 from either end) is not ink,
        # as in the crop (img > INK_THRESHOLD, strictly).
        (grey_photo(paper=10.0, grey=2.0, ink=0.0), False),
        (grey_photo(paper=0.0, grey=8.0, ink=10.0), True),
    ],
)
def test_prepare_digit_counts_ink_beyond_the_threshold_as_the_crop_does(image, invert):
    assert own_digit.prepare_digit(image, invert=invert).shape == (28, 28)


def test_prepare_digit_all_ink_limit_is_90_percent():
    image = np.ones((100, 100))  # light inside a dark frame: not inverted, the light is ink
    image[0], image[-1], image[:, 0], image[:, -1] = 0, 0, 0, 0  # 396 dark pixels
    inside = image[1:-1, 1:-1].copy()
    inside.ravel()[:604] = 0  # 604 more, in the top rows: 1000 dark, exactly 90% ink
    image[1:-1, 1:-1] = inside
    assert np.count_nonzero(image) == 9000
    assert own_digit.prepare_digit(image).shape == (28, 28)  # 90% is allowed
    image[1, 1] = 1  # 90.01%
    with pytest.raises(ValueError, match=r"90% of the pixels are ink, i\.e\. all ink"):
        own_digit.prepare_digit(image)


@pytest.mark.parametrize(
    ("image", "invert", "match"),
    [
        # Dark ink on light paper with invert=False: the paper became a white block (79% "ink").
        (
            ring(),
            False,
            r"background looks light \(the border averages 1\.00 .*invert=False 80% "
            r"of the picture would count as ink: the paper, not the digit\. For dark ink on light "
            r"paper pass invert=True, or invert=None",
        ),
        (np.round(ring() * 255).astype(np.uint8), False, "background looks light"),
        (shaded_ring(), False, r"background looks light \(the border averages 0\.68 "),
        (
            1 - ring(),
            True,
            r"background looks dark \(the border averages 0\.00 .*invert=True 80%.* "
            r"For light ink on a dark background pass invert=False",
        ),
    ],
)
def test_prepare_digit_refuses_an_invert_that_makes_the_paper_ink(image, invert, match):
    with pytest.raises(ValueError, match=match):
        own_digit.prepare_digit(image, invert=invert)


def test_a_border_exactly_half_light_is_dark():
    # Exactly half the border light, the inside mostly light: the border counts as dark, so
    # invert=False agrees with it and the light inside is taken as the (large) digit.
    image = np.ones((40, 40))
    image[0, :] = 0
    image[1:-1, -1] = 0  # right edge's inside; its corners belong to the top and bottom rows
    image[10:30, 5:25] = 0
    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    assert border.mean() == 0.5
    assert own_digit.prepare_digit(image, invert=False).shape == (28, 28)


def test_prepare_digit_honours_invert_against_the_border_while_the_ink_is_a_digit():
    # A light digit on dark paper, in a light frame: the border is light, but the "ink" is
    # only the frame and the digit, so invert=False is taken as asked.
    image = 1 - ring()
    image[0], image[-1], image[:, 0], image[:, -1] = 1, 1, 1, 1
    out = own_digit.prepare_digit(image, invert=False)
    assert out.shape == (28, 28) and out.max() > 0.5
    assert not np.allclose(out, own_digit.prepare_digit(image))  # None: the light border inverts it


def test_prepare_digit_ink_share_limit_is_half_the_picture():
    # Light paper with a dark block of 3000 of its 6000 pixels (border light): invert=False
    # counts the light half as ink, which is allowed; one dark pixel fewer and it is refused.
    image = np.ones((100, 60))
    image[20:80, 5:55] = 0
    assert own_digit.prepare_digit(image, invert=False).shape == (28, 28)
    image[20, 5] = 1
    with pytest.raises(ValueError, match=r"invert=False 50% of the picture would count as ink"):
        own_digit.prepare_digit(image, invert=False)


def test_prepare_digit_scales_values_near_the_float_limit():
    np.testing.assert_allclose(
        own_digit.prepare_digit(ring() * 1e308), own_digit.prepare_digit(ring()), atol=1e-6
    )
    image = np.where(ring() > 0.5, 1e308, -1e308)  # the span, 2e308, is not a float
    with pytest.raises(
        ValueError,
        match=r"span \[-1e\+308, 1e\+308\], too wide a range to scale "
        r"in float64; divide .*image / np\.abs\(image\)\.max\(\)",
    ):
        own_digit.prepare_digit(image)
    with np.errstate(all="raise"):  # scaled as asked, nothing overflows
        np.testing.assert_allclose(
            own_digit.prepare_digit(image / np.abs(image).max()),
            own_digit.prepare_digit(ring()),
            atol=1e-6,
        )


@pytest.mark.parametrize(
    ("shape", "refused"),
    [
        ((5000, 10_000), False),  # 50 megapixels exactly
        ((5000, 10_001), True),
        ((65_536, 1), False),
        ((1, 65_537), True),
        ((20_000, 20_000), True),
    ],
)
def test_picture_size_limits(shape, refused):
    if refused:
        with pytest.raises(ValueError, match=r"at most 50 megapixels and 65,536 pixels a side"):
            own_digit._check_size("image", shape)
    else:
        own_digit._check_size("image", shape)  # raises nothing


@pytest.mark.parametrize(
    "function", [own_digit.prepare_digit, lambda image: own_digit.resize_area(image, (20, 20))]
)
def test_huge_pictures_are_refused_before_any_work(function):
    # A 20000 x 20000 picture took 18 s and 6.6 GB; a view of one value costs no memory.
    image = np.broadcast_to(np.float64(0.5), (20_000, 20_000))
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"image is 20,000 x 20,000 pixels \(400\.0 megapixels\)"):
        function(image)
    assert time.perf_counter() - start < 0.5


def test_a_flat_picture_is_refused_without_a_float_copy():
    image = np.broadcast_to(np.uint8(7), (7000, 7000))  # 49 megapixels, one value
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"the image is flat \(every pixel is 7\)"):
            own_digit.prepare_digit(image)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000  # the float64 copy alone would be 392 MB


@pytest.mark.parametrize(
    ("shape_in", "shape_out", "refused"),
    [
        ((2**16 - 1, 2**15), (1, 1), False),  # 2**31 multiply-adds exactly
        ((2**16, 2**15), (1, 1), True),
        ((2**23, 1), (1, 2**23), False),  # 2**24 weights exactly
        ((2**23, 1), (1, 2**23 + 1), True),
        ((4000, 3000), (4000, 3000), True),  # 3.8 s and 461 MB before
        ((4000, 4000), (1000, 1000), True),  # few weights, too much work
        ((1, 2**15), (2**15, 1), False),  # 2**30 + 2**30: the second product counts too
        ((1, 2**15), (2**15, 2), True),
    ],
)
def test_resize_work_limits(shape_in, shape_out, refused):
    if refused:
        with pytest.raises(ValueError, match=r"resize_area allows 2\.1e\+09 and 16,777,216"):
            own_digit._check_resize_work(shape_in, shape_out)
    else:
        own_digit._check_resize_work(shape_in, shape_out)


def test_resize_area_refuses_huge_work_and_outputs_up_front():
    big = np.broadcast_to(np.float64(0.5), (4000, 3000))
    with pytest.raises(ValueError, match=r"resizing 4,000 x 3,000 to 4,000 x 3,000 would take"):
        own_digit.resize_area(big, (4000, 3000))
    with pytest.raises(ValueError, match=r"the output is 10,000 x 10,000 pixels"):
        own_digit.resize_area(np.ones((2, 2)), (10_000, 10_000))
    np.testing.assert_allclose(own_digit.resize_area(big, (20, 15)), 0.5)  # what prepare_digit asks


# ------------------------------------------------------ prepare_digit, pinned where faults hide


def strokes(seed: int) -> np.ndarray:
    """Three dark strokes of random place and width on light paper, 60 x 50: an odd digit."""
    rng = np.random.default_rng(seed)
    image = np.ones((60, 50))
    r, c = np.mgrid[:60, :50]
    for _ in range(3):
        (r0, c0), (r1, c1) = rng.uniform(8, 42, (2, 2))
        along = ((r - r0) * (r1 - r0) + (c - c0) * (c1 - c0)) / ((r1 - r0) ** 2 + (c1 - c0) ** 2)
        t = np.clip(along, 0, 1)
        image[np.hypot(r - r0 - t * (r1 - r0), c - c0 - t * (c1 - c0)) < rng.uniform(1.5, 4)] = 0.1
    return image


@pytest.mark.parametrize("seed", range(12))
def test_prepare_digit_puts_the_centre_of_mass_within_half_a_pixel(seed):
    # Asymmetric digits whose centre falls at every fraction of a pixel: an integer shift
    # rounded to the nearest pixel leaves at most 0.5 px, a shift one pixel off leaves more.
    out = own_digit.prepare_digit(strokes(seed))
    cy, cx = own_digit._center_of_mass(out)
    assert (
        abs(cy - own_digit.FIELD_CENTER) <= 0.5 + 1e-6
        and abs(cx - own_digit.FIELD_CENTER) <= 0.5 + 1e-6
    )


@pytest.mark.parametrize("transpose", [False, True])
def test_prepare_digit_keeps_a_lopsided_digit_inside_the_field(transpose):
    # A thin stroke with a heavy foot: centring the mass would push the box out of the field,
    # so it is clamped to the field's edge, with nothing cut off.
    for heavy_end, first_row, last_row in (("foot", 0, 19), ("head", 8, 27)):
        image = np.ones((40, 30))
        image[10:30, 15] = 0  # the stroke: 20 rows
        rows = slice(25, 30) if heavy_end == "foot" else slice(10, 15)
        image[rows, 10:21] = 0
        image = image.T if transpose else image
        out = own_digit.prepare_digit(image)
        out = out.T if transpose else out
        inked = np.flatnonzero((out > 0).any(axis=1))
        assert (inked[0], inked[-1]) == (first_row, last_row), heavy_end


def test_prepare_digit_crops_exactly_to_the_ink():
    # A 20 x 10 block of ink: cropped exactly, it needs no resampling and comes out as 200
    # pixels of exactly 1; one row or column more or less in the crop would blur it.
    image = np.ones((50, 40))
    image[17:37, 11:21] = 0
    out = own_digit.prepare_digit(image)
    assert np.count_nonzero(out == 1) == 200 and np.count_nonzero(out) == 200
    assert ink_box(out) == (20, 10)
    tall = own_digit.prepare_digit(image.T)
    assert np.count_nonzero(tall == 1) == 200 and ink_box(tall) == (10, 20)


@pytest.mark.parametrize("transpose", [False, True])
def test_prepare_digit_reads_every_edge_of_the_border(transpose):
    # Top edge in shadow, the light paper shows on the bottom edge (the right one, transposed),
    # and the row inside it is a dark line: only the edge itself says the paper is light.
    image = ring()
    image[0] = 0.1
    image[-2] = 0.1
    image[:35, 0] = image[:35, -1] = 0.1
    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    # 188 of 320 border pixels light; without the 60 of the light edge, 128: under half.
    assert (border.mean() - 0.1) / 0.85 == pytest.approx(188 / 320)
    image = image.T if transpose else image
    np.testing.assert_array_equal(
        own_digit.prepare_digit(image), own_digit.prepare_digit(image, invert=True)
    )


def test_prepare_digit_inverts_only_a_border_lighter_than_half():
    # Exactly half the border light: not inverted. The interior is dark, so inverting it
    # would make it all ink.
    image = np.zeros((40, 40))
    image[-1, :] = 1
    image[1:-1, 0] = 1  # left edge's inside; its corners belong to the top and bottom rows
    image[15:25, 18:22] = 1  # a light bar: the digit
    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    assert border.mean() == 0.5
    np.testing.assert_array_equal(
        own_digit.prepare_digit(image), own_digit.prepare_digit(image, invert=False)
    )
    # A ring whose left edge is in shadow: border 0.68, lighter than half, so inverted.
    shaded = ring()
    shaded[:, 0] = 0.1
    np.testing.assert_array_equal(
        own_digit.prepare_digit(shaded), own_digit.prepare_digit(shaded, invert=True)
    )


@pytest.mark.parametrize(
    ("shape", "match"),
    [
        ((5, 5, 3), r"image has shape \(5, 5, 3\), a colour \(RGB or RGBA\) picture"),
        ((5, 5, 4), r"image has shape \(5, 5, 4\), a colour"),
        ((5, 5, 2), r"image must be 2-D \(height, width\), got shape \(5, 5, 2\)"),
        ((5, 5, 5), r"image must be 2-D"),
        ((3, 5, 5), r"image must be 2-D"),
        ((5, 5, 3, 1), r"image must be 2-D"),
    ],
)
def test_check_image_names_colour_pictures_and_other_shapes(shape, match):
    with pytest.raises(ValueError, match=match):
        own_digit.prepare_digit(np.zeros(shape))


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # np.matrix, on purpose
@pytest.mark.parametrize(
    ("image", "error", "match"),
    [
        (lambda: np.ones((5, 5), "timedelta64[s]"), TypeError, "must hold real numbers"),
        (lambda: np.matrix(np.eye(5)), TypeError, "grayscale pixels, got matrix"),
    ],
)
def test_pictures_that_only_look_numeric_are_refused(image, error, match):
    image = image()  # made here, not at collection (np.matrix warns when made)
    for function in (own_digit.prepare_digit, own_digit.refusal):
        with pytest.raises(error, match=match):
            function(image)


def test_refusal_raises_where_prepare_digit_does_for_a_range_too_wide():
    image = np.full((50, 50), 1e308)
    image[10:40, 20:25] = -1e308
    for function in (own_digit.prepare_digit, own_digit.refusal):
        with pytest.raises(ValueError, match="too wide a range to scale"):
            function(image)


@pytest.mark.parametrize(
    ("shape_out", "refused"), [((1, 255), False), ((1, 300), True)]
)
def test_resize_weights_limit_counts_the_column_weights(shape_out, refused):
    # Little work (1 row), but 300 x 65,536 column weights: the weights limit alone decides.
    if refused:
        with pytest.raises(ValueError, match=r"and 16,777,216"):
            own_digit._check_resize_work((1, 65_536), shape_out)
    else:
        own_digit._check_resize_work((1, 65_536), shape_out)


def test_refusal_scales_by_the_pictures_own_minimum():
    assert own_digit.refusal(ring()) is None
    assert own_digit.refusal(ring() * 100 + 100) is None  # values 110..195: the same digit


def test_refusal_counts_ink_strictly_above_the_threshold_as_prepare_digit_does():
    image = np.zeros((100, 100))
    image[50, 50] = 10.0  # the one ink pixel
    image[20, 20:80] = 2.0  # exactly INK_THRESHOLD after scaling: not ink
    assert own_digit.refusal(image) == "too small"
