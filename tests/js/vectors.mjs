// The vectors Python writes for these tests (tests/js/write_vectors.py): read once.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const DIR = process.env.JS_VECTORS_DIR || join(ROOT, "test-artifacts", "js-vectors");
const FILE = join(DIR, "vectors.json");

if (!existsSync(FILE)) {
  throw new Error(
    `${FILE} is missing: run \`make test-js\`, or ` +
      "`.venv/bin/python -m tests.js.write_vectors test-artifacts/js-vectors` first",
  );
}

export const vectors = JSON.parse(readFileSync(FILE, "utf8"));

// a and b (numbers, or arrays of them) agree to within `tolerance`.
export function close(actual, expected, tolerance, message) {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      throw new Error(`${message}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    }
    expected.forEach((item, i) => close(actual[i], item, tolerance, `${message}[${i}]`));
    return;
  }
  if (!(Math.abs(actual - expected) <= tolerance)) {
    throw new Error(`${message}: expected ${expected} ± ${tolerance}, got ${actual}`);
  }
}
