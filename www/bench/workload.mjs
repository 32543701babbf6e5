// The workload both benchmarks (node and Chromium) measure: a person typing
// into the demo contract's form, one evaluate per keystroke, and the same
// documents through ajv for comparison.

/** The entity as stored before typing. */
export const CURRENT = { name: "Ann Hansen", email: "ann@example.com" };

/** What a person types, field by field. */
const TYPED = [
  ["mobile", "20 12 34 56"],
  ["name", "Ann Marie Hansen"],
  ["email", "ann.hansen@example.com"],
];

/** One update payload per keystroke: the field's text so far. */
export function keystrokes() {
  return TYPED.flatMap(([field, text]) => [...text].map((_, at) => ({ [field]: text.slice(0, at + 1) })));
}

/** The whole document ajv validates for a payload (its merge is a plain overwrite here). */
export function merged(payload) {
  return { ...CURRENT, ...payload };
}

/** Median, 95th percentile and mean of samples in milliseconds. */
export function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p95: at(0.95), mean: samples.reduce((sum, x) => sum + x, 0) / samples.length, n: samples.length };
}

export function format(ms) {
  return ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(1)} ms`;
}

/** Prints rows `[label, {median, p95, mean, n} | number]` as an aligned table. */
export function table(title, rows) {
  console.log(`\n${title}`);
  console.log(`${"".padEnd(44)} ${"median".padStart(10)} ${"p95".padStart(10)} ${"n".padStart(6)}`);
  for (const [label, value] of rows) {
    if (typeof value === "number") console.log(`${label.padEnd(44)} ${format(value).padStart(10)} ${"".padStart(10)} ${"1".padStart(6)}`);
    else console.log(`${label.padEnd(44)} ${format(value.median).padStart(10)} ${format(value.p95).padStart(10)} ${String(value.n).padStart(6)}`);
  }
}
