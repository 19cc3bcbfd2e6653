// Loading the wasm backend in Node: the single-threaded module synchronously (so that `new Encoder()`
// works without `await init()`), the threaded one (worker_threads) asynchronously. Files are written
// through node:fs (openFile), with seeks: an MP4 gets its index at the end as from the native backend.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { polyencError } from './errors.mjs';
import { WasmBackend } from './wasm-backend.mjs';
import { moduleConfig, threadsOf } from './wasm-config.mjs';

const require = createRequire(import.meta.url);

// openFile's file: write at the position, seek (SEEK_SET 0, SEEK_CUR 1, SEEK_END 2, AVSEEK_SIZE 0x10000).
const files = {
  open(file) {
    let fd;
    try {
      fd = fs.openSync(file, 'w');
    } catch (e) {
      throw polyencError('POLYENC_ERR_IO', `cannot open path '${file}' for writing: ${e.message}`, { cause: e });
    }
    const regular = fs.fstatSync(fd).isFile();
    let pos = 0, size = 0, open = true;
    return {
      write(bytes) {
        let done = 0;
        while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done, pos + done);
        pos += bytes.length;
        size = Math.max(size, pos);
      },
      seek(offset, whence) {
        if (whence === 0x10000) return size;
        pos = (whence === 1 ? pos : whence === 2 ? size : 0) + offset;
        return pos;
      },
      // keep: the encoding succeeded; else a regular file is removed (never a half-written file that looks valid)
      close(keep) {
        if (!open) return;
        open = false;
        fs.closeSync(fd);
        if (!keep && regular) fs.rmSync(file, { force: true });
      },
    };
  },
};

function nodeConfig(variant, dir, options, maxThreads, compiled) {
  return { ...moduleConfig(variant, options, maxThreads, compiled), locateFile: (name) => path.join(dir, name) };
}

function variantOf(options) {
  if (options.variant === 'mt' || options.threads === true) return 'mt';
  return 'st';
}

function backendOf(mod, variant, options, maxThreads, compiled) {
  if (variant === 'mt' && mod.PThread) {
    // the pthread pool must not keep a Node process alive
    for (const w of mod.PThread.unusedWorkers.concat(mod.PThread.runningWorkers)) if (w.unref) w.unref();
  }
  return new WasmBackend(mod, {
    variant, maxThreads, files, compiled, loadOptions: options, maxMemory: options.maximumMemory,
  });
}

/** The single-threaded module, loaded and started before this returns. */
export function loadWasmSync(dir, options = {}) {
  const variant = variantOf(options);
  if (variant !== 'st') throw new Error("the threaded wasm build loads asynchronously: `await init({ variant: 'mt' })`");
  const file = path.join(dir, 'polyenc-st.wasm');
  const compiled = options.module || new WebAssembly.Module(fs.readFileSync(file));
  const config = nodeConfig(variant, dir, options, 1, compiled);
  config.instantiateWasm = (imports, receive) => { // synchronous: the module runs before this returns
    const instance = new WebAssembly.Instance(compiled, imports);
    receive(instance, compiled);
    return instance.exports;
  };
  require(path.join(dir, 'polyenc-st.js'))(config);
  if (!config.calledRun) throw new Error(`${file} did not start synchronously`);
  return backendOf(config, variant, options, 1, compiled);
}

/** Either module, asynchronously (options.variant 'mt': the threaded build on worker_threads). */
export async function loadWasm(dir, options = {}) {
  const variant = variantOf(options);
  if (variant === 'st') return loadWasmSync(dir, options);
  const cpus = os.availableParallelism ? os.availableParallelism() : os.cpus().length;
  const maxThreads = threadsOf(variant, options, cpus);
  const compiled = options.module || (await WebAssembly.compile(fs.readFileSync(path.join(dir, 'polyenc-mt.wasm'))));
  const mod = await require(path.join(dir, 'polyenc-mt.js'))(nodeConfig(variant, dir, options, maxThreads, compiled));
  return backendOf(mod, variant, options, maxThreads, compiled);
}
