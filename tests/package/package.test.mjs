// The npm package as a user gets it: scripts/pack.sh writes polyenc-VERSION.tgz, which is installed into an
// empty project outside the repository; then
//   - Node encodes with `import` and `require`, on the native and on the wasm backend, and an install on a
//     machine without CMake or a compiler uses the prebuilt addon (tests/package/bare-machine.sh goes further:
//     a Debian chroot without FFmpeg);
//   - a Vite build of a small page (app/main.js: canvas frames + a tone into an MP4 Blob) runs in Chromium,
//     on a plain page (single-threaded wasm) and a cross-origin-isolated one (threaded), and in worker mode;
//   - the same page built by webpack 5, and by esbuild with the package's plugin (polyenc/esbuild);
//   - the same page served as is, with an import map (app/static.html).
// Every output is checked with ffprobe; the browser also plays it. POLYENC_PACKAGE_TGZ: test that tarball.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../browser/server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const jsModules = path.join(root, 'js', 'node_modules');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'polyenc-package-'));
const app = path.join(work, 'app');
const timings = {};
let tarball = null;

function sh(cmd, args, opts = {}) {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
  return { ...r, ms: Date.now() - t0 };
}

function probe(file) {
  const r = sh('ffprobe', ['-v', 'error', '-count_frames', '-show_streams', '-of', 'json', file]);
  return JSON.parse(r.stdout).streams.map((s) => ({ codec: s.codec_name, frames: Number(s.nb_read_frames) }));
}

test.before(() => {
  const tgz = process.env.POLYENC_PACKAGE_TGZ || sh('bash', [path.join(root, 'scripts', 'pack.sh'), work]).stdout.trim().split('\n').pop();
  tarball = tgz;
  timings.tarballBytes = fs.statSync(tgz).size;
  fs.mkdirSync(app);
  for (const f of fs.readdirSync(path.join(here, 'app'))) fs.copyFileSync(path.join(here, 'app', f), path.join(app, f));
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  const r = sh('npm', ['install', tgz, '--no-audit', '--no-fund', '--foreground-scripts'], { cwd: app });
  timings.installMs = r.ms;
  timings.installLog = (r.stdout + r.stderr).split('\n').filter((l) => l.includes('[polyenc]')).join('\n');
});

test.after(() => {
  console.log(`package: ${JSON.stringify(timings, null, 1)}`);
  if (!process.env.POLYENC_KEEP) fs.rmSync(work, { recursive: true, force: true });
});

const nodeProgram = (kind) => `
${kind === 'esm' ? "import { Encoder, backendInfo } from 'polyenc';" : "const { Encoder, backendInfo } = require('polyenc');"}
(async () => {
  const t0 = performance.now();
  const enc = new Encoder();
  const video = enc.addVideo({ width: 320, height: 240, frameRate: 30 });
  const audio = enc.addAudio({ sampleRate: 48000, numChannels: 2 });
  enc.openFile(process.argv[2]);
  const frame = new Uint8Array(320 * 240 * 3);
  let first = 0;
  for (let i = 0; i < 30; i++) {
    frame.fill(i * 8);
    await video.addFrames(frame, { layout: 'rgb24' });
    if (i === 0) first = performance.now() - t0;
  }
  await audio.addSamples(new Float32Array(2 * 48000).fill(0.1));
  await enc.close();
  console.log(JSON.stringify({ backend: enc.backend, info: backendInfo().backend, firstFrameMs: first }));
})();`;

