'use strict';
// The examples in node/examples run and write what they say.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { tmpFile, probe } = require('./helpers');

const dir = path.join(__dirname, '..', '..', 'node', 'examples');

function example(name, args) {
  const r = spawnSync(process.execPath, [path.join(dir, name), ...args], { encoding: 'utf8', timeout: 120000 });
  assert.equal(r.status, 0, `${name}: ${r.stderr}`);
  return r.stdout;
}

test('examples: video + audio, incremental, multi-stream, memory and HTTP', () => {
  const va = tmpFile('va.mp4');
  example('video-audio.js', [va]);
  assert.deepEqual(probe(va).streams.map((s) => s.codec_name), ['h264', 'aac']);
  const inc = tmpFile('inc.mp4');
  example('incremental.js', [inc]);
  assert.equal(Number(probe(inc).streams[0].nb_read_frames), 60);
  const multi = tmpFile('multi.mkv');
  example('multi-stream.js', [multi]);
  assert.deepEqual(probe(multi).streams.map((s) => s.codec_type), ['video', 'video', 'audio', 'audio']);
  assert.match(example('memory-and-http.js', ['--once']), /Streamed \d+ bytes of fragmented MP4/);
});
