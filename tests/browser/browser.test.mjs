// Browser tests of the package's browser entry (/js/src/index.browser.mjs) over the wasm encoders, in
// headless Chromium: a page served from 127.0.0.1 draws a canvas animation and renders a tone with Web
// Audio, encodes them (canvas, ImageData, VideoFrame, AudioBuffer inputs) into a Blob and plays the Blob
// in a <video>: loadedmetadata with the right size and duration, then a seek to the last second. The
// same in worker mode and, with COOP/COEP headers, with the threaded build. The MP4s are also checked
// with ffprobe. Video is forced to the wasm encoders here (encoder: 'wasm'); webcodecs.test.mjs tests
// the default, WebCodecs; scenarios.test.mjs runs the encode scenarios of Node's suite; errors.test.mjs
// the synchronous errors. Then the main thread's responsiveness, and the demo page. Screenshots:
// tests/browser/out/.
import test from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, runPage as run, inPage, ffprobe, checkPlayback, checkMp4 } from './harness.mjs';

let env;
test.before(async () => (env = await openBrowser()));
test.after(() => env?.close());
const runPage = (name, params) => run(env, name, { encoder: 'wasm', ...params });

test('single-threaded, direct: canvas + ImageData + VideoFrame + AudioBuffer -> MP4 Blob that plays', async () => {
  const r = await runPage('st-mp4', { format: 'mp4' });
  assert.equal(r.variant, 'st');
  assert.equal(r.type, 'video/mp4');
  assert.ok(r.kinds.videoFrame > 0 && r.kinds.imageData > 0 && r.kinds.canvas > 0, JSON.stringify(r.kinds));
  checkPlayback(r);
  assert.equal(r.encoderName, 'wasm');
  checkMp4(r.file);
  console.log(`# st direct: ${r.size} bytes, encode ${r.encodeMs.toFixed(0)} ms`);
});

test('single-threaded, WebM (VP9 + Opus) Blob that plays', async () => {
  const r = await runPage('st-webm', { format: 'webm' });
  assert.equal(r.type, 'video/webm');
  checkPlayback(r);
  const info = ffprobe(r.file);
  assert.deepEqual(info.streams.map((s) => s.codec_name), ['vp9', 'opus']);
});

test('openStream(WritableStream): fragmented MP4 that plays', async () => {
  const r = await runPage('st-stream', { format: 'mp4', stream: true });
  checkPlayback(r);
  assert.ok(r.bytes.includes(Buffer.from('moof')));
  checkMp4(r.file);
});

test('worker mode: the encoder runs in a Web Worker, the page stays responsive', async () => {
  const r = await runPage('worker-mp4', { format: 'mp4', worker: true, width: 640, height: 360 });
  assert.equal(r.type, 'video/mp4');
  checkPlayback(r, { width: 640, height: 360 });
  checkMp4(r.file);
  console.log(`# worker: encode ${r.encodeMs.toFixed(0)} ms, longest main-thread gap ${r.maxGap.toFixed(0)} ms`);
});

test('threaded build under COOP/COEP (crossOriginIsolated), direct and in worker mode', async () => {
  for (const worker of [false, true]) {
    const r = await runPage(`mt-${worker ? 'worker' : 'direct'}`, { isolated: true, format: 'mp4', worker, width: 640, height: 360 });
    assert.equal(r.crossOriginIsolated, true);
    assert.equal(r.variant, 'mt');
    checkPlayback(r, { width: 640, height: 360 });
    checkMp4(r.file);
    console.log(`# mt ${worker ? 'worker' : 'direct'}: encode ${r.encodeMs.toFixed(0)} ms`);
  }
});

test('worker mode keeps the main thread free while one addFrames call encodes 30 frames; direct mode does not', async () => {
  for (const isolated of [false, true]) {
    const direct = await inPage(env, 'runResponsiveness', { worker: false }, { isolated });
    const worker = await inPage(env, 'runResponsiveness', { worker: true }, { isolated });
    const v = isolated ? 'mt' : 'st';
    console.log(`# ${v}: encode ${worker.encodeMs.toFixed(0)} ms; longest main-thread gap: ` +
      `worker mode ${worker.maxGap.toFixed(0)} ms, direct ${direct.maxGap.toFixed(0)} ms`);
    assert.ok(worker.size > 0 && direct.size > 0);
    // the measure sees a busy thread: direct mode runs the whole encode in the one call
    assert.ok(direct.maxGap > direct.encodeMs / 2, `${v} direct: gap ${direct.maxGap} ms, encode ${direct.encodeMs} ms`);
    // relative to the same page's direct mode and encode, not a fixed number of ms: a loaded machine stretches both
    assert.ok(worker.maxGap < Math.min(direct.maxGap, worker.encodeMs) / 4,
      `${v} worker mode: the page froze for ${worker.maxGap} ms (direct ${direct.maxGap} ms, encode ${worker.encodeMs} ms)`);
  }
});

test('the demo page (wasm/js/demo.html) records 3 s of its canvas + tone into an MP4 (COOP/COEP, worker mode)', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    const { port } = env.servers.isolated.address();
    await page.goto(`http://127.0.0.1:${port}/wasm/js/demo.html`);
    await page.waitForFunction(() => !document.getElementById('go').disabled, null, { timeout: 30000 });
    assert.match(await page.textContent('#log'), /polyenc \d+\.\d+\.\d+, threaded build/);
    await page.selectOption('#secs', '3');
    await page.click('#go');
    await page.waitForFunction(() => !document.getElementById('dl').hidden, null, { timeout: 120000 });
    assert.match(await page.textContent('#log'), /video\/mp4: [\d.]+ MB/);
    const b64 = await page.evaluate(async () => {
      const blob = await (await fetch(document.getElementById('dl').href)).blob();
      return new Promise((resolve) => {
        const r = new FileReader();
        r.onload = () => resolve(String(r.result).split(',')[1]);
        r.readAsDataURL(blob);
      });
    });
    const info = ffprobe(Buffer.from(b64, 'base64'));
    assert.deepEqual(info.streams.map((s) => [s.codec_name, s.width || s.channels]), [['h264', 1280], ['aac', 2]]);
    assert.equal(Number(info.streams[0].nb_read_frames), 90);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
