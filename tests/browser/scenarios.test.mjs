// The encode scenarios of the JS suite (tests/js/scenarios.mjs, the ones Node runs on each backend) in
// headless Chromium: the single-threaded build (a plain page), the threaded build (a crossOriginIsolated
// page) and worker mode. The page returns the encoded bytes; they are checked here, in Node, by the same
// checks as Node's own (tests/js/checks.mjs: ffprobe, ffmpeg decode and compare). Video is forced to the
// wasm encoders (encoder: 'wasm') in these runs, and left to the default ('auto': WebCodecs' VideoEncoder
// where the options allow it) in a last one; webcodecs.test.mjs has the rest of WebCodecs' tests.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openBrowser, openPage, outDir } from './harness.mjs';
import { scenarios } from '../js/scenarios.mjs';
import { check } from '../js/checks.mjs';

let env;
test.before(async () => (env = await openBrowser()));
test.after(() => env?.close());

const RUNS = [
  { id: 'st', label: "single-threaded build ('st'), direct", isolated: false, variant: 'st', opts: { video: { encoder: 'wasm' } } },
  { id: 'mt', label: "threaded build ('mt', crossOriginIsolated), direct", isolated: true, variant: 'mt', opts: { video: { encoder: 'wasm' } } },
  { id: 'worker', label: 'single-threaded build, worker mode', isolated: false, variant: 'st', opts: { encoder: { worker: true }, video: { encoder: 'wasm' } } },
  { id: 'auto', label: "WebCodecs 'auto' (the default), direct", isolated: false, variant: 'st', opts: {}, webcodecs: true },
];

// A failed scenario's outputs, for a look: tests/browser/out/scenario-<run>-<scenario>-<output>.bin
function keep(run, s, files) {
  const slug = s.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40);
  for (const [k, bytes] of Object.entries(files)) fs.writeFileSync(path.join(outDir, `scenario-${run}-${slug}-${k}.bin`), bytes);
}

for (const { id, label, isolated, variant, opts, webcodecs = false } of RUNS) {
  test(`the scenarios in Chromium: ${label}`, { timeout: 10 * 60000 }, async (t) => {
    const page = await openPage(env, { isolated });
    try {
      for (const s of scenarios) {
        await t.test(s.name, async (st) => {
          const r = await page.call('runScenario', { name: s.name, opts });
          assert.equal(r.info.backend, 'wasm');
          assert.equal(r.info.variant, variant);
          if (r.skip) return st.skip(r.skip);
          if (r.error) {
            const e = new Error(`in the page: ${r.error.name} ${r.error.code || ''} ${r.error.message}\n${r.error.stack}`);
            throw Object.assign(e, { code: r.error.code });
          }
          const files = Object.fromEntries(Object.entries(r.files).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
          try {
            check(s, { files, meta: r.meta }, { backend: 'wasm', webcodecs });
          } catch (e) {
            keep(id, s, files);
            throw e;
          }
        });
      }
      assert.deepEqual(page.logs.filter((l) => /^(pageerror|error)/.test(l)), [], 'no page error');
    } finally {
      await page.close();
    }
  });
}
