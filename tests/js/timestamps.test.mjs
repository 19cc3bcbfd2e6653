// Per-frame timestamps and key frames (addFrames' timestamps / keyFrames, addVideo's timeBase, addAudio's
// startTime), checked in the files with ffprobe and ffmpeg: every frame where it was put, none dropped,
// repeated or out of order, B-frames stored with a valid dts / ctts, audio placed on the timeline, forced
// key frames; and bad times rejected with a clear error, the stream usable after. (Tags, rotation, stats,
// progress and abort: control.test.mjs.)
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { polyenc, tmpFile, rgbPattern, toLayout, tone, run, probe, decodeVideo, decodeAudio, meanAbsDiff } from './helpers.mjs';

const { Encoder } = polyenc;
const W = 64, H = 48, FRAME = W * H * 3, RATE = 48000;

// n frames each clearly unlike its neighbours: a frame dropped, repeated or out of order shows in the picture
function distinctFrames(n) {
  const out = new Uint8Array(n * FRAME);
  for (let i = 0; i < n; i++) out.set(rgbPattern(W, H, 1, i * 10), i * FRAME);
  return out;
}

// ffprobe's packets / decoded frames of one stream (in file order / in presentation order)
const packetsOf = (file, stream = 'v:0') => probe(file, ['-show_packets', '-select_streams', stream]).packets;
const framesOf = (file, stream = 'v:0') => probe(file, ['-show_frames', '-select_streams', stream]).frames;
const ptsTimes = (file) => framesOf(file).map((f) => Number(f.pts_time));
const ratio = (s) => { const [a, b] = s.split('/').map(Number); return a / b; };

function assertTimes(got, expected, tolerance, what) {
  assert.equal(got.length, expected.length, `${what}: ${got.length} frames in the file, fed ${expected.length} (${got})`);
  got.forEach((t, i) => assert.ok(Math.abs(t - expected[i]) <= tolerance,
    `${what}: frame ${i} at ${t} s, given ${expected[i]} s (tolerance ${tolerance}); all: ${got}`));
}

// Each decoded frame is the input frame of the same index (the closest of all of them, and close).
function assertPictures(file, input, what, limit = 6) {
  const n = input.length / FRAME;
  const decoded = decodeVideo(file);
  assert.equal(decoded.length / FRAME, n, `${what}: ${decoded.length / FRAME} frames decoded, fed ${n}`);
  for (let k = 0; k < n; k++) {
    const got = decoded.subarray(k * FRAME, (k + 1) * FRAME);
    const diffs = Array.from({ length: n }, (_, i) => meanAbsDiff(got, input.subarray(i * FRAME, (i + 1) * FRAME)));
    const best = diffs.indexOf(Math.min(...diffs));
    assert.equal(best, k, `${what}: decoded frame ${k} looks like input frame ${best} (diffs ${diffs.map((d) => d.toFixed(1))})`);
    assert.ok(diffs[k] < limit, `${what}: frame ${k} differs from its input by ${diffs[k].toFixed(2)}`);
  }
}

// mp4 / mov with B-frames: decoding order with dts strictly increasing, every pts >= its dts (the ctts box)
function assertDecodeOrder(file, what) {
  const pk = packetsOf(file);
  for (let i = 1; i < pk.length; i++) {
    assert.ok(Number(pk[i].dts) > Number(pk[i - 1].dts), `${what}: dts of packet ${i} (${pk[i].dts}) <= ${pk[i - 1].dts}`);
  }
  for (const [i, p] of pk.entries()) assert.ok(Number(p.pts) >= Number(p.dts), `${what}: packet ${i}: pts ${p.pts} < dts ${p.dts}`);
  assert.ok(pk.some((p, i) => i > 0 && Number(p.pts) < Number(pk[i - 1].pts)), `${what}: no reordered frame (no B-frames?), the check is void`);
}

// regular (~30 fps), a gap, a burst of 5 ms steps, a long gap, regular again
const VFR = [0, 0.033, 0.067, 0.1, 0.133, 0.5, 0.505, 0.51, 0.515, 0.52, 3, 3.04, 3.08, 3.12];

