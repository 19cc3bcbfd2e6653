// The examples in js/examples/ (whatever *.mjs are there) run on this run's backend and write what they
// say. Each runs as a child process in an empty directory, with POLYENC_BACKEND passed through; its
// arguments come from its own usage line ("node examples/NAME.mjs [out.mp4]", or "--once" for a server).
// Modules the others import (common.mjs) are not examples.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BACKEND, root, probe } from './helpers.mjs';

const dir = path.join(root, 'js', 'examples');
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.mjs')).sort() : [];
const sources = new Map(files.map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
const imported = new Set(files.filter((f) => [...sources.values()].some((s) => s.includes(`from './${f}'`))));
const examples = files.filter((f) => !imported.has(f));

// What each known example must produce, beyond a clean exit and a file ffprobe reads.
const EXPECT = {
  'video-audio.mjs': (info) => assert.deepEqual(info.streams.map((s) => s.codec_name), ['h264', 'aac']),
  'incremental.mjs': (info) => {
    assert.deepEqual(info.streams.map((s) => s.codec_type), ['video', 'audio']);
    assert.equal(Number(info.streams[0].nb_read_frames), 60);
  },
  'multi-stream.mjs': (info) => assert.deepEqual(info.streams.map((s) => s.codec_type), ['video', 'video', 'audio', 'audio']),
  'memory-and-http.mjs': (info, stdout) => {
    assert.match(stdout, /Encoded to memory: \d+ bytes/);
    assert.match(stdout, /Streamed \d+ bytes of fragmented MP4/);
  },
};

// The arguments of a run that ends by itself: '--once' when the usage offers it, else an output file.
function argsOf(source, cwd) {
  const usage = source.split('\n').filter((l) => /^\/\/\s+node \S*examples\/\S+\.mjs/.test(l));
  if (usage.some((l) => l.includes('--once'))) return { args: ['--once'], out: null };
  for (const l of usage) {
    const m = /\[(?:\w+)\.(\w+)\]/.exec(l);
    if (m) {
      const out = path.join(cwd, `out.${m[1]}`);
      return { args: [out], out };
    }
  }
  return { args: [], out: null };
}

if (!examples.length) test('examples', { skip: `no examples in ${dir}` }, () => {});

for (const name of examples) {
  test(`example ${name} runs on the ${BACKEND} backend and writes what it says`, { timeout: 300000 }, () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'polyenc-example-'));
    const { args, out } = argsOf(sources.get(name), cwd);
    const r = spawnSync(process.execPath, [path.join(dir, name), ...args], {
      cwd, encoding: 'utf8', timeout: 240000, env: { ...process.env, POLYENC_BACKEND: BACKEND },
    });
    assert.equal(r.signal, null, `${name} was killed (${r.signal}): ${r.stderr}`);
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    assert.equal(r.stderr, '', `${name} wrote to stderr`);
    let info = null;
    if (out) {
      assert.ok(fs.existsSync(out), `${name} wrote no ${out}`);
      info = probe(out);
      assert.ok(info.streams.length > 0, `${name}: ${out} has no streams`);
      for (const s of info.streams.filter((x) => x.codec_type === 'video')) assert.ok(Number(s.nb_read_frames) > 0);
    }
    if (EXPECT[name]) EXPECT[name](info, r.stdout);
    fs.rmSync(cwd, { recursive: true, force: true });
  });
}
