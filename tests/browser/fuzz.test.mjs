// A short fuzz run of the browser entry (/js/src/index.browser.mjs, the wasm build) in headless Chromium:
// the sequences of tests/js/fuzz-model.mjs (made here, seeded) run in one page through tests/js/fuzz-run.mjs
// (the interpreter Node's fuzz test runs on each backend). Only coded errors, no hang, no
// unhandled rejection or page error, and after each sequence the same page (the same module) still encodes
// a valid file; the last one is checked with ffprobe.
//   POLYENC_FUZZ_RUNS=200 POLYENC_FUZZ_SEED=123 node --test tests/browser/fuzz.test.mjs
import test from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, ffprobe, require } from './harness.mjs';
import { fuzzModel } from '../js/fuzz-model.mjs';

const fc = require('fast-check');
const { sequence } = fuzzModel(fc);

const seed = Number(process.env.POLYENC_FUZZ_SEED || (Date.now() ^ (Math.random() * 0x7fffffff)) >>> 0);
const runs = Number(process.env.POLYENC_FUZZ_RUNS || 30);

let env;
test.before(async () => (env = await openBrowser()));
test.after(() => env?.close());

// Runs in the page: each sequence, then a valid encode; returns the violations and the last encode's bytes.
async function inPage(seqs) {
  const { runSequence, sanityEncode } = await import('/tests/js/fuzz-run.mjs');
  const api = await import('/js/src/index.browser.mjs');
  await api.init();
  const events = [];
  window.addEventListener('unhandledrejection', (e) => events.push(`unhandled rejection: ${e.reason && e.reason.stack ? e.reason.stack : e.reason}`));
  window.addEventListener('error', (e) => events.push(`uncaught error: ${e.message}`));
  const makeWritable = (kind, at) => {
    let n = 0;
    switch (kind) {
      case 'slow': return new WritableStream({ write: () => new Promise((r) => setTimeout(r, 1)) }, { highWaterMark: 1 });
      case 'failAt': case 'throwAt': case 'webFail':
        return new WritableStream({ write() { if (n++ === at) throw new Error('the sink failed'); } });
      case 'destroyed': { const w = new WritableStream(); w.getWriter(); return w; } // locked
      case 'ended': { const w = new WritableStream(); const wr = w.getWriter(); wr.close(); wr.releaseLock(); return w; }
      case 'errorLater': {
        let ctl;
        const w = new WritableStream({ start(c) { ctl = c; } });
        setTimeout(() => ctl.error(new Error('the sink failed later')), at * 3);
        return w;
      }
      case 'fake': return { getWriter() { throw new Error('getWriter threw'); }, locked: false };
      default: return new WritableStream();
    }
  };
  const env = { timeoutMs: 20000, makeWritable, tmpPath: (ext) => `out.${ext}`, specialPath: (p) => p };
  const results = [];
  let bytes = null;
  for (const seq of seqs) {
    events.length = 0;
    const { violations } = await runSequence(api, env, seq);
    await new Promise((r) => setTimeout(r, 10));
    violations.push(...events);
    try {
      api.backendInfo(); // throws once the module is dead
      bytes = await sanityEncode(api);
    } catch (e) {
      violations.push(`after the sequence, a valid encode failed: ${e && e.code} ${e && e.message}`);
    }
    results.push(violations);
    if (violations.length) break;
  }
  let b64 = '';
  if (bytes) for (let i = 0; i < bytes.length; i++) b64 += String.fromCharCode(bytes[i]);
  return { results, last: btoa(b64) };
}

test(`random call sequences in Chromium (seed ${seed}, ${runs} runs)`, { timeout: 10 * 60000 }, async () => {
  const seqs = fc.sample(sequence, { seed, numRuns: runs });
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const logs = [];
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  page.on('crash', () => logs.push('the page crashed'));
  try {
    const { port } = env.servers.plain.address();
    await page.goto(`http://127.0.0.1:${port}/tests/browser/page.html`);
    await page.waitForFunction(() => document.getElementById('status').textContent === 'ready', null, { timeout: 20000 });
    const { results, last } = await page.evaluate(inPage, seqs);
    const bad = results.findIndex((v) => v.length);
    if (bad >= 0) {
      assert.fail(`fuzz in Chromium, seed ${seed}: sequence ${bad} failed:\n${results[bad].join('\n')}\n` +
        `sequence:\n${JSON.stringify(seqs[bad])}\npage log:\n${logs.join('\n')}`);
    }
    assert.equal(results.length, seqs.length);
    assert.deepEqual(logs, []);
    const v = ffprobe(Buffer.from(last, 'base64')).streams[0];
    assert.equal(v.codec_name, 'h264');
    assert.equal(Number(v.nb_read_frames), 4);
  } catch (e) {
    e.message = `[seed ${seed}] ${e.message}`;
    throw e;
  } finally {
    await context.close();
  }
});
