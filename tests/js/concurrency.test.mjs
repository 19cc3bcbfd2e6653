// Nine encoders at once (Promise.all): different streams, containers and outputs (file, memory, a
// Writable, a slow Writable), fed in interleaved chunks. Each output is what the same encode gives when
// it runs alone, byte for byte, and ffprobe finds its streams and frames. Deterministic settings as in
// tests/test_concurrency.c: one codec thread, x264 without MB-tree, bit-exact Matroska / WebM. On the
// native backend the nine run on nine threads; on the wasm backend their calls interleave in one module.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Writable } from 'node:stream';
import { polyenc, tmpFile, rgbPattern, toLayout, tone, probe } from './helpers.mjs';

const x264 = { 'x264-params': 'mbtree=0' };
const x264Fast = { preset: 'ultrafast', 'x264-params': 'mbtree=0' };
const x264Mkv = { 'x264-params': 'mbtree=0', fflags: '+bitexact' };
const vp9Fast = { deadline: 'realtime', 'cpu-used': 8, fflags: '+bitexact' };

const JOBS = [
  { format: 'mp4', out: 'file', w: 64, h: 48, frames: 24, fps: 25, layout: 'rgb24', options: x264 },
  { format: 'mp4', out: 'memory', w: 96, h: 64, frames: 20, fps: 30, layout: 'rgb-planar', options: x264Fast, rate: 48000, channels: 2 },
  { format: 'mkv', out: 'file', w: 80, h: 48, frames: 20, fps: 24, layout: 'rgba', options: x264Mkv, rate: 44100, channels: 1 },
  { format: 'webm', out: 'memory', w: 64, h: 64, frames: 16, fps: 25, layout: 'rgb24', options: vp9Fast },
  { format: 'webm', out: 'stream', w: 48, h: 32, frames: 16, fps: 20, layout: 'bgra', options: vp9Fast, rate: 48000, channels: 2 },
  { format: 'mp4', out: 'slowStream', w: 112, h: 64, frames: 30, fps: 30, layout: 'rgb24', options: x264Fast, rate: 16000, channels: 1 },
  { format: 'mkv', out: 'memory', w: 128, h: 96, frames: 12, fps: 15, layout: 'yuv420p', options: x264Mkv, second: true, rate: 22050, channels: 2 },
  { format: 'mkv', out: 'stream', w: 64, h: 32, frames: 20, fps: 25, layout: 'rgb24', options: x264Mkv, rate: 48000, channels: 1, audioCodec: 'flac' },
  { format: null, out: 'audioOnly', rate: 48000, channels: 2, audioCodec: 'opus', formatName: 'ogg', audioOptions: { fflags: '+bitexact' } },
];

function collector(slow) {
  const chunks = [];
  const w = new Writable({
    highWaterMark: slow ? 1024 : 16384,
    write(chunk, enc, cb) {
      chunks.push(Buffer.from(chunk));
      if (slow) setTimeout(cb, 1);
      else cb();
    },
  });
  return { w, bytes: () => Buffer.concat(chunks) };
}

// One encode; resolves to its bytes.
async function encode(job) {
  const enc = new polyenc.Encoder();
  const streams = [];
  if (job.w) {
    streams.push({ kind: 'video', w: job.w, h: job.h, s: enc.addVideo({ width: job.w, height: job.h, frameRate: job.fps, threads: 1, options: job.options }) });
    if (job.second) {
      const w = job.w / 2, h = job.h / 2;
      streams.push({ kind: 'video', w, h, s: enc.addVideo({ width: w, height: h, frameRate: job.fps, threads: 1, options: job.options }) });
    }
  }
  if (job.rate) streams.push({ kind: 'audio', s: enc.addAudio({ sampleRate: job.rate, numChannels: job.channels, codec: job.audioCodec, options: job.audioOptions }) });
  let file = null;
  let sink = null;
  const format = job.format || job.formatName;
  if (job.out === 'file') enc.openFile((file = tmpFile(`out.${format}`)));
  else if (job.out === 'memory' || job.out === 'audioOnly') enc.openMemory({ format });
  else enc.openStream((sink = collector(job.out === 'slowStream')).w, { format });
  // interleaved chunks: a few frames, then the matching audio
  const frames = job.frames || 0;
  const seconds = frames ? frames / job.fps : 1;
  for (let start = 0, step = 0; step < 4; step++) {
    const end = Math.round(((step + 1) * (frames || 4)) / 4);
    for (const st of streams) {
      if (st.kind === 'video' && end > start) {
        await st.s.addFrames(toLayout(rgbPattern(st.w, st.h, end - start, start), st.w, st.h, job.layout), { layout: job.layout });
      } else if (st.kind === 'audio') {
        const total = Math.round(seconds * job.rate);
        const a = Math.round((step * total) / 4), b = Math.round(((step + 1) * total) / 4);
        await st.s.addSamples(tone(job.rate, job.channels, b - a, a));
      }
    }
    start = end;
  }
  const out = await enc.close();
  if (file) return fs.readFileSync(file);
  if (sink) return sink.bytes();
  return out;
}

function checkStreams(job, bytes) {
  const info = probe(bytes);
  const video = info.streams.filter((s) => s.codec_type === 'video');
  const audio = info.streams.filter((s) => s.codec_type === 'audio');
  assert.equal(video.length, job.w ? (job.second ? 2 : 1) : 0, `${job.format} ${job.out}: video streams`);
  assert.equal(audio.length, job.rate ? 1 : 0, `${job.format} ${job.out}: audio streams`);
  for (const v of video) assert.equal(Number(v.nb_read_frames), job.frames, `${job.format} ${job.out}: frames`);
  if (job.rate) assert.equal(audio[0].channels, job.channels);
}

test('nine encoders at once give the bytes each gives alone, and valid files', { timeout: 400000 }, async () => {
  const alone = [];
  for (const job of JOBS) alone.push(await encode(job));
  const together = await Promise.all(JOBS.map((job) => encode(job)));
  JOBS.forEach((job, i) => {
    checkStreams(job, together[i]);
    assert.ok(together[i].length > 0);
    assert.ok(Buffer.compare(alone[i], together[i]) === 0,
      `job ${i} (${job.format || job.formatName} ${job.out}): ${together[i].length} bytes at once, ${alone[i].length} alone`);
  });
  // and once more at once: still the same bytes (no state shared between encoders or runs)
  const again = await Promise.all(JOBS.map((job) => encode(job)));
  JOBS.forEach((job, i) => assert.ok(Buffer.compare(alone[i], again[i]) === 0, `job ${i}, second concurrent round`));
});
