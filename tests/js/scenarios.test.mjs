// The encode scenarios (scenarios.mjs) in Node, on the backend of this run (POLYENC_BACKEND=native, then
// wasm), each output checked with ffprobe and decoded back with ffmpeg (checks.mjs); the browser tests run
// the same scenarios in Chromium (tests/browser/scenarios.test.mjs). Then what only Node has: files,
// Buffers, Node Writables (an HTTP response).
//   POLYENC_BACKEND=wasm node --test tests/js/scenarios.test.mjs
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import { polyenc, BACKEND, entry, tmpFile } from './helpers.mjs';
import { scenarios, AV } from './scenarios.mjs';
import { rgbPattern, toLayout, tone, meanAbsDiff } from './media.mjs';
import { check, probe, decodeVideo } from './checks.mjs';

const { Encoder } = polyenc;

for (const s of scenarios) {
  test(s.name, { skip: s.skip(polyenc) }, async () => {
    check(s, await s.run(polyenc), { backend: BACKEND });
  });
}

test('backendInfo, version and capabilities', async () => {
  const info = polyenc.backendInfo();
  assert.equal(info.backend, BACKEND);
  if (BACKEND === 'wasm') assert.equal(info.variant, 'st', 'Node loads the single-threaded build unless asked');
  assert.match(polyenc.version(), /^\d+\.\d+\.\d+/);
  for (const c of ['h264', 'libx264', 'aac', 'opus', 'libopus', 'flac', 'vp9', 'libvpx-vp9', 'vp8']) assert.equal(polyenc.hasEncoder(c), true, c);
  if (BACKEND === 'wasm') assert.equal(polyenc.hasEncoder('h264_nvenc'), false);
  assert.equal(polyenc.hasEncoder('no-such-codec'), false);
  const again = await polyenc.init(); // loaded already: the same backend
  assert.deepEqual([again.backend, again.variant, again.addon], [info.backend, info.variant, info.addon]);
});

test('the entry: named and default exports are the same', async () => {
  const esm = await import(entry);
  for (const k of ['Encoder', 'VideoStream', 'AudioStream', 'createEncoder', 'init', 'version', 'hasEncoder', 'backendInfo'])
    assert.strictEqual(esm[k], esm.default[k], k);
  assert.ok(esm.createEncoder() instanceof esm.Encoder);
});

test("Node has no WebCodecs: 'auto' runs the backend's encoder, 'webcodecs' is refused", () => {
  const enc = new Encoder();
  const v = enc.addVideo({ width: 64, height: 48, frameRate: 25 });
  assert.equal(v.encoderName, BACKEND);
  assert.throws(() => enc.addVideo({ width: 64, height: 48, frameRate: 25, encoder: 'webcodecs' }),
    (e) => e.code === 'POLYENC_ERR_UNSUPPORTED' && /no WebCodecs VideoEncoder/.test(e.message));
});

// The 'av' scenario's encode, to any output.
async function encodeAv(open) {
  const { W, H, FPS, N, RATE } = AV;
  const enc = new Encoder();
  const video = enc.addVideo({ width: W, height: H, frameRate: FPS });
  const audio = enc.addAudio({ sampleRate: RATE, numChannels: 1 });
  open(enc);
  const frames = rgbPattern(W, H, N);
  const fb = W * H * 3;
  for (let i = 0; i < N; i += 12) await video.addFrames(frames.subarray(i * fb, (i + 12) * fb), { layout: 'rgb24' });
  await audio.addSamples(tone(RATE, 1, (RATE * N) / FPS));
  return enc.close();
}

const pick = (info) => info.streams.map((s) => [s.codec_name, s.nb_read_frames, s.duration_ts, s.time_base, s.r_frame_rate]);

test('openMemory gives a Buffer by default; openFile (path or file: URL) gives the same streams', async () => {
  const buf = await encodeAv((enc) => enc.openMemory({ format: 'mp4' }));
  assert.ok(Buffer.isBuffer(buf), 'a Buffer');
  const ref = probe(buf);
  assert.equal(Number(ref.streams[0].nb_read_frames), AV.N);
  assert.ok(meanAbsDiff(decodeVideo(buf), rgbPattern(AV.W, AV.H, AV.N)) < 4);
  // (not compared byte for byte: x264's threads may decide differently from run to run)
  const file = tmpFile('va.mp4');
  assert.equal(await encodeAv((enc) => enc.openFile(file)), undefined);
  assert.deepEqual(pick(probe(file)), pick(ref));
  const url = new URL(`file://${tmpFile('url.mkv')}`);
  await encodeAv((enc) => enc.openFile(url));
  assert.equal(probe(fs.readFileSync(url)).format.format_name.split(',')[0], 'matroska', 'the container from the extension');
  for (const type of ['uint8array', 'buffer']) {
    const enc = new Encoder();
    enc.addAudio({ sampleRate: 8000, numChannels: 1 });
    enc.openMemory({ format: 'wav', type });
    const out = await enc.close();
    assert.equal(Buffer.isBuffer(out), type === 'buffer', type);
    assert.ok(out instanceof Uint8Array);
  }
});

test('openStream to an HTTP response: fragmented MP4 over a socket', async () => {
  const server = http.createServer(async (req, res) => {
    res.writeHead(200, { 'Content-Type': 'video/mp4' });
    await encodeAv((enc) => enc.openStream(res, { format: 'mp4' })); // close() ends the response
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const body = await new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: server.address().port, path: '/' }, (res) => {
        const parts = [];
        res.on('data', (d) => parts.push(d));
        res.on('end', () => resolve(Buffer.concat(parts)));
        res.on('error', reject);
      }).on('error', reject);
    });
    assert.equal(body.subarray(4, 8).toString('latin1'), 'ftyp');
    assert.ok(body.includes(Buffer.from('moof')), 'fragmented MP4 (moof boxes)');
    const info = probe(body);
    assert.deepEqual(info.streams.map((s) => s.codec_name), ['h264', 'aac']);
    assert.equal(Number(info.streams[0].nb_read_frames), AV.N);
    assert.ok(meanAbsDiff(decodeVideo(body), rgbPattern(AV.W, AV.H, AV.N)) < 4);
  } finally {
    server.close();
  }
});

test('the same frames as rgb24 and as yuv420p decode to the same picture', async () => {
  // (the other layouts: the 'frame layout' scenarios) yuv420p taken as is when the codec takes yuv420p
  const w = 96, h = 64, n = 3;
  const rgb = rgbPattern(w, h, n);
  const outs = [];
  for (const layout of ['rgb24', 'yuv420p']) {
    const enc = new Encoder();
    const v = enc.addVideo({ width: w, height: h, frameRate: 30, crf: 0 });
    enc.openMemory({ format: 'mkv' });
    await v.addFrames(toLayout(rgb, w, h, layout), { layout });
    outs.push(decodeVideo(await enc.close(), 0, 'yuv420p'));
  }
  assert.ok(meanAbsDiff(outs[0], outs[1]) < 1, `mean abs diff ${meanAbsDiff(outs[0], outs[1])}`);
});
