// Browser tests in headless Chromium (Debian's /usr/bin/chromium through playwright-core; no browser
// download): a page served from 127.0.0.1 draws a canvas animation and renders a tone with Web Audio,
// encodes them with polyenc into a Blob and plays the Blob in a <video>: loadedmetadata with the right
// size and duration, then a seek to the last second. The same in worker mode and, with COOP/COEP headers,
// with the threaded build. The MP4s are also checked with ffprobe. Screenshots: tests/browser/out/.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { startServer } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const outDir = process.env.POLYENC_BROWSER_OUT || path.join(here, 'out');
fs.mkdirSync(outDir, { recursive: true });
const require = createRequire(path.join(root, 'wasm', 'package.json'));
const { chromium } = require('playwright-core');
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';

let browser;
const servers = {};
test.before(async () => {
  browser = await chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  servers.plain = await startServer({ root });
  servers.isolated = await startServer({ root, isolated: true });
});
test.after(async () => {
  await browser?.close();
  for (const s of Object.values(servers)) s.close();
});

function ffprobe(file) {
  const r = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-show_streams', '-show_format', '-of', 'json', file]);
  assert.equal(r.status, 0, r.stderr && r.stderr.toString());
  return JSON.parse(r.stdout.toString());
}

async function runPage(name, { isolated = false, ...params }) {
  const context = await browser.newContext({ viewport: { width: 720, height: 300 } });
  const page = await context.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  try {
    const { port } = (isolated ? servers.isolated : servers.plain).address();
    await page.goto(`http://127.0.0.1:${port}/tests/browser/page.html`);
    await page.waitForFunction(() => document.getElementById('status').textContent === 'ready', null, { timeout: 20000 });
    const r = await page.evaluate((p) => window.runTest(p), params);
    await page.screenshot({ path: path.join(outDir, `${name}.png`) });
    const bytes = Buffer.from(r.bytes, 'base64');
    const file = path.join(outDir, `${name}.${params.format === 'webm' ? 'webm' : 'mp4'}`);
    fs.writeFileSync(file, bytes);
    delete r.bytes;
    return { ...r, bytes, file };
  } catch (e) {
    e.message += `\npage log:\n${logs.join('\n')}`;
    throw e;
  } finally {
    await context.close();
  }
}

function checkPlayback(r, { width = 320, height = 240, seconds = 3 } = {}) {
  assert.equal(r.videoWidth, width);
  assert.equal(r.videoHeight, height);
  assert.ok(Math.abs(r.duration - seconds) < 0.15, `duration ${r.duration}`);
  assert.ok(r.seekedTo >= seconds - 1.1, `seeked to ${r.seekedTo}`);
}

function checkMp4(buf, frames = 90) {
  const info = ffprobe(buf);
  const v = info.streams.find((s) => s.codec_type === 'video');
  const a = info.streams.find((s) => s.codec_type === 'audio');
  assert.equal(v.codec_name, 'h264');
  assert.equal(Number(v.nb_read_frames), frames);
  assert.equal(a.codec_name, 'aac');
  assert.equal(a.channels, 2);
}

test('single-threaded, direct: canvas + ImageData + VideoFrame + AudioBuffer -> MP4 Blob that plays', async () => {
  const r = await runPage('st-mp4', { format: 'mp4' });
  assert.equal(r.variant, 'st');
  assert.equal(r.type, 'video/mp4');
  assert.ok(r.kinds.videoFrame > 0 && r.kinds.imageData > 0 && r.kinds.canvas > 0, JSON.stringify(r.kinds));
  checkPlayback(r);
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
