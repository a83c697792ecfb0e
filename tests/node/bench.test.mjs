// The bench's ratio interval (bench/run.mjs): it must call a real gap a
// gap, call identical distributions noise, and be reproducible.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ratioInterval } from "../../bench/run.mjs";

// Timings with the spread the bench machine shows (about +-20%).
const noisy = (centre, n = 15) => Array.from({ length: n }, (_, i) => centre * (0.8 + ((i * 7) % n) / n * 0.4));

test("the same samples on both sides: the interval holds 1", () => {
  const [lo, hi] = ratioInterval(noisy(130), noisy(130));
  assert.ok(lo < 1 && hi > 1, `${lo}–${hi}`);
});

test("a 40% gap over noise of +-20%: the whole interval is above 1", () => {
  const [lo, hi] = ratioInterval(noisy(180), noisy(130));
  assert.ok(lo > 1, `lower end ${lo}`);
  assert.ok(hi < 1.8, `upper end ${hi}`);
  const [flo, fhi] = ratioInterval(noisy(130), noisy(180));
  assert.ok(fhi < 1 && flo > 0.5, `the other way round: ${flo}–${fhi}`);
});

test("seeded: the same samples give the same interval", () => {
  assert.deepEqual(ratioInterval(noisy(150), noisy(140)), ratioInterval(noisy(150), noisy(140)));
});
