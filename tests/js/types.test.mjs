// js/index.d.ts, the one declaration file of both entries, type-checks a Node program and a browser program
// that use the whole API (tsc --strict from js/node_modules/typescript), rejects wrong usage (their
// @ts-expect-error lines), and declares what the Node entry exports at run time.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { root, entry } from './helpers.mjs';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const tsc = path.join(root, 'js', 'node_modules', 'typescript', 'bin', 'tsc');
const dts = path.join(root, 'js', 'index.d.ts');
const skip = !fs.existsSync(tsc) && 'typescript is not installed (npm install in js/)';

// Compiles one fixture with these compiler options, 'polyenc' resolving to js/index.d.ts (through `paths`,
// or, viaPackage, as an installed package: node_modules/polyenc with js/'s package.json's exports). The
// fixture is copied into a temporary ESM package (nodenext takes a file's format from its package.json).
function compile(fixture, compilerOptions, { viaPackage = false, source = null } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'polyenc-types-'));
  const file = path.join(dir, fixture);
  fs.writeFileSync(file, source ?? fs.readFileSync(path.join(fixtures, fixture), 'utf8'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  if (viaPackage) { // what the types need of the package: its package.json and the files it names
    const pkg = path.join(dir, 'node_modules', 'polyenc');
    fs.mkdirSync(pkg, { recursive: true });
    for (const f of ['package.json', 'index.d.ts']) fs.copyFileSync(path.join(root, 'js', f), path.join(pkg, f));
  }
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, target: 'es2022', typeRoots: [path.join(root, 'js', 'node_modules', '@types')],
      ...(viaPackage ? {} : { paths: { polyenc: [dts] } }), ...compilerOptions,
    },
    files: [file],
  }, null, 2));
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(dir, 'tsconfig.json')], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  return { status: r.status, output: (r.stdout + r.stderr).split(file).join(path.join(fixtures, fixture)) };
}

const NODE = { types: ['node'], lib: ['es2022'], module: 'nodenext', moduleResolution: 'nodenext' };
const BROWSER = { types: [], lib: ['es2022', 'dom'], module: 'esnext', moduleResolution: 'bundler' };

test('index.d.ts type-checks a Node program (@types/node, nodenext): Buffer results, files, Node streams, backends', { skip }, () => {
  const r = compile('usage-node.ts', NODE);
  assert.equal(r.status, 0, r.output);
});

test('index.d.ts type-checks a browser program (DOM, no @types/node, bundler): Blob results, pictures, AudioBuffer, workers', { skip }, () => {
  const r = compile('usage-browser.ts', BROWSER);
  assert.equal(r.status, 0, r.output);
});

test("both programs compile against the package as installed (js/package.json's exports name the types)", { skip }, () => {
  for (const [fixture, options] of [['usage-node.ts', NODE], ['usage-browser.ts', BROWSER]]) {
    const r = compile(fixture, options, { viaPackage: true });
    assert.equal(r.status, 0, `${fixture}:\n${r.output}`);
  }
});

test('the @ts-expect-error lines are errors: without them both programs fail to compile', { skip }, () => {
  // each program with its @ts-expect-error comments removed: every one of those lines is then reported
  for (const [fixture, options] of [['usage-node.ts', NODE], ['usage-browser.ts', BROWSER]]) {
    const source = fs.readFileSync(path.join(fixtures, fixture), 'utf8');
    const expected = source.split('\n').filter((l) => l.includes('@ts-expect-error')).length;
    assert.ok(expected >= 3, `${fixture}: ${expected} @ts-expect-error lines`);
    const r = compile(fixture, options, { source: source.replace(/\/\/ @ts-expect-error/g, '// (expected error)') });
    assert.notEqual(r.status, 0, `${fixture} compiles without its @ts-expect-error lines`);
    const errors = r.output.split('\n').filter((l) => /error TS\d+/.test(l));
    assert.equal(errors.length, expected, r.output);
  }
});

test('the runtime exports of the Node entry match the declarations', async () => {
  const mod = await import(entry);
  const src = fs.readFileSync(dts, 'utf8');
  const declared = [...src.matchAll(/^export declare (?:class|function) (\w+)/gm)].map((m) => m[1]).sort();
  const runtime = Object.keys(mod).filter((k) => k !== 'default').sort();
  assert.deepEqual(runtime, declared);
  for (const name of runtime) assert.equal(typeof mod[name], 'function', name);
  // the default export: the object `declare const polyenc` describes
  const members = /declare const polyenc: \{([^}]*)\}/.exec(src)[1];
  const defaults = [...members.matchAll(/(\w+): typeof (\w+);/g)].map((m) => m[1]).sort();
  assert.deepEqual(Object.keys(mod.default).sort(), defaults);
  for (const name of defaults) assert.equal(mod.default[name], mod[name], `default.${name}`);
});