test('variable frame rate, timeBase [1, 1000]: every frame at its time in mp4, mov, mkv and webm', async () => {
  const input = distinctFrames(VFR.length);
  for (const format of ['mp4', 'mov', 'mkv', 'webm']) {
    const enc = new Encoder();
    const video = enc.addVideo({ width: W, height: H, frameRate: 30, timeBase: [1, 1000] });
    enc.openMemory({ format });
    // in two calls: the second continues the first
    await video.addFrames(input.subarray(0, 6 * FRAME), { layout: 'rgb24', timestamps: VFR.slice(0, 6) });
    await video.addFrames(input.subarray(6 * FRAME), { layout: 'rgb24', timestamps: Float64Array.from(VFR.slice(6)) });
    const file = tmpFile(`vfr.${format}`);
    fs.writeFileSync(file, await enc.close());
    const matroska = format === 'mkv' || format === 'webm';
    assertTimes(ptsTimes(file), VFR, matroska ? 0.001 : 1e-6, format);
    assertPictures(file, input, format);
    const s = probe(file).streams[0];
    assert.equal(Number(s.nb_read_frames), VFR.length, format);
    if (matroska) {
      assert.equal(s.r_frame_rate, '30/1', `${format}: r_frame_rate is the nominal rate`);
    } else {
      assertDecodeOrder(file, format);
      const span = VFR[VFR.length - 1] - VFR[0];
      const avg = ratio(s.avg_frame_rate);
      assert.ok(Math.abs(avg - VFR.length / span) / (VFR.length / span) < 0.02, `${format}: avg_frame_rate ${s.avg_frame_rate}, ${VFR.length} frames in ${span} s`);
    }
  }
});

test('timeBase [1, 90000]: 29.97 fps ticks, with gaps, stored to the tick in mp4', async () => {
  // starting at 0.1001 s: the edit list that says so is exact too (not in mp4's default 1/1000 s movie scale)
  const ticks = [9009, 12012, 15015, 18018, 19019, 20020, 21021, 90090, 93093, 96096, 99099, 102102];
  const input = distinctFrames(ticks.length);
  const enc = new Encoder();
  const video = enc.addVideo({ width: W, height: H, frameRate: 30000 / 1001, timeBase: [1, 90000] });
  enc.openMemory({ format: 'mp4' });
  await video.addFrames(input, { layout: 'rgb24', timestamps: ticks.map((t) => t / 90000) });
  const file = tmpFile('ntsc.mp4');
  fs.writeFileSync(file, await enc.close());
  const info = probe(file, ['-show_frames', '-select_streams', 'v:0']);
  assert.equal(info.streams[0].time_base, '1/90000');
  assert.deepEqual(info.frames.map((f) => Number(f.pts)), ticks, 'every pts, to the tick');
  assertPictures(file, input, '1/90000');
  assertDecodeOrder(file, '1/90000');
});

test('default time base (1 / frameRate): timestamps on its grid, with gaps; one off it is refused', async () => {
  const input = distinctFrames(8);
  const enc = new Encoder();
  const video = enc.addVideo({ width: W, height: H, frameRate: 30 });
  enc.openMemory({ format: 'mp4' });
  await video.addFrames(input.subarray(0, 4 * FRAME), { layout: 'rgb24', timestamps: [0, 1 / 30, 5 / 30, 6 / 30] });
  await assert.rejects(video.addFrames(input.subarray(4 * FRAME, 6 * FRAME), { layout: 'rgb24', timestamps: [7 / 30, 0.0123] }), (e) => {
    assert.equal(e.code, 'POLYENC_ERR_ARGUMENT', e.message);
    assert.equal(e.status, -1);
    assert.match(e.message, /timestamps\[1\] = 0\.0123\b/, 'names the frame and the value');
    assert.match(e.message, /timeBase: \[1, 90000\]/, 'suggests a finer time base');
    return true;
  });
  // the stream is usable: nothing of the refused call was encoded
  await video.addFrames(input.subarray(4 * FRAME, 8 * FRAME), { layout: 'rgb24', timestamps: [7 / 30, 8 / 30, 10 / 30, 11 / 30] });
  const file = tmpFile('grid.mp4');
  fs.writeFileSync(file, await enc.close());
  assertTimes(ptsTimes(file), [0, 1, 5, 6, 7, 8, 10, 11].map((k) => k / 30), 1e-5, 'grid');
  assertPictures(file, input, 'grid');
});

