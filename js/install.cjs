'use strict';
// `npm install polyenc` runs this. On linux-x64 (glibc) the package carries a prebuilt native backend (the
// Node-API addon with FFmpeg, x264, libopus and libvpx linked in, needing only libc): it is checked to load,
// and nothing is compiled. Elsewhere, or when the prebuilt does not load here, it builds the addon when this
// machine can (CMake, a C compiler, pkg-config and FFmpeg's development packages), into
// native/build/polyenc_node.node. When it cannot, it says why in one line and the install succeeds: the
// WebAssembly backend runs instead. It downloads nothing.
//   POLYENC_BACKEND=wasm or POLYENC_SKIP_BUILD=1   skip the build
//   POLYENC_BUILD_FROM_SOURCE=1                     build against this machine's FFmpeg even where a prebuilt loads
//   POLYENC_CMAKE_ARGS="-D..."                      extra CMake arguments; CMAKE_BUILD_PARALLEL_LEVEL: jobs
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const here = __dirname;
const sources = path.join(here, 'native');
const out = path.join(sources, 'build');
const addon = path.join(out, 'polyenc_node.node');
const say = (msg) => console.log(`[polyenc] ${msg}`);

/** The prebuilt addon for this platform (prebuilds/<platform>-<arch>-<libc>/), or null. */
function prebuilt() {
  const glibc = process.platform === 'linux' && process.report?.getReport().header.glibcVersionRuntime;
  if (!glibc) return null;
  const file = path.join(here, 'prebuilds', `linux-${process.arch}-glibc`, 'polyenc_node.node');
  return fs.existsSync(file) ? file : null;
}

/** Why `file` does not load in this node, or null when it does. */
function loadError(file) {
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(file)})`], { encoding: 'utf8' });
  return r.status === 0 ? null : (r.stderr.trim().split('\n').find((l) => /Error/.test(l)) || r.stderr.trim().split('\n')[0]);
}

function has(cmd, args = ['--version']) {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

function missing() {
  const list = [];
  if (!has('cmake')) list.push('cmake');
  if (!has(process.env.CC || 'cc')) list.push('a C compiler (cc)');
  if (!has('pkg-config')) list.push('pkg-config');
  else if (!has('pkg-config', ['--exists', 'libavformat', 'libavcodec', 'libavutil', 'libswscale', 'libswresample']))
    list.push("FFmpeg's development packages (libavformat-dev libavcodec-dev libswscale-dev libswresample-dev)");
  return list;
}

function napiHeaders() {
  try {
    return path.join(path.dirname(require.resolve('node-api-headers/package.json')), 'include');
  } catch {
    return null; // node's own include directory, found by CMake
  }
}

function build() {
  const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'polyenc-addon-'));
  try {
    const headers = napiHeaders();
    const configure = ['-S', sources, '-B', tree, '-DCMAKE_BUILD_TYPE=Release', '-DPOLYENC_NODE=ON', '-DPOLYENC_TESTS=OFF',
      ...(headers ? [`-DNODE_API_HEADERS_DIR=${headers}`] : []),
      ...(process.env.POLYENC_CMAKE_ARGS || '').split(/\s+/).filter(Boolean)];
    const jobs = process.env.CMAKE_BUILD_PARALLEL_LEVEL || String(Math.min(os.cpus().length, 8));
    for (const args of [configure, ['--build', tree, '--target', 'polyenc_node', '--parallel', jobs]]) {
      const r = spawnSync('cmake', args, { encoding: 'utf8' });
      if (r.status !== 0) return `cmake ${args[0]} ${args[1]} failed:\n${(r.stdout + r.stderr).split('\n').slice(-15).join('\n')}`;
    }
    fs.mkdirSync(out, { recursive: true });
    fs.copyFileSync(path.join(tree, 'node', 'polyenc_node.node'), addon);
  } finally {
    fs.rmSync(tree, { recursive: true, force: true });
  }
  // it must load in this node, else it would only fail later
  const why = loadError(addon);
  if (why) {
    fs.rmSync(addon, { force: true });
    return `the built addon does not load: ${why}`;
  }
  return null;
}

function main() {
  if (!fs.existsSync(path.join(sources, 'CMakeLists.txt'))) return; // a checkout: node/scripts/build.js builds it
  if (process.env.POLYENC_BACKEND === 'wasm' || process.env.POLYENC_SKIP_BUILD) return say('native addon not built (asked): the WebAssembly backend runs');
  const pre = prebuilt();
  if (pre && !process.env.POLYENC_BUILD_FROM_SOURCE) {
    const why = loadError(pre);
    if (!why) return say(`native backend: the prebuilt addon ${path.relative(here, pre)} (FFmpeg bundled)`);
    say(`the prebuilt addon does not load here (${why}); building from source`);
  }
  const lacking = missing();
  if (lacking.length) {
    say(`native addon not built, this machine lacks ${lacking.join(', ')}: the WebAssembly backend runs. ` +
      'To use the native one, install them and run `npm rebuild polyenc`.');
    return;
  }
  const t0 = Date.now();
  const why = build();
  if (why) say(`native addon not built: ${why}\n[polyenc] the WebAssembly backend runs.`);
  else say(`native addon built in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${addon}`);
}

try {
  main();
} catch (e) {
  say(`native addon not built: ${e.message}; the WebAssembly backend runs.`);
}
