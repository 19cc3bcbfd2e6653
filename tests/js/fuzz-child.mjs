// The fuzz property in its own process (started by tests/js/fuzz.test.mjs, so that a crash is reported
// with its sequence instead of taking the test runner down), on the backend POLYENC_BACKEND names:
//
//   POLYENC_BACKEND=native|wasm node --expose-gc tests/js/fuzz-child.mjs
//     POLYENC_FUZZ_SEED   fast-check seed (default: random; printed)
//     POLYENC_FUZZ_RUNS   number of sequences (default 40)
//     POLYENC_FUZZ_PATH   fast-check path, to replay one counterexample (with its seed)
//     POLYENC_FUZZ_LAST   file that holds the sequence being run (read back after a crash)
//     POLYENC_FUZZ_REPLAY run the one sequence of this file (a POLYENC_FUZZ_LAST) and report
//
// Exit 0: every sequence held; 1: a counterexample (printed, shrunk), anything else: a crash.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Writable } from 'node:stream';
import { runSequence, sanityEncode } from './fuzz-run.mjs';
import { fuzzModel } from './fuzz-model.mjs';
import { polyenc as api, BACKEND as backend, root } from './helpers.mjs';

const fc = createRequire(path.join(root, 'js', 'package.json'))('fast-check');
const { sequence } = fuzzModel(fc);

const seed = Number(process.env.POLYENC_FUZZ_SEED || (Date.now() ^ (Math.random() * 0x7fffffff)) >>> 0);
const numRuns = Number(process.env.POLYENC_FUZZ_RUNS || 40);
const last = process.env.POLYENC_FUZZ_LAST || path.join(os.tmpdir(), `polyenc-fuzz-${backend}-last.json`);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'polyenc-fuzz-'));
console.log(`[fuzz ${backend}] seed=${seed} runs=${numRuns}${process.env.POLYENC_FUZZ_PATH ? ` path=${process.env.POLYENC_FUZZ_PATH}` : ''}`);

// the process-level failures: an unhandled rejection or an uncaught exception is a violation of the run
const processEvents = [];
process.on('unhandledRejection', (e) => processEvents.push(`unhandled rejection: ${e && e.stack ? e.stack : e}`));
process.on('uncaughtException', (e) => processEvents.push(`uncaught exception: ${e && e.stack ? e.stack : e}`));

let fileCount = 0;
const env = {
  timeoutMs: Number(process.env.POLYENC_FUZZ_TIMEOUT_MS || 20000),
  gc: global.gc,
  stats: process.env.POLYENC_FUZZ_STATS ? {} : null,
  tmpPath: (ext) => path.join(tmp, `out${fileCount++}${ext ? `.${ext}` : ''}`),
  specialPath(p) {
    if (p === 'DIR') return tmp;
    if (p === 'URL') return pathToFileURL(path.join(tmp, `url${fileCount++}.mkv`));
    if (p === 'URLHTTP') return new URL('http://127.0.0.1:9/x.mp4');
    return p;
  },
  makeWritable(kind, at) {
    let n = 0;
    const discard = (opts = {}) => new Writable({ ...opts, write(chunk, enc, cb) { cb(); } });
    switch (kind) {
      case 'discard': return discard();
      case 'slow': return new Writable({ highWaterMark: 1, write(chunk, enc, cb) { setTimeout(cb, 1); } });
      case 'failAt': return new Writable({ write(chunk, enc, cb) { cb(n++ === at ? new Error('the sink failed') : undefined); } });
      case 'throwAt': {
        const w = discard();
        w.write = function write(...args) {
          if (n++ === at) throw new Error('write() threw');
          return Writable.prototype.write.apply(this, args);
        };
        return w;
      }
      case 'destroyed': { const w = discard(); w.destroy(); return w; }
      case 'ended': { const w = discard(); w.end(); return w; }
      case 'errorLater': {
        const w = discard();
        w.on('error', () => {}); // the caller's own handler: the Writable fails by itself
        setTimeout(() => w.destroy(new Error('the sink failed later')), at * 3);
        return w;
      }
      case 'web': return new WritableStream({ write() {} });
      case 'webFail': return new WritableStream({ write() { if (n++ === at) throw new Error('the web sink failed'); } });
      case 'fake': return { write() { return true; }, on() { return this; }, off() { return this; }, end(cb) { if (cb) cb(); return this; } };
      default: throw new Error(`unknown writable kind ${kind}`);
    }
  },
};

function probeFrames(bytes) {
  const r = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-show_streams', '-of', 'json', 'pipe:0'], { input: bytes });
  if (r.status !== 0) return `ffprobe failed: ${r.stderr}`;
  const s = JSON.parse(r.stdout).streams;
  return s.length === 1 && s[0].codec_name === 'h264' && Number(s[0].nb_read_frames) === 4 ? null : `unexpected streams ${JSON.stringify(s)}`;
}

const property = fc.asyncProperty(sequence, async (seq) => {
  fs.writeFileSync(last, JSON.stringify(seq));
  processEvents.length = 0;
  const { violations } = await runSequence(api, env, seq);
  await new Promise((resolve) => setTimeout(resolve, 10)); // late rejections and 'error' events surface here
  violations.push(...processEvents);
  // the same process (the same backend; for wasm, the same module: a dead one fails the check above)
  // still encodes a valid file
  try {
    if (api.backendInfo().backend !== backend) violations.push(`the backend changed to ${api.backendInfo().backend}`);
    const why = probeFrames(await sanityEncode(api));
    if (why) violations.push(`after the sequence, a valid encode: ${why}`);
  } catch (e) {
    violations.push(`after the sequence, a valid encode failed: ${e && e.code} ${e && e.message}`);
  }
  if (violations.length) throw new Error(violations.join('\n'));
});

if (process.env.POLYENC_FUZZ_REPLAY) {
  // one sequence from a file (e.g. the POLYENC_FUZZ_LAST of a crashed run), without fast-check
  const seq = JSON.parse(fs.readFileSync(process.env.POLYENC_FUZZ_REPLAY, 'utf8'));
  const { violations } = await runSequence(api, env, seq);
  await new Promise((resolve) => setTimeout(resolve, 10));
  violations.push(...processEvents);
  console.log(violations.length ? violations.join('\n') : 'the sequence held');
  process.exit(violations.length ? 1 : 0);
}

const params = { seed, numRuns, verbose: 1, interruptAfterTimeLimit: Number(process.env.POLYENC_FUZZ_TIME_LIMIT_MS || 10 * 60000) };
if (process.env.POLYENC_FUZZ_PATH) params.path = process.env.POLYENC_FUZZ_PATH;
try {
  await fc.assert(property, params);
  console.log(`[fuzz ${backend}] ${numRuns} sequences held`);
  if (env.stats) console.log(JSON.stringify(env.stats, null, 1));
  fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(0);
} catch (e) {
  console.log(`[fuzz ${backend}] FAILED (replay: POLYENC_FUZZ_SEED=${seed}${params.path ? ` POLYENC_FUZZ_PATH=${params.path}` : ''})`);
  console.log(e.message);
  process.exit(1);
}
