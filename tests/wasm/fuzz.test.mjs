// Property-based fuzzing of the wasm build in Node: the same property as tests/node/fuzz.test.js (random
// values and call orders of the whole API: only coded errors, no crash, hang or unhandled rejection), and
// after each sequence the same module still encodes a valid file (a wasm abort would leave it unusable).
//   POLYENC_FUZZ_RUNS=1000 POLYENC_FUZZ_SEED=123 node --test tests/wasm/fuzz.test.mjs
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const { runFuzzChild } = createRequire(import.meta.url)('../node/fuzz-spawn.js');

test('random call sequences of the wasm build: only coded errors, no crash, hang, unhandled rejection or dead module', { timeout: 30 * 60000 }, async () => {
  const runs = Number(process.env.POLYENC_FUZZ_RUNS || 60);
  const { seed, output, error } = await runFuzzChild('wasm', { runs, timeoutMs: Math.max(4 * 60000, runs * 3000) });
  if (error) assert.fail(error);
  assert.match(output, new RegExp(`seed=${seed} .*\\n[^]*sequences held`), output);
});