test('frames without timestamps continue at the nominal rate from the last one given', async () => {
  // milliseconds at 30 fps: 250 ms, then k / 30 s later, rounded once per frame (no drift over 31 frames)
  const input = distinctFrames(34);
  const enc = new Encoder();
  const video = enc.addVideo({ width: W, height: H, frameRate: 30, timeBase: [1, 1000] });
  enc.openMemory({ format: 'mp4' });
  await video.addFrames(input.subarray(0, 2 * FRAME), { layout: 'rgb24', timestamps: [0, 0.25] });
  await video.addFrames(input.subarray(2 * FRAME, 3 * FRAME), { layout: 'rgb24' });
  await video.addFrames(input.subarray(3 * FRAME, 33 * FRAME), { layout: 'rgb24' });
  // given again: later than the last one used
  await video.addFrames(input.subarray(33 * FRAME), { layout: 'rgb24', timestamps: [2] });
  const file = tmpFile('continue.mp4');
  fs.writeFileSync(file, await enc.close());
  const expected = [0, 0.25, ...Array.from({ length: 31 }, (_, k) => Math.round(250 + ((k + 1) * 1000) / 30) / 1000), 2];
  assert.equal(expected[32], 1.283);
  assertTimes(ptsTimes(file), expected, 1e-6, 'timeBase 1/1000');
  assertPictures(file, input, 'timeBase 1/1000');

  // the default time base: the next places on the grid
  const enc2 = new Encoder();
  const v2 = enc2.addVideo({ width: W, height: H, frameRate: 25 });
  enc2.openMemory({ format: 'mkv' });
  await v2.addFrames(input.subarray(0, 2 * FRAME), { layout: 'rgb24', timestamps: [0.2, 0.4] });
  await v2.addFrames(input.subarray(2 * FRAME, 5 * FRAME), { layout: 'rgb24' });
  const file2 = tmpFile('continue.mkv');
  fs.writeFileSync(file2, await enc2.close());
  assertTimes(ptsTimes(file2), [0.2, 0.4, 0.44, 0.48, 0.52], 0.001, 'default time base');
});

test('one picture (ImageData): options.timestamp / keyFrame', async () => {
  const times = [0, 0.1, 0.15, 0.9, 1, 1.5];
  const input = distinctFrames(times.length);
  const enc = new Encoder();
  const video = enc.addVideo({ width: W, height: H, frameRate: 30, timeBase: [1, 1000], gopSize: 1000 });
  enc.openMemory({ format: 'mkv' });
  for (const [i, timestamp] of times.entries()) {
    const data = new Uint8ClampedArray(toLayout(input.subarray(i * FRAME, (i + 1) * FRAME), W, H, 'rgba'));
    await video.addFrames({ data, width: W, height: H }, { timestamp, keyFrame: i === 3 });
  }
  await assert.rejects(video.addFrames(input.subarray(0, 2 * FRAME), { layout: 'rgb24', timestamp: 2 }),
    (e) => e.code === 'POLYENC_ERR_ARGUMENT' && /timestamp \/ keyFrame are for one frame, got 2/.test(e.message));
  await assert.rejects(video.addFrames(input.subarray(0, FRAME), { layout: 'rgb24', timestamp: 2, timestamps: [2] }), TypeError);
  const file = tmpFile('single.mkv');
  fs.writeFileSync(file, await enc.close());
  const frames = framesOf(file);
  assertTimes(frames.map((f) => Number(f.pts_time)), times, 0.001, 'one picture at a time');
  assert.deepEqual(frames.flatMap((f, i) => (f.key_frame === 1 ? [i] : [])), [0, 3], 'key frames');
  assertPictures(file, input, 'one picture at a time');
});

