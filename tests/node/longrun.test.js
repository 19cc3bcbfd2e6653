'use strict';
// The short version of tests/node/longrun.mjs (100,000 frames there): a few thousand frames + audio
// streamed to a discarding Writable; the RSS and the open file descriptors do not grow after the first 1000.
const test = require('node:test');
const assert = require('node:assert/strict');
const { pathToFileURL } = require('node:url');
const path = require('node:path');
const { polyenc } = require('./helpers');

test('a long stream keeps RSS and file descriptors flat', { timeout: 120000 }, async () => {
  const { longRun } = await import(pathToFileURL(path.join(__dirname, 'longrun.mjs')).href);
  const r = await longRun(polyenc, { frames: 4000, checkpoints: [1000, 2000] });
  const first = r.points[0], last = r.points.at(-1);
  assert.equal(r.points.length, 4);
  assert.ok(r.bytes > 100000 && r.writes > 10, `${r.bytes} bytes in ${r.writes} writes`);
  assert.equal(last.fds, first.fds, `open fds: ${JSON.stringify(r.points)}`);
  assert.ok(last.rss - first.rss < 16 * 1048576, `RSS grew by ${last.rss - first.rss} bytes: ${JSON.stringify(r.points)}`);
});