for (const backend of ['native', 'wasm']) {
  for (const kind of ['esm', 'cjs']) {
    test(`Node, ${kind === 'esm' ? 'import' : 'require'}, ${backend} backend: an MP4 file`, () => {
      const file = path.join(app, `t-${kind}.${kind === 'esm' ? 'mjs' : 'cjs'}`);
      fs.writeFileSync(file, nodeProgram(kind));
      const out = path.join(app, `node-${backend}-${kind}.mp4`);
      const r = sh(process.execPath, [file, out], { cwd: app, env: { ...process.env, POLYENC_BACKEND: backend } });
      const res = JSON.parse(r.stdout.trim().split('\n').pop());
      assert.equal(res.backend, backend);
      assert.equal(res.info, backend);
      timings[`node-${backend}-${kind}`] = { processMs: r.ms, firstFrameMs: Math.round(res.firstFrameMs) };
      assert.deepEqual(probe(out), [{ codec: 'h264', frames: 30 }, { codec: 'aac', frames: Math.ceil(48000 / 1024) }]);
    });
  }
}

test('Node: POLYENC_BACKEND=native where the addon cannot load is a clear error', () => {
  const file = path.join(app, 'native-missing.mjs');
  fs.writeFileSync(file, "import { Encoder } from 'polyenc';\ntry { new Encoder(); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }");
  const r = sh(process.execPath, [file], { cwd: app, env: { ...process.env, POLYENC_BACKEND: 'native', POLYENC_NODE_ADDON: '/nonexistent/polyenc_node.node' } });
  const e = JSON.parse(r.stdout);
  assert.equal(e.code, 'POLYENC_ERR_UNSUPPORTED');
  assert.match(e.message, /native backend was asked for/);
  assert.match(e.message, /POLYENC_NODE_ADDON is \/nonexistent\/polyenc_node.node, which does not exist/);
});

test('an install on a machine without CMake or a compiler uses the prebuilt addon; without it, the wasm backend runs', () => {
  // PATH with node, npm and sh only: no cmake, cc or pkg-config
  const bin = fs.mkdtempSync(path.join(work, 'bin-'));
  const npmCli = fs.realpathSync(spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim());
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  fs.symlinkSync(npmCli, path.join(bin, 'npm'));
  fs.symlinkSync('/bin/sh', path.join(bin, 'sh'));
  const env = { ...process.env, PATH: bin };
  for (const fromSource of [false, true]) {
    const bare = path.join(work, fromSource ? 'bare-source' : 'bare');
    fs.mkdirSync(bare);
    fs.writeFileSync(path.join(bare, 'package.json'), JSON.stringify({ name: 'bare', private: true }));
    const installEnv = fromSource ? { ...env, POLYENC_BUILD_FROM_SOURCE: '1' } : env;
    const r = sh('npm', ['install', tarball, '--no-audit', '--no-fund', '--foreground-scripts'], { cwd: bare, env: installEnv });
    timings[fromSource ? 'installFromSourceNoCompilerMs' : 'installNoCompilerMs'] = r.ms;
    assert.match(r.stdout + r.stderr, fromSource
      ? /native addon not built, this machine lacks cmake, a C compiler \(cc\), pkg-config/
      : /native backend: the prebuilt addon prebuilds\/linux-x64-glibc\/polyenc_node.node \(FFmpeg bundled\)/);
    fs.writeFileSync(path.join(bare, 't.cjs'), nodeProgram('cjs'));
    // the prebuilt runs either way; where no addon loads (here: POLYENC_NODE_ADDON names none), the wasm backend does
    for (const [addonEnv, backend] of [[{}, 'native'], [{ POLYENC_NODE_ADDON: path.join(bare, 'none.node') }, 'wasm']]) {
      const out = path.join(bare, `bare-${backend}.mp4`);
      const run = sh(process.execPath, ['t.cjs', out], { cwd: bare, env: { ...env, ...addonEnv } });
      assert.equal(JSON.parse(run.stdout.trim().split('\n').pop()).backend, backend);
      assert.deepEqual(probe(out), [{ codec: 'h264', frames: 30 }, { codec: 'aac', frames: Math.ceil(48000 / 1024) }]);
    }
  }
});

let browser = null;
const servers = [];
async function chromium() {
  if (!browser) {
    const { chromium: c } = createRequire(path.join(jsModules, 'x.js'))('playwright-core');
    browser = await c.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  }
  return browser;
}
test.after(async () => {
  if (browser) await browser.close();
  for (const s of servers) s.close();
});