// Decodes the audio on the file's timeline: silence from 0 to the stream's first sample.
function audioTimeline(file) {
  const b = run('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:a:0', '-af', 'aresample=async=1:first_pts=0', '-f', 'f32le', '-acodec', 'pcm_f32le', '-']);
  return new Float32Array(b.buffer, b.byteOffset, b.length / 4);
}

test('addAudio startTime: the first sample at 1.000 s in mp4 and mkv, after a video from 0', async () => {
  for (const format of ['mp4', 'mkv']) {
    const enc = new Encoder();
    const video = enc.addVideo({ width: W, height: H, frameRate: 30 });
    const audio = enc.addAudio({ sampleRate: RATE, numChannels: 1, startTime: 1 });
    const file = tmpFile(`start.${format}`);
    enc.openFile(file);
    await video.addFrames(rgbPattern(W, H, 60), { layout: 'rgb24' });
    await audio.addSamples(tone(RATE, 1, RATE / 2));
    await enc.close();
    const info = probe(file);
    assert.deepEqual(info.streams.map((s) => s.codec_type), ['video', 'audio']);
    assert.equal(Number(info.streams[0].start_time), 0, `${format}: the video starts at 0`);
    const first = Number(packetsOf(file, 'a:0')[0].pts_time);
    if (format === 'mp4') {
      // the edit list starts the stream at 1 s and skips the AAC priming
      assert.ok(Math.abs(Number(info.streams[1].start_time) - 1) <= 0.001, `mp4: audio start_time ${info.streams[1].start_time}`);
    } else {
      // Matroska keeps the priming (1024 samples), which plays just before
      assert.ok(Math.abs(first + 1024 / RATE - 1) <= 0.001, `mkv: first audio packet at ${first} s, priming 1024 samples`);
    }
    const pcm = audioTimeline(file);
    let onset = pcm.findIndex((x) => Math.abs(x) > 0.1);
    const before = pcm.subarray(0, RATE - RATE / 100).reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    assert.ok(before < 0.02, `${format}: silence before 0.99 s (peak ${before})`);
    onset /= RATE;
    assert.ok(onset >= 1 && onset <= 1.001, `${format}: the tone starts at ${onset} s`);
  }
});

test('AAC in mp4: the duration of N samples is N / rate, as the ffmpeg CLI writes it', async () => {
  const N = 24123; // not a whole number of 1024-sample frames
  const pcm = tone(RATE, 1, N);
  const ours = tmpFile('aac.mp4');
  const enc = new Encoder();
  const audio = enc.addAudio({ sampleRate: RATE, numChannels: 1 });
  enc.openFile(ours);
  await audio.addSamples(pcm);
  await enc.close();
  const raw = tmpFile('pcm.f32');
  fs.writeFileSync(raw, pcm);
  // the CLI with an exact edit list (its default movie time scale, 1/1000 s, rounds it: 24096 samples)
  const cli = tmpFile('cli.mp4');
  run('ffmpeg', ['-v', 'error', '-f', 'f32le', '-ar', String(RATE), '-ac', '1', '-i', raw, '-c:a', 'aac', '-movie_timescale', String(RATE), cli]);
  const [a, b] = [ours, cli].map((f) => probe(f).streams[0]);
  assert.equal(a.codec_name, 'aac');
  assert.equal(Number(a.start_time), 0, 'the priming is skipped');
  assert.equal(Number(a.duration_ts), N, `the edit list holds ${a.duration_ts} samples, fed ${N}`);
  assert.equal(a.duration_ts, b.duration_ts, `duration in samples: ours ${a.duration_ts}, the ffmpeg CLI's ${b.duration_ts}`);
  const decoded = [ours, cli].map((f) => decodeAudio(f).length);
  assert.ok(decoded[0] >= N && decoded[0] < N + 1024, `decoded ${decoded[0]} samples, fed ${N}`);
  assert.equal(decoded[0], decoded[1], 'as many samples decoded as from the CLI\'s file');
});

