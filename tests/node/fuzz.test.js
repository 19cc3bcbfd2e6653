'use strict';
// Property-based fuzzing of the Node addon's whole API (tests/node/fuzz-model.js, tests/node/fuzz-run.mjs):
// random values and call orders never crash, hang, leak an unhandled rejection or throw an error without
// a code, and the process still encodes a valid file after each sequence.
//   POLYENC_FUZZ_RUNS=2000 POLYENC_FUZZ_SEED=123 node --test tests/node/fuzz.test.js    a long, seeded run
const test = require('node:test');
const assert = require('node:assert/strict');
const { runFuzzChild } = require('./fuzz-spawn');

test('random call sequences of the Node API: only coded errors, no crash, hang or unhandled rejection', { timeout: 24 * 3600 * 1000 }, async () => {
  const { seed, output, error } = await runFuzzChild('native', { runs: 120 });
  if (error) assert.fail(error);
  assert.match(output, new RegExp(`seed=${seed} .*\\n[^]*sequences held`), output);
});
