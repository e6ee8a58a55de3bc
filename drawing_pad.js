/*
 * drawing_pad.js: the drawing pad of mnist_from_scratch.ipynb, section 9.
 *
 * The reader draws a digit; this file prepares the drawing the way MNIST's digits were prepared
 * and runs the trained 784-64-10 network on it, in the browser. No kernel, no widget library,
 * nothing fetched: own_digit.py puts this file, the network's weights and the preparation's
 * constants (defined there, never typed here) into the cell's HTML output.
 *
 * Two parts:
 *   - prepareDigit and forward: own_digit.prepare_digit and nn_utils.forward, step by step.
 *     tests/test_own_digit.py holds them to the Python on the same images, under Node.js and
 *     in Chromium: the 28x28 images to 1e-6, the probabilities to 1e-5.
 *   - mount: the pad (canvas, 28x28 preview, ten bars, Clear). This script builds it, so that a
 *     viewer that runs no JavaScript shows only the output's plain sentence, never a dead pad.
 *
 * Node loads the file with require(); in the cell's <script> a local `module` object stands in.
 * Either way, everything is exported through module.exports and nothing else becomes global.
 */
(function () {
  "use strict";

  // ---------------------------------------------------------------------------------------
  // Sums in NumPy's order
  // ---------------------------------------------------------------------------------------
  // prepare_digit compares a sum with a threshold: the border's mean with LIGHT_BORDER, which
  // decides whether to invert. Adding the same numbers in another order can change the last
  // bit, and at a tie that bit would invert the picture or not. So the sums here add in
  // NumPy's order: pairwise, 8 accumulators over blocks of up to 128 numbers. (The centre of
  // mass is summed the same way, though prepare_digit rounds it with SHIFT_RESOLUTION so that
  // such noise cannot move the digit anyway: the resizing's products already differ from
  // NumPy's in the last bit, as NumPy's own differ between BLAS kernels.)

  /** Sum of a[start .. start + n - 1], as NumPy's pairwise sum of a contiguous array adds them. */
  function pairwiseSum(a, start, n) {
    if (n < 8) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += a[start + i];
      return sum;
    }
    if (n <= 128) {
      const r = [];
      for (let j = 0; j < 8; j++) r.push(a[start + j]);
      let i = 8;
      for (; i < n - (n % 8); i += 8) {
        for (let j = 0; j < 8; j++) r[j] += a[start + i + j];
      }
      let sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
      for (; i < n; i++) sum += a[start + i];
      return sum;
    }
    let half = Math.floor(n / 2);
    half -= half % 8;  // split on a multiple of the 8 accumulators, as NumPy does
    return pairwiseSum(a, start, half) + pairwiseSum(a, start + half, n - half);
  }

  /**
   * own_digit._whole_pixels: the nearest whole pixel (a half up) to a shift first rounded to a
   * multiple of `resolution` (a power of two), so that float noise cannot tip a tie. Exact.
   */
  function wholePixels(shift, resolution) {
    const snapped = Math.floor(shift / resolution + 0.5) * resolution;
    return Math.floor(snapped + 0.5);
  }

  /** Python's round() of a non-negative number: a tie goes to the even neighbour. */
  function roundHalfEven(x) {
    const floor = Math.floor(x);
    const rest = x - floor;  // exact: x is far below 2**52
    if (rest < 0.5) return floor;
    if (rest > 0.5) return floor + 1;
    return floor % 2 === 0 ? floor : floor + 1;
  }

  // ---------------------------------------------------------------------------------------
  // own_digit.resize_area and own_digit._center_of_mass
  // ---------------------------------------------------------------------------------------

  /**
   * own_digit._area_weights(nIn, nOut) without its zeros: for each output pixel i, the first
   * input pixel it covers and its weights on the consecutive input pixels from there.
   * Output pixel i covers [i * s, (i + 1) * s) with s = nIn / nOut; its weight on input pixel
   * j is the overlap of that interval with [j, j + 1), over s (same operations as NumPy's).
   */
  function areaWeights(nIn, nOut) {
    const s = nIn / nOut;
    const rows = [];
    for (let i = 0; i < nOut; i++) {
      const start = i * s;
      // Input pixels outside [floor(start), ceil(start + s)) have no overlap; one more on each
      // side costs nothing and keeps rounding at the interval's ends out of the question.
      const from = Math.max(0, Math.floor(start) - 1);
      const to = Math.min(nIn, Math.ceil(start + s) + 1);
      let first = -1;
      const weights = [];
      for (let j = from; j < to; j++) {
        const overlap = Math.min(start + s, j + 1) - Math.max(start, j);
        if (overlap > 0) {
          if (first < 0) first = j;
          weights.push(overlap / s);
        } else if (first >= 0) {
          break;  // past the covered interval
        }
      }
      rows.push({ first: first, weights: weights });
    }
    return rows;
  }

  /**
   * own_digit.resize_area: the (h, w) image (row-major Float64Array) resampled to (outH, outW)
   * by area averaging, rows first, then columns, as R_rows @ image @ R_cols.T.
   */
  function resizeArea(image, h, w, outH, outW) {
    const rowWeights = areaWeights(h, outH);
    const colWeights = areaWeights(w, outW);
    const tall = new Float64Array(outH * w);  // R_rows @ image
    for (let i = 0; i < outH; i++) {
      const { first, weights } = rowWeights[i];
      for (let k = 0; k < weights.length; k++) {
        const weight = weights[k];
        const row = (first + k) * w;
        for (let c = 0; c < w; c++) tall[i * w + c] += weight * image[row + c];
      }
    }
    const out = new Float64Array(outH * outW);  // (R_rows @ image) @ R_cols.T
    for (let i = 0; i < outH; i++) {
      for (let c = 0; c < outW; c++) {
        const { first, weights } = colWeights[c];
        let sum = 0;
        for (let k = 0; k < weights.length; k++) sum += tall[i * w + first + k] * weights[k];
        out[i * outW + c] = sum;
      }
    }
    return out;
  }

  /** own_digit._center_of_mass: [row, column] of the intensity-weighted mean position. */
  function centerOfMass(image, h, w) {
    const total = pairwiseSum(image, 0, h * w);
    const rowSums = new Float64Array(h);  // image.sum(axis=1): one pairwise sum per row
    for (let i = 0; i < h; i++) rowSums[i] = pairwiseSum(image, i * w, w);
    // image.sum(axis=0): NumPy adds the rows one after another, except for a single column,
    // which it sums as one contiguous array (pairwise).
    const colSums = new Float64Array(w);
    if (w === 1) {
      colSums[0] = pairwiseSum(image, 0, h);
    } else {
      for (let i = 0; i < h; i++) {
        for (let c = 0; c < w; c++) colSums[c] += image[i * w + c];
      }
    }
    for (let i = 0; i < h; i++) rowSums[i] *= i;  // times np.arange
    for (let c = 0; c < w; c++) colSums[c] *= c;
    return [pairwiseSum(rowSums, 0, h) / total, pairwiseSum(colSums, 0, w) / total];
  }

  // ---------------------------------------------------------------------------------------
  // own_digit.prepare_digit
  // ---------------------------------------------------------------------------------------

  /**
   * own_digit.prepare_digit(image) for a grey-scale image given as `pixels` (any array of
   * height * width finite numbers, row by row), with the constants in `config` (from
   * drawing_pad.pad_config()). Returns {image, refusal, inkSide}:
   *   image    the prepared digit, a Float32Array of fieldSize * fieldSize values in [0, 1],
   *            or null where prepare_digit raises (refusal "empty" or "all ink");
   *   refusal  null when the pad reads the image; else why it shows a prompt instead:
   *            "empty"     every pixel is the same (prepare_digit: "the image is flat");
   *            "all ink"   more than maxInkShare of the pixels are ink (prepare_digit refuses);
   *            "too small" the ink's box is shorter than minMarkShare of the image's longer
   *                        side: a stray dot, not a digit. prepare_digit still prepares it
   *                        (image is set); only the pad refuses, as own_digit.refusal does.
   *   inkSide  the longer side of the ink's bounding box, in pixels (0 when empty).
   */
  function prepareDigit(pixels, height, width, config) {
    const n = height * width;
    if (!(Number.isInteger(height) && Number.isInteger(width) && height > 0 && width > 0)) {
      throw new Error("prepareDigit: height and width must be positive integers");
    }
    if (pixels.length !== n) {
      throw new Error("prepareDigit: " + pixels.length + " pixels for " + height + " x " + width);
    }
    // 1. Scale to [0, 1] by the image's min and max.
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = pixels[i];
      if (!Number.isFinite(v)) throw new Error("prepareDigit: pixel " + i + " is " + v);
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (lo === hi) return { image: null, refusal: "empty", inkSide: 0 };
    const img = new Float64Array(n);
    for (let i = 0; i < n; i++) img[i] = (pixels[i] - lo) / (hi - lo);

    // 2. Light ink on dark, as in MNIST: invert when the border is light paper on average.
    // The border in NumPy's order: first row, last row, first column, last column.
    const border = new Float64Array(2 * width + 2 * height);
    for (let c = 0; c < width; c++) {
      border[c] = img[c];
      border[width + c] = img[(height - 1) * width + c];
    }
    for (let r = 0; r < height; r++) {
      border[2 * width + r] = img[r * width];
      border[2 * width + height + r] = img[r * width + width - 1];
    }
    if (pairwiseSum(border, 0, border.length) / border.length > config.lightBorder) {
      for (let i = 0; i < n; i++) img[i] = 1 - img[i];
    }

    // 3. Crop to the ink: the bounding box of the pixels above the ink threshold.
    let inkCount = 0;
    let top = height;
    let bottom = -1;
    let left = width;
    let right = -1;
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++) {
        if (img[r * width + c] > config.inkThreshold) {
          inkCount++;
          if (r < top) top = r;
          if (r > bottom) bottom = r;
          if (c < left) left = c;
          if (c > right) right = c;
        }
      }
    }
    if (inkCount / n > config.maxInkShare) {
      return { image: null, refusal: "all ink", inkSide: Math.max(bottom - top, right - left) + 1 };
    }
    const cropH = bottom - top + 1;
    const cropW = right - left + 1;
    const inkSide = Math.max(cropH, cropW);
    const crop = new Float64Array(cropH * cropW);
    for (let r = 0; r < cropH; r++) {
      for (let c = 0; c < cropW; c++) crop[r * cropW + c] = img[(top + r) * width + left + c];
    }

    // 4. Resize so the longer side is digitSize pixels, keeping the aspect ratio.
    const scale = config.digitSize / inkSide;
    const smallH = Math.max(1, roundHalfEven(cropH * scale));
    const smallW = Math.max(1, roundHalfEven(cropW * scale));
    const small = resizeArea(crop, cropH, cropW, smallH, smallW);

    // 5. Place it in the field with its centre of mass on the field's centre (a whole-pixel
    // shift, kept inside the field). The Float32Array rounds to float32 as NumPy's cast does.
    const field = config.fieldSize;
    const [cy, cx] = centerOfMass(small, smallH, smallW);
    const shiftY = Math.min(
      Math.max(wholePixels(config.fieldCenter - cy, config.shiftResolution), 0), field - smallH);
    const shiftX = Math.min(
      Math.max(wholePixels(config.fieldCenter - cx, config.shiftResolution), 0), field - smallW);
    const image = new Float32Array(field * field);
    for (let r = 0; r < smallH; r++) {
      for (let c = 0; c < smallW; c++) {
        const v = small[r * smallW + c];
        image[(shiftY + r) * field + shiftX + c] = Math.min(Math.max(v, 0), 1);
      }
    }
    const tooSmall = inkSide < config.minMarkShare * Math.max(height, width);
    return { image: image, refusal: tooSmall ? "too small" : null, inkSide: inkSide };
  }

  // ---------------------------------------------------------------------------------------
  // The network: nn_utils.forward for one image
  // ---------------------------------------------------------------------------------------

  /** The bytes of a base64 string (atob: in every browser, and in Node since version 16). */
  function base64Bytes(text) {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  /**
   * The network's weights from drawing_pad.encode_params' form, {W1: {shape, float32}, ...}
   * with each array as little-endian float32 in base64, row by row: {W1, b1, W2, b2} as
   * Float32Arrays, and the layer sizes nIn, nHidden, nOut.
   */
  function decodeParams(encoded) {
    const params = {};
    for (const key of ["W1", "b1", "W2", "b2"]) {
      if (!encoded || !encoded[key]) throw new Error("decodeParams: no " + key);
      const { shape, float32 } = encoded[key];
      const bytes = base64Bytes(float32);
      const size = shape.reduce((a, b) => a * b, 1);
      if (bytes.length !== 4 * size) {
        throw new Error("decodeParams: " + key + " has " + bytes.length + " bytes, not " +
          4 * size);
      }
      const view = new DataView(bytes.buffer);
      const values = new Float32Array(size);
      for (let i = 0; i < size; i++) values[i] = view.getFloat32(4 * i, true);
      params[key] = values;
    }
    params.nIn = encoded.W1.shape[0];
    params.nHidden = encoded.W1.shape[1];
    params.nOut = encoded.W2.shape[1];
    if (encoded.b1.shape[0] !== params.nHidden || encoded.W2.shape[0] !== params.nHidden ||
        encoded.b2.shape[0] !== params.nOut) {
      throw new Error("decodeParams: the shapes of W1, b1, W2, b2 do not fit together");
    }
    return params;
  }

  /**
   * nn_utils.forward for one image x (nIn values in [0, 1]): Z1 = x W1 + b1, A1 = relu(Z1),
   * Z2 = A1 W2 + b2, probabilities = softmax(Z2), as a Float64Array of nOut. Sums in double
   * precision: NumPy's float32 products differ from them by about 1e-7, far below what shows.
   */
  function forward(params, x) {
    const { W1, b1, W2, b2, nIn, nHidden, nOut } = params;
    if (x.length !== nIn) throw new Error("forward: " + x.length + " inputs, not " + nIn);
    const z1 = new Float64Array(nHidden);
    for (let i = 0; i < nIn; i++) {
      const xi = x[i];
      if (xi === 0) continue;  // most of a digit is background: skipping zeros adds nothing
      const row = i * nHidden;
      for (let j = 0; j < nHidden; j++) z1[j] += xi * W1[row + j];
    }
    const z2 = new Float64Array(nOut);
    for (let j = 0; j < nHidden; j++) {
      const a = Math.max(z1[j] + b1[j], 0);  // ReLU
      if (a === 0) continue;
      const row = j * nOut;
      for (let k = 0; k < nOut; k++) z2[k] += a * W2[row + k];
    }
    // Softmax, less the largest score first so that exp never overflows (as nn_utils.softmax).
    let largest = -Infinity;
    for (let k = 0; k < nOut; k++) {
      z2[k] += b2[k];
      largest = Math.max(largest, z2[k]);
    }
    let total = 0;
    const probs = new Float64Array(nOut);
    for (let k = 0; k < nOut; k++) {
      probs[k] = Math.exp(z2[k] - largest);
      total += probs[k];
    }
    for (let k = 0; k < nOut; k++) probs[k] /= total;
    return probs;
  }

  // ---------------------------------------------------------------------------------------
  // The pad
  // ---------------------------------------------------------------------------------------

  const PROMPTS = {
    empty: "Draw a digit from 0 to 9 in the box.",
    "too small": "Too small to read: draw a whole digit (small is fine, a dot is not).",
    "all ink": "Almost all of the box is ink: press Clear and draw a digit.",
  };

  // Colours of the notebook's figures (seaborn's first two); explicit text and background
  // colours keep the pad readable under a dark notebook theme.
  function styles(id) {
    const scope = "#" + id + " ";  // only this render's pad
    return [
      ".mdp { display: inline-flex; flex-wrap: wrap; gap: 18px; align-items: flex-start;" +
        " max-width: 100%; padding: 12px; background: #fff; color: #222; border-radius: 6px;" +
        " font: 14px/1.4 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; }",
      ".mdp-caption { font-weight: 600; margin: 0 0 6px; }",
      // touch-action: none, or a finger's stroke scrolls the page instead of drawing.
      ".mdp-canvas { display: block; touch-action: none; cursor: crosshair;" +
        " outline: 1px solid #999; user-select: none; -webkit-user-select: none; }",
      ".mdp-clear { margin-top: 8px; padding: 3px 14px; font: inherit; cursor: pointer; }",
      ".mdp-preview { display: block; width: 112px; height: 112px; outline: 1px solid #999;" +
        " image-rendering: pixelated; }",
      ".mdp-answer { margin: 12px 0 0; max-width: 170px; min-height: 4.5em; }",
      ".mdp-digit { display: block; font-size: 44px; font-weight: 700; line-height: 1.1; }",
      ".mdp-bar { display: flex; align-items: center; gap: 6px; height: 24px; }",
      ".mdp-label { width: 1em; text-align: right; font-variant-numeric: tabular-nums; }",
      ".mdp-track { width: 170px; height: 15px; background: #eee; }",
      ".mdp-fill { height: 100%; width: 0; background: #4c72b0; }",
      ".mdp-top .mdp-fill { background: #dd8452; }",
      ".mdp-value { width: 3.8em; text-align: right; font-variant-numeric: tabular-nums; }",
    ].map((rule) => scope + rule).join("\n");
  }

  function element(tag, className, parent, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  /**
   * Build the pad inside `host` (the output's <div>, with a unique id) and return its handle,
   * also kept as host.mnistPad: {canvas, preview, config, params, update, clear, timings,
   * state, pending}. `params` are decoded weights (decodeParams); `config` as for prepareDigit
   * plus canvasSize and penWidth.
   */
  function mount(host, config, params) {
    if (host.mnistPad) return host.mnistPad;  // already built (the script ran twice)
    // Hide the sentence for viewers without JavaScript (inline: no notebook CSS overrides it).
    for (const note of host.querySelectorAll(".mnist-drawing-pad-fallback")) {
      note.style.display = "none";
    }
    element("style", null, host, styles(host.id));
    const root = element("div", "mdp", host);

    const drawColumn = element("div", "mdp-column", root);
    element("p", "mdp-caption", drawColumn, "Draw a digit");
    const canvas = element("canvas", "mdp-canvas", drawColumn);
    canvas.width = canvas.height = config.canvasSize;
    canvas.setAttribute("aria-label", "drawing pad: draw a digit with a mouse, pen or finger");
    const clearButton = element("button", "mdp-clear", drawColumn, "Clear");
    clearButton.type = "button";

    const previewColumn = element("div", "mdp-column", root);
    element("p", "mdp-caption", previewColumn, "Prepared like MNIST (28×28)");
    const preview = element("canvas", "mdp-preview", previewColumn);
    preview.width = preview.height = config.fieldSize;
    const answer = element("p", "mdp-answer", previewColumn);
    answer.setAttribute("aria-live", "polite");

    const barColumn = element("div", "mdp-column", root);
    element("p", "mdp-caption", barColumn, "The network's probabilities");
    const bars = [];
    for (let digit = 0; digit < params.nOut; digit++) {
      const row = element("div", "mdp-bar", barColumn);
      row.dataset.digit = String(digit);
      element("span", "mdp-label", row, String(digit));
      const fill = element("div", "mdp-fill", element("div", "mdp-track", row));
      bars.push({ row: row, fill: fill, value: element("span", "mdp-value", row) });
    }

    // willReadFrequently: every update reads the whole canvas back.
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    const previewCtx = preview.getContext("2d");
    const size = config.canvasSize;
    const gray = new Float64Array(size * size);
    const pad = {
      canvas: canvas, preview: preview, config: config, params: params,
      timings: [],  // milliseconds of each update, for the tests' budget check
      state: { refusal: "empty", image: null, probs: null },
      pending: false,
      update: update,
      clear: clear,
    };

    function blankCanvas() {
      ctx.fillStyle = "#fff";  // opaque paper: a transparent canvas would read as black
      ctx.fillRect(0, 0, size, size);
    }

    function showPreview(image) {
      const pixels = previewCtx.createImageData(config.fieldSize, config.fieldSize);
      for (let i = 0; i < config.fieldSize * config.fieldSize; i++) {
        // Dark ink on white, as the notebook's figures show prepared digits.
        const level = image ? Math.round(255 * (1 - image[i])) : 255;
        pixels.data[4 * i] = pixels.data[4 * i + 1] = pixels.data[4 * i + 2] = level;
        pixels.data[4 * i + 3] = 255;
      }
      previewCtx.putImageData(pixels, 0, 0);
    }

    function showProbabilities(probs) {
      let best = -1;
      if (probs) {
        best = 0;
        for (let k = 1; k < probs.length; k++) if (probs[k] > probs[best]) best = k;
      }
      bars.forEach((bar, k) => {
        const p = probs ? probs[k] : 0;
        bar.fill.style.width = (100 * p).toFixed(2) + "%";
        bar.value.textContent = probs ? (100 * p).toFixed(1) + "%" : "";
        // The exact number, for the tests (and the curious): the text above is rounded.
        if (probs) bar.fill.dataset.probability = String(p);
        else delete bar.fill.dataset.probability;
        bar.row.classList.toggle("mdp-top", k === best);
      });
      answer.textContent = "";
      if (probs) {
        answer.dataset.digit = String(best);
        answer.appendChild(document.createTextNode("The network reads "));
        element("span", "mdp-digit", answer, String(best));
        answer.appendChild(document.createTextNode(
          " with probability " + probs[best].toFixed(2) + "."));
      } else {
        answer.dataset.digit = "";
        answer.textContent = PROMPTS[pad.state.refusal];
      }
    }

    /** Read the canvas, prepare it, run the network and show the result. */
    function update() {
      const start = performance.now();
      pad.pending = false;
      const rgba = ctx.getImageData(0, 0, size, size).data;
      for (let i = 0; i < size * size; i++) {
        gray[i] = (rgba[4 * i] + rgba[4 * i + 1] + rgba[4 * i + 2]) / 3;  // RGB mean
      }
      const prepared = prepareDigit(gray, size, size, config);
      const probs = prepared.refusal ? null : forward(params, prepared.image);
      pad.state = { refusal: prepared.refusal, image: prepared.image, probs: probs };
      showPreview(prepared.refusal ? null : prepared.image);
      showProbabilities(probs);
      pad.timings.push(performance.now() - start);
      if (pad.timings.length > 1000) pad.timings.shift();
    }

    // While drawing, update at most once per frame however many pointer events arrive.
    function schedule() {
      if (pad.pending) return;
      pad.pending = true;
      requestAnimationFrame(() => { if (pad.pending) update(); });
    }

    function clear() {
      blankCanvas();
      update();
    }

    // Drawing with Pointer Events: mouse, pen and finger alike.
    let drawing = null;  // the id of the pointer that draws, if any
    let last = null;
    function point(event) {
      const box = canvas.getBoundingClientRect();
      return [
        (event.clientX - box.left - canvas.clientLeft) * size / canvas.clientWidth,
        (event.clientY - box.top - canvas.clientTop) * size / canvas.clientHeight,
      ];
    }
    canvas.addEventListener("pointerdown", (event) => {
      if (drawing !== null || event.button !== 0) return;
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);  // strokes may leave the box and come back
      drawing = event.pointerId;
      last = point(event);
      ctx.beginPath();  // a dot, so that a tap leaves a mark
      ctx.arc(last[0], last[1], config.penWidth / 2, 0, 2 * Math.PI);
      ctx.fillStyle = "#000";
      ctx.fill();
      schedule();
    });
    canvas.addEventListener("pointermove", (event) => {
      if (event.pointerId !== drawing) return;
      event.preventDefault();
      // A fast stroke delivers several positions per event: draw through all of them.
      const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
      ctx.beginPath();
      ctx.moveTo(last[0], last[1]);
      for (const e of events.length ? events : [event]) {
        last = point(e);
        ctx.lineTo(last[0], last[1]);
      }
      ctx.stroke();
      schedule();
    });
    const stop = (event) => {
      if (event.pointerId !== drawing) return;
      drawing = null;
      schedule();
    };
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    canvas.addEventListener("lostpointercapture", stop);
    clearButton.addEventListener("click", clear);

    ctx.lineWidth = config.penWidth;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#000";
    clear();
    host.mnistPad = pad;
    return pad;
  }

  /**
   * What the cell's <script> calls: mount the pad in the element with this id. `script` is
   * the calling <script> (document.currentScript), which directly follows that element: it
   * finds the element even where the output is not yet in the page when its scripts run.
   * Otherwise the id (unique per render) finds it, on a later frame if need be.
   */
  function mountById(id, config, encodedParams, script) {
    const params = decodeParams(encodedParams);
    const next = script && script.previousElementSibling;
    if (next && next.id === id) return mount(next, config, params);
    let tries = 0;
    const attempt = () => {
      const host = document.getElementById(id);
      if (host) mount(host, config, params);
      else if (++tries < 600) requestAnimationFrame(attempt);  // about ten seconds
    };
    attempt();
    return null;
  }

  module.exports = {
    pairwiseSum: pairwiseSum,
    roundHalfEven: roundHalfEven,
    wholePixels: wholePixels,
    areaWeights: areaWeights,
    resizeArea: resizeArea,
    centerOfMass: centerOfMass,
    prepareDigit: prepareDigit,
    decodeParams: decodeParams,
    forward: forward,
    mount: mount,
    mountById: mountById,
  };
})();
