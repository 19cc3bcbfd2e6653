#!/usr/bin/env node
'use strict';
// Builds the addon of a checkout with CMake (no download: Node-API headers come from the installed node) and
// places it at node/build/polyenc_node.node, where the JS front door (js/src/native-backend.mjs) finds it.
// The npm package builds its own copy at install time (js/install.cjs).
//
//   node scripts/build.js            configure + build (incremental)
//   POLYENC_SKIP_BUILD=1             do nothing (prebuilt addon via POLYENC_NODE_ADDON)
//   POLYENC_BUILD_TYPE=Debug         build type (default Release)
//   POLYENC_CMAKE_ARGS="-D..."       extra configure arguments
//   CMAKE_BUILD_PARALLEL_LEVEL=N     parallel jobs (default 2)
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

if (process.env.POLYENC_SKIP_BUILD) process.exit(0);

const nodeDir = path.resolve(__dirname, '..');
const repoRoot = path.resolve(nodeDir, '..');
const buildRoot = path.join(nodeDir, 'build');

// From the repository root when the top-level CMakeLists.txt adds node/ (POLYENC_NODE), else node/ on its
// own (it adds the top-level project itself for polyenc_static).
let source = nodeDir;
let binaryDir = path.join(buildRoot, 'cmake-standalone');
try {
  const top = fs.readFileSync(path.join(repoRoot, 'CMakeLists.txt'), 'utf8');
  if (/add_subdirectory\s*\(\s*node\b/.test(top)) {
    source = repoRoot;
    binaryDir = path.join(buildRoot, 'cmake');
  }
} catch {
  // no top-level project: node/ on its own cannot build either; CMake will say so
}

function run(cmd, args) {
  console.log(`[polyenc] ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  if (r.error) {
    console.error(`[polyenc] could not run ${cmd}: ${r.error.message} (CMake >= 3.16 and a C compiler are needed)`);
    process.exit(1);
  }
  if (r.status !== 0) process.exit(r.status || 1);
}

const configure = [
  '-S', source, '-B', binaryDir,
  `-DCMAKE_BUILD_TYPE=${process.env.POLYENC_BUILD_TYPE || 'Release'}`,
  '-DPOLYENC_NODE=ON', '-DPOLYENC_TESTS=OFF',
  ...(process.env.POLYENC_CMAKE_ARGS ? process.env.POLYENC_CMAKE_ARGS.split(/\s+/).filter(Boolean) : []),
];
run('cmake', configure);
run('cmake', ['--build', binaryDir, '--target', 'polyenc_node', '--parallel',
  process.env.CMAKE_BUILD_PARALLEL_LEVEL || '2']);

function find(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isFile() && entry.name === 'polyenc_node.node') return p;
    if (entry.isDirectory() && !entry.name.startsWith('CMakeFiles')) {
      const hit = find(p);
      if (hit) return hit;
    }
  }
  return null;
}
const built = find(binaryDir);
if (!built) {
  console.error(`[polyenc] polyenc_node.node not found under ${binaryDir}`);
  process.exit(1);
}
const dest = path.join(buildRoot, 'polyenc_node.node');
fs.copyFileSync(built, dest + '.tmp');
fs.renameSync(dest + '.tmp', dest); // atomic: a running process keeps its mapping of the old file
console.log(`[polyenc] built ${dest}`);
