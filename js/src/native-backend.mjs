// The native backend (Node): polyenc's C library as a Node-API addon (node/), linked with FFmpeg. Each
// encoder runs on its own thread; the addon takes the flat values js/src/validate.mjs checked.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { FRAME_LAYOUTS, SAMPLE_LAYOUTS } from './validate.mjs';

const require = createRequire(import.meta.url);

/** Where the addon is: POLYENC_NODE_ADDON when set, else the package's own build from source (install.cjs),
 * then its prebuilt for this platform; in a checkout, node/scripts/build.js's. */
export function addonCandidates(packageRoot) {
  if (process.env.POLYENC_NODE_ADDON) return [path.resolve(process.env.POLYENC_NODE_ADDON)]; // that one only
  if (fs.existsSync(path.join(packageRoot, 'native'))) {
    const libc = process.platform === 'linux' ? '-glibc' : ''; // (a glibc build does not load on musl: that says so)
    return [path.join(packageRoot, 'native', 'build', 'polyenc_node.node'),
      path.join(packageRoot, 'prebuilds', `${process.platform}-${process.arch}${libc}`, 'polyenc_node.node')];
  }
  return [path.join(packageRoot, '..', 'node', 'build', 'polyenc_node.node')]; // a checkout: node/scripts/build.js
}

/** The native backend, or throws an Error saying why it cannot load (where it looked, the loader's error). */
export function loadNative(packageRoot) {
  const candidates = addonCandidates(packageRoot);
  const found = candidates.find((f) => fs.existsSync(f));
  if (!found) {
    if (process.env.POLYENC_NODE_ADDON) throw new Error(`POLYENC_NODE_ADDON is ${candidates[0]}, which does not exist`);
    throw new Error('the native addon polyenc_node.node is not built (it is built at install time when a C compiler, ' +
      "CMake and FFmpeg's development packages are present; run `npm rebuild polyenc` after installing them). " +
      `Looked in: ${candidates.join(', ')}`);
  }
  try {
    return new NativeBackend(require(found), found);
  } catch (e) {
    throw new Error(`the native addon ${found} does not load: ${e.message}`, { cause: e });
  }
}

class NativeBackend {
  constructor(binding, file) {
    this.name = 'native';
    this.binding = binding;
    this.file = file;
  }

  info() {
    return { backend: 'native', addon: this.file };
  }

  version() {
    return this.binding.version();
  }

  hasEncoder(codec) {
    return this.binding.hasEncoder(codec);
  }

  cudaDeviceCount() {
    return this.binding.cudaDeviceCount();
  }

  newEncoder() {
    return new NativeEncoder(new this.binding.NativeEncoder());
  }
}

class NativeEncoder {
  constructor(n) {
    this.n = n;
    this.pipelined = true; // a call is queued to the addon's thread; the next may be submitted at once
  }

  addVideo(c) {
    return this.n.addVideo(c);
  }

  addAudio(c) {
    return this.n.addAudio(c);
  }

  openFile(file, format) {
    this.n.openFile(file, format);
  }

  openMemory(format) {
    this.n.openMemory(format);
  }

  // write(chunk) -> undefined (taken) or a promise (the addon's thread waits for it: backpressure)
  openWriter(write, format) {
    this.n.openStream((chunk, done) => {
      const wait = write(chunk);
      if (!wait) return true;
      wait.then(() => done(), (e) => done(e || new Error('write failed')));
      return false;
    }, format);
  }

  // The typed array is referenced, not copied, until the promise settles; pts (Float64Array of ticks) and keys
  // (Uint8Array of flags), each null or n values, are copied at once. width/height: the addon knows its streams'.
  addFrames(index, bytes, layout, n, width, height, pts = null, keys = null) {
    return this.n.addFrames(index, bytes, FRAME_LAYOUTS.indexOf(layout), n, pts, keys);
  }

  addSamples(index, input) {
    return this.n.addSamples(index, input.channels || input.flat, SAMPLE_LAYOUTS.indexOf(input.layout), input.n);
  }

  close() {
    return this.n.close();
  }

  // index -1: the container; value null removes the key. Before open only (C says so otherwise).
  setMetadata(index, key, value) {
    this.n.setMetadata(index, key, value);
  }

  // { frames, samples, packets, bytes, seconds }: the addon's snapshot after its thread's latest call
  stats() {
    return this.n.stats();
  }

  // Resolves once polyenc_abort has run and the encoder is freed; queued calls reject; idempotent.
  abort() {
    return this.n.abort();
  }

  free() {} // the addon frees its encoder when the object is collected
}
