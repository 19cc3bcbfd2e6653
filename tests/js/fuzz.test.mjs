// Property-based fuzzing of the whole API on this run's backend (tests/js/fuzz-model.mjs, tests/js/fuzz-run.mjs):
// random values and call orders never crash, hang, leak an unhandled rejection, throw an error without a
// code or (wasm) stop the module, and the process still encodes a valid file after each sequence.
// Short by default (120 sequences on native, 60 on wasm); a long, seeded run:
//   POLYENC_FUZZ_RUNS=2000 POLYENC_FUZZ_SEED=123 POLYENC_BACKEND=wasm node --test tests/js/fuzz.test.mjs
import test from 'node:test';
import assert from 'node:assert/strict';
import { BACKEND } from './helpers.mjs';
import { runFuzzChild } from './fuzz-spawn.mjs';

test(`random call sequences on the ${BACKEND} backend: only coded errors, no crash, hang or unhandled rejection`, { timeout: 24 * 3600 * 1000 }, async () => {
  const runs = BACKEND === 'wasm' ? 60 : 120;
  const { seed, output, error } = await runFuzzChild(BACKEND, { runs, timeoutMs: Math.max(10 * 60000, runs * 3000) });
  if (error) assert.fail(error);
  assert.match(output, new RegExp(`\\[fuzz ${BACKEND}\\] seed=${seed} .*\\n[^]*sequences held`), output);
});