async function runPage(dir, page, { isolated = false, worker = false, encoder } = {}) {
  const server = await startServer({ root: dir, isolated });
  servers.push(server);
  const context = await (await chromium()).newContext();
  const tab = await context.newPage();
  const logs = [];
  tab.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  tab.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  try {
    await tab.goto(`http://127.0.0.1:${server.address().port}/${page}`);
    await tab.waitForFunction(() => document.title === 'ready', null, { timeout: 30000 });
    return await tab.evaluate((o) => window.runApp(o), { worker, encoder });
  } catch (e) {
    e.message += `\npage log:\n${logs.join('\n')}`;
    throw e;
  } finally {
    await context.close();
  }
}

function checkPlayed(r, name, { variant }) {
  assert.equal(r.isBlob, true);
  assert.equal(r.type, 'video/mp4');
  assert.equal(r.backend, 'wasm');
  assert.equal(r.variant, variant);
  assert.ok(r.played.currentTime > 0.3 && r.played.width === 320, JSON.stringify(r.played));
  const file = path.join(work, `${name}.mp4`);
  fs.writeFileSync(file, Buffer.from(r.bytes, 'base64'));
  assert.deepEqual(probe(file), [{ codec: 'h264', frames: 45 }, { codec: 'aac', frames: Math.ceil(72000 / 1024) }]);
  timings[name] = { firstFrameMs: Math.round(r.firstFrameMs), totalMs: Math.round(r.totalMs), encoder: r.encoderName };
}

test('Vite: `vite build` of a page importing polyenc emits the wasm files as assets', () => {
  const vite = path.join(jsModules, 'vite', 'bin', 'vite.js');
  const r = sh(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: app });
  timings.viteBuildMs = r.ms;
  const assets = fs.readdirSync(path.join(app, 'dist', 'assets'));
  for (const name of ['polyenc-st.wasm', 'polyenc-mt.wasm', 'polyenc-mt.js']) {
    const [base, ext] = name.split('.');
    assert.ok(assets.some((f) => f.startsWith(`${base}-`) && f.endsWith(`.${ext}`)), `${name} in dist/assets: ${assets.join(' ')}`);
  }
});

const pageHtml = (script) => `<!doctype html><html><head><meta charset="utf-8"><title>loading</title></head><body>${script}</body></html>`;

test('webpack 5: a production build of the same page emits the wasm files and the workers', async () => {
  const out = path.join(app, 'dist-webpack');
  const webpack = createRequire(path.join(jsModules, 'x.js'))('webpack');
  const t0 = Date.now();
  const stats = await new Promise((resolve, reject) => webpack({
    mode: 'production', context: app, entry: './main.js', output: { path: out, clean: true }, performance: { hints: false },
  }, (err, st) => (err ? reject(err) : resolve(st))));
  assert.ok(!stats.hasErrors(), stats.toString('errors-only'));
  timings.webpackBuildMs = Date.now() - t0;
  fs.writeFileSync(path.join(out, 'index.html'), pageHtml('<script src="main.js"></script>'));
  assert.equal(fs.readdirSync(out).filter((f) => f.endsWith('.wasm')).length, 2);
});

test('esbuild: a build with the package\'s plugin (polyenc/esbuild) emits the wasm files and the worker', () => {
  const script = path.join(app, 'build-esbuild.mjs');
  fs.writeFileSync(script, `import esbuild from ${JSON.stringify(path.join(jsModules, 'esbuild', 'lib', 'main.js'))};
import polyenc from 'polyenc/esbuild';
await esbuild.build({ entryPoints: ['main.js'], bundle: true, format: 'esm', minify: true, outdir: 'dist-esbuild', plugins: [polyenc()] });`);
  const r = sh(process.execPath, [script], { cwd: app });
  timings.esbuildBuildMs = r.ms;
  const out = path.join(app, 'dist-esbuild');
  fs.writeFileSync(path.join(out, 'index.html'), pageHtml('<script type="module" src="./main.js"></script>'));
  for (const f of ['polyenc-st.wasm', 'polyenc-mt.wasm', 'polyenc-mt.js', 'polyenc-mt.worker.js', 'polyenc-worker.js'])
    assert.ok(fs.existsSync(path.join(out, f)), f);
});

