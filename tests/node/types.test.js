'use strict';
// index.d.ts compiles, and describes the API as used (tsc from the devDependency typescript).
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const tsc = path.join(__dirname, '..', '..', 'node', 'node_modules', 'typescript', 'bin', 'tsc');

test('index.d.ts type-checks a program that uses the whole API', { skip: !fs.existsSync(tsc) && 'typescript not installed (npm install in node/)' }, () => {
  const r = spawnSync(process.execPath, [
    tsc, '--noEmit', '--strict', '--target', 'es2020', '--module', 'commonjs', '--moduleResolution', 'node',
    '--esModuleInterop', '--skipLibCheck', path.join(__dirname, 'fixtures', 'usage.ts'),
  ], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('the runtime exports match the declarations', () => {
  const polyenc = require('../../node');
  const dts = fs.readFileSync(path.join(__dirname, '..', '..', 'node', 'index.d.ts'), 'utf8');
  for (const name of Object.keys(polyenc)) {
    if (name === 'default') continue;
    assert.match(dts, new RegExp(`export declare (class|function) ${name}\\b`), `${name} is declared`);
  }
});