test('keyFrames: the chosen frames are key frames (libx264 in mp4, libvpx-vp9 in webm)', async () => {
  const N = 30, chosen = [7, 20];
  const input = rgbPattern(W, H, N);
  for (const [format, codec] of [['mp4', 'libx264'], ['webm', 'libvpx-vp9']]) {
    const keyed = async (opts) => {
      const enc = new Encoder();
      const video = enc.addVideo({ width: W, height: H, frameRate: 30, codec, gopSize: 1000 });
      enc.openMemory({ format });
      await video.addFrames(input.subarray(0, 10 * FRAME), { layout: 'rgb24', ...opts(0, 10) });
      await video.addFrames(input.subarray(10 * FRAME), { layout: 'rgb24', ...opts(10, N) });
      const file = tmpFile(`keys.${format}`);
      fs.writeFileSync(file, await enc.close());
      const frames = framesOf(file);
      assert.equal(frames.length, N, format);
      return { file, keys: frames.flatMap((f, i) => (f.key_frame === 1 ? [i] : [])), frames };
    };
    const plain = await keyed(() => ({}));
    assert.deepEqual(plain.keys, [0], `${codec}: without keyFrames, one key frame (gopSize 1000)`);
    const flags = (from, to) => Array.from({ length: to - from }, (_, i) => chosen.includes(from + i));
    const forced = await keyed((from, to) => ({ keyFrames: from ? Uint8Array.from(flags(from, to)) : flags(from, to) }));
    assert.deepEqual(forced.keys, [0, ...chosen], `${codec}: key frames`);
    for (const i of chosen) assert.equal(forced.frames[i].pict_type, 'I', `${codec}: frame ${i}`);
    // in the container's index too (packet flag K), in presentation order
    const pk = packetsOf(forced.file).sort((p, q) => Number(p.pts) - Number(q.pts));
    assert.deepEqual(pk.flatMap((p, i) => (p.flags.startsWith('K') ? [i] : [])), [0, ...chosen], `${codec}: packets flagged K`);
  }
});

test('bad times: a clear error each, and the stream usable after', async () => {
  const input = distinctFrames(8);
  const frames = (i, n = 1) => input.subarray(i * FRAME, (i + n) * FRAME);
  const enc = new Encoder();
  const video = enc.addVideo({ width: W, height: H, frameRate: 30, timeBase: [1, 1000] });
  enc.openMemory({ format: 'mkv' });
  const argument = (pattern) => (e) => {
    assert.equal(e.code, 'POLYENC_ERR_ARGUMENT', e.message);
    assert.equal(e.status, -1);
    assert.match(e.message, pattern);
    return true;
  };
  await video.addFrames(frames(0, 2), { layout: 'rgb24', timestamps: [0, 0.1] });
  // the C library's checks: strictly increasing within a call and across calls, >= 0
  await assert.rejects(video.addFrames(frames(2, 2), { layout: 'rgb24', timestamps: [0.2, 0.2] }),
    argument(/^pts must increase strictly: pts\[1\] = 200 is not greater than pts\[0\] = 200/));
  await assert.rejects(video.addFrames(frames(2), { layout: 'rgb24', timestamps: [0.1] }),
    argument(/pts\[0\] = 100 is not greater than 100, the last pts of stream 0/));
  // the JS checks: not a finite number, negative, counts
  await assert.rejects(video.addFrames(frames(2, 2), { layout: 'rgb24', timestamps: [0.2, NaN] }), argument(/timestamps\[1\] = NaN/));
  await assert.rejects(video.addFrames(frames(2), { layout: 'rgb24', timestamps: [Infinity] }), argument(/timestamps\[0\] = Infinity/));
  await assert.rejects(video.addFrames(frames(2), { layout: 'rgb24', timestamps: [-0.5] }), argument(/\[0\].*(>= 0|negative)/));
  await assert.rejects(video.addFrames(frames(2, 2), { layout: 'rgb24', timestamps: [0.2] }), argument(/1 timestamps for 2 frames/));
  await assert.rejects(video.addFrames(frames(2, 2), { layout: 'rgb24', keyFrames: [true, false, true] }), argument(/3 keyFrames for 2 frames/));
  await assert.rejects(video.addFrames(frames(2), { layout: 'rgb24', timestamps: '0.2' }), (e) => e instanceof TypeError && /timestamps must be an array/.test(e.message));
  await assert.rejects(video.addFrames(frames(2), { layout: 'rgb24', timestamps: ['0.2'] }), (e) => e instanceof TypeError && /timestamps\[0\] must be a number/.test(e.message));
  // none of those encoded anything: the stream goes on from 0.1 s
  await video.addFrames(frames(2, 2), { layout: 'rgb24', timestamps: [0.2, 0.3], keyFrames: [false, true] });
  await video.addFrames(frames(4, 4), { layout: 'rgb24' });
  const file = tmpFile('bad-times.mkv');
  fs.writeFileSync(file, await enc.close());
  assertTimes(ptsTimes(file), [0, 0.1, 0.2, 0.3, 0.333, 0.367, 0.4, 0.433], 0.001, 'after the errors');
  assertPictures(file, input, 'after the errors');
});