// `vite dev` serves the package from its pre-bundle cache unless it is excluded: the page then does not find
// the .wasm files, and init() says how to fix it; with the exclusion the README gives, the page works.
async function viteDev(config) {
  fs.writeFileSync(path.join(app, 'vite.dev.config.mjs'), `export default ${JSON.stringify(config)};`);
  fs.rmSync(path.join(app, 'node_modules', '.vite'), { recursive: true, force: true });
  const server = spawn(process.execPath, [path.join(jsModules, 'vite', 'bin', 'vite.js'), '--config', 'vite.dev.config.mjs',
    '--port', '0', '--strictPort', 'false', '--host', '127.0.0.1'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`vite dev did not start:\n${out}`)), 30000);
    server.stdout.on('data', (d) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out.replace(/\x1b\[[0-9;]*m/g, ''));
      if (m) {
        clearTimeout(t);
        resolve(m[1]);
      }
    });
  });
  return { url, stop: () => server.kill() };
}

test('vite dev: with optimizeDeps.exclude the page plays; without, init() names the fix', { timeout: 120000 }, async () => {
  for (const exclude of [true, false]) {
    const dev = await viteDev(exclude ? { optimizeDeps: { exclude: ['polyenc'] } } : {});
    const context = await (await chromium()).newContext();
    try {
      const tab = await context.newPage();
      await tab.goto(`${dev.url}index.html`);
      await tab.waitForFunction(() => document.title === 'ready', null, { timeout: 30000 });
      const r = await tab.evaluate(() => window.runApp({}).then((x) => ({ ok: true, played: x.played, type: x.type }),
        (e) => ({ ok: false, code: e.code, message: e.message })));
      if (exclude) {
        assert.equal(r.ok, true, JSON.stringify(r));
        assert.ok(r.played.currentTime > 0.3);
      } else {
        assert.equal(r.code, 'POLYENC_ERR_IO', JSON.stringify(r));
        assert.match(r.message, /is not WebAssembly .*optimizeDeps: \{ exclude: \['polyenc'\] \}/);
      }
    } finally {
      await context.close();
      dev.stop();
    }
  }
});

for (const [name, dir, page, opts, variant] of [
  ['vite-plain', 'dist', 'index.html', {}, 'st'],
  ['vite-isolated', 'dist', 'index.html', { isolated: true }, 'mt'],
  ['vite-isolated-x264', 'dist', 'index.html', { isolated: true, encoder: 'wasm' }, 'mt'],
  ['vite-worker', 'dist', 'index.html', { worker: true }, 'st'],
  ['webpack-plain', 'dist-webpack', 'index.html', {}, 'st'],
  ['webpack-isolated-worker', 'dist-webpack', 'index.html', { isolated: true, worker: true }, 'mt'],
  ['esbuild-plain', 'dist-esbuild', 'index.html', {}, 'st'],
  ['esbuild-isolated-worker', 'dist-esbuild', 'index.html', { isolated: true, worker: true }, 'mt'],
  ['static-plain', '.', 'static.html', {}, 'st'],
  ['static-isolated', '.', 'static.html', { isolated: true }, 'mt'],
]) {
  test(`Chromium, ${name}: canvas frames + tone -> an MP4 Blob that plays`, { timeout: 120000 }, async () => {
    const r = await runPage(path.join(app, dir), page, opts);
    assert.equal(r.crossOriginIsolated, !!opts.isolated);
    if (opts.encoder === 'wasm') assert.equal(r.encoderName, 'wasm'); // x264 in the (threaded) wasm build
    checkPlayed(r, name, { variant });
  });
}
