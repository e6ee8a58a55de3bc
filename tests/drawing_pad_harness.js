// Runs drawing_pad.js's preparation and forward pass under Node.js for tests/test_own_digit.py.
//
//   node tests/drawing_pad_harness.js < request.json > results.json
//
// Request: {"config": pad_config(), "params": encode_params(params),
//           "images": [{"height": h, "width": w, "pixels": [h * w numbers, row by row]}, ...]}
// Results: {"results": [{"image": [784 numbers] or null, "refusal": ..., "inkSide": ...,
//                        "probs": [10 numbers] or null}, ...]}, in the images' order.
"use strict";

const path = require("path");
const pad = require(path.join(__dirname, "..", "drawing_pad.js"));

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const request = JSON.parse(input);
  const params = pad.decodeParams(request.params);
  const results = request.images.map(({ height, width, pixels }) => {
    const prepared = pad.prepareDigit(pixels, height, width, request.config);
    return {
      image: prepared.image && Array.from(prepared.image),
      refusal: prepared.refusal,
      inkSide: prepared.inkSide,
      probs: prepared.image && Array.from(pad.forward(params, prepared.image)),
    };
  });
  process.stdout.write(JSON.stringify({ results: results }));
});