test('bad stream times: timeBase and startTime refused at addVideo / addAudio, the encoder usable after', async () => {
  const enc = new Encoder();
  const refused = (fn, pattern) => assert.throws(fn, (e) => {
    assert.equal(e.code, 'POLYENC_ERR_ARGUMENT', e.message);
    assert.match(e.message, pattern);
    return true;
  });
  refused(() => enc.addVideo({ width: W, height: H, frameRate: 30, timeBase: [0, 1000] }), /time_base_num and time_base_den .* got 0\/1000/);
  refused(() => enc.addVideo({ width: W, height: H, frameRate: 30, timeBase: [1, -1000] }), /time_base.*1\/-1000/);
  assert.throws(() => enc.addVideo({ width: W, height: H, frameRate: 30, timeBase: 1000 }), TypeError);
  assert.throws(() => enc.addVideo({ width: W, height: H, frameRate: 30, timeBase: [1, 1000.5] }), TypeError);
  refused(() => enc.addAudio({ sampleRate: RATE, numChannels: 1, startTime: NaN }), /start_time must be between 0 and 86400 seconds, got nan/);
  refused(() => enc.addAudio({ sampleRate: RATE, numChannels: 1, startTime: -1 }), /start_time .* got -1/);
  assert.throws(() => enc.addAudio({ sampleRate: RATE, numChannels: 1, startTime: '1' }), TypeError);
  // nothing was added: the next streams are 0 and 1
  const video = enc.addVideo({ width: W, height: H, frameRate: 30, timeBase: [1, 1000] });
  const audio = enc.addAudio({ sampleRate: RATE, numChannels: 1, startTime: 0.5 });
  assert.deepEqual([video.index, audio.index], [0, 1]);
  enc.openMemory({ format: 'mp4' });
  await video.addFrames(rgbPattern(W, H, 2), { layout: 'rgb24', timestamps: [0, 0.75] });
  await audio.addSamples(tone(RATE, 1, 4800));
  const info = probe(await enc.close());
  assert.equal(Number(info.streams[0].nb_read_frames), 2);
  assert.ok(Math.abs(Number(info.streams[1].start_time) - 0.5) <= 0.001, `audio start_time ${info.streams[1].start_time}`);
});

test('timestamps / keyFrames in a typed array whose buffer was transferred away: a rejected call with a code, not a throw', async () => {
  const enc = new polyenc.Encoder();
  const v = enc.addVideo({ width: 16, height: 16, frameRate: 10 });
  enc.openMemory({ format: 'mkv' });
  for (const key of ['timestamps', 'keyFrames']) {
    const detached = key === 'timestamps' ? new Float64Array([0]) : new Uint8Array([1]);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    const call = v.addFrames(rgbPattern(16, 16, 1), { layout: 'rgb24', [key]: detached }); // must not throw
    await assert.rejects(call, (e) => {
      assert.equal(e.code, 'POLYENC_ERR_ARGUMENT', e.message);
      assert.match(e.message, new RegExp(key));
      return true;
    });
  }
  await v.addFrames(rgbPattern(16, 16, 1), { layout: 'rgb24' }); // the stream usable after
  assert.equal(Number(probe(await enc.close()).streams[0].nb_read_frames), 1);
});
