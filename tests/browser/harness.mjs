// The shared part of the browser tests: headless Chromium (Debian's /usr/bin/chromium through
// playwright-core from js/node_modules; no browser download), two local servers of the repository root
// (plain: the 'st' build; COOP/COEP: crossOriginIsolated, the 'mt' build), tests/browser/page.html (it
// imports the package's browser entry, /js/src/index.browser.mjs), a page run that returns the encoded
// bytes (saved with a screenshot in tests/browser/out/), and the checks on the result.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startServer } from './server.mjs';
import { probe } from '../js/checks.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
/** Where the pages' outputs and screenshots are saved. */
export const outDir = process.env.POLYENC_BROWSER_OUT || path.join(here, 'out');
/** require() from the package's dev dependencies (js/node_modules): playwright-core, fast-check. */
export const require = createRequire(path.join(root, 'js', 'package.json'));

export async function openBrowser() {
  fs.mkdirSync(outDir, { recursive: true });
  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  const servers = { plain: await startServer({ root }), isolated: await startServer({ root, isolated: true }) };
  return {
    browser,
    servers,
    async close() {
      await browser.close();
      for (const s of Object.values(servers)) s.close();
    },
  };
}

/**
 * Opens tests/browser/page.html (isolated: on the COOP/COEP server) in a fresh context; call(fn, params)
 * runs window[fn](params) there, errors carrying the page's log.
 */
export async function openPage(env, { isolated = false } = {}) {
  const context = await env.browser.newContext({ viewport: { width: 720, height: 300 } });
  const page = await context.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  page.on('crash', () => logs.push('the page crashed'));
  const withLog = (e) => {
    e.message += `\npage log:\n${logs.join('\n')}`;
    return e;
  };
  try {
    const { port } = (isolated ? env.servers.isolated : env.servers.plain).address();
    await page.goto(`http://127.0.0.1:${port}/tests/browser/page.html`);
    await page.waitForFunction(() => document.getElementById('status').textContent === 'ready', null, { timeout: 20000 });
  } catch (e) {
    await context.close();
    throw withLog(e);
  }
  return {
    page,
    logs,
    async call(fn, params = {}) {
      try {
        return await page.evaluate(([f, p]) => window[f](p), [fn, params]);
      } catch (e) {
        throw withLog(e);
      }
    },
    screenshot: (name) => page.screenshot({ path: path.join(outDir, `${name}.png`) }),
    close: () => context.close(),
  };
}

// Opens tests/browser/page.html and calls window[fn](params) in it.
export async function inPage(env, fn, params = {}, { isolated = false, screenshot } = {}) {
  const p = await openPage(env, { isolated });
  try {
    const r = await p.call(fn, params);
    if (screenshot) await p.screenshot(screenshot);
    return r;
  } finally {
    await p.close();
  }
}

// Encodes a canvas animation + tone in the page (window.runTest) and plays the Blob there.
export async function runPage(env, name, { isolated = false, ...params }) {
  const r = await inPage(env, 'runTest', params, { isolated, screenshot: name });
  const bytes = Buffer.from(r.bytes, 'base64');
  const file = path.join(outDir, `${name}.${params.format === 'webm' ? 'webm' : 'mp4'}`);
  fs.writeFileSync(file, bytes);
  delete r.bytes;
  return { ...r, bytes, file };
}

/** ffprobe's JSON (streams, format, frames counted) of a file or bytes. */
export const ffprobe = probe;

// The video's presentation times in seconds, in order.
export function videoPts(file) {
  const info = ffprobe(file, ['-select_streams', 'v:0', '-show_entries', 'packet=pts_time']);
  return info.packets.map((p) => Number(p.pts_time)).sort((a, b) => a - b);
}

export function checkPlayback(r, { width = 320, height = 240, seconds = 3 } = {}) {
  assert.equal(r.videoWidth, width);
  assert.equal(r.videoHeight, height);
  assert.ok(Math.abs(r.duration - seconds) < 0.15, `duration ${r.duration}`);
  assert.ok(r.seekedTo >= seconds - 1.1, `seeked to ${r.seekedTo}`);
}

export function checkMp4(file, frames = 90) {
  const info = ffprobe(file);
  const v = info.streams.find((s) => s.codec_type === 'video');
  const a = info.streams.find((s) => s.codec_type === 'audio');
  assert.equal(v.codec_name, 'h264');
  assert.equal(Number(v.nb_read_frames), frames);
  assert.equal(a.codec_name, 'aac');
  assert.equal(a.channels, 2);
  return info;
}
