// Shared helpers of the JS suite (tests/js/), run once per backend (scripts/test-js.sh sets
// POLYENC_BACKEND=native, then wasm): the package's Node entry, test patterns, tones, ffprobe / ffmpeg checks.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '..', '..');
/** The Node entry under test: the checkout's js/ (POLYENC_JS_ENTRY: another, e.g. an installed package). */
export const entry = process.env.POLYENC_JS_ENTRY || path.join(root, 'js', 'src', 'index.node.mjs');
const mod = await import(entry);
export const polyenc = mod.default;
/** The backend these tests run on: 'native' or 'wasm'. */
export const BACKEND = polyenc.backendInfo().backend;
/** For test options: skip unless the backend is this one ({ skip: only('native') }). */
export const only = (name) => (BACKEND === name ? false : `${name} backend only (this run: ${BACKEND})`);

export function tmpFile(name) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'polyenc-js-'));
  return path.join(dir, name);
}

export { rgbPattern, noise, toLayout, tone, planarToInterleaved, meanAbsDiff, maxAbsDiff, rms } from './media.mjs';
export { run, probe, decodeVideo, decodeAudio } from './checks.mjs';
