// The emscripten module's settings, the same for the Node and the browser loader (wasm-load-node.mjs,
// wasm-load-browser.mjs), and the encoder threads a build may use.

/** Encoder threads a build may use: 1 for 'st'; for 'mt' options.maxThreads, else the cores, at most 16. */
export function threadsOf(variant, options, cores) {
  return variant === 'mt' ? Math.max(1, Math.min(options.maxThreads || cores, 16)) : 1;
}

/**
 * The emscripten module's settings, the same for every loader: it adds locateFile (and, for 'mt' in a
 * page, mainScriptUrlOrBlob). `compiled` is instantiated asynchronously unless the loader replaces
 * instantiateWasm.
 */
export function moduleConfig(variant, options, maxThreads, compiled) {
  const config = {
    noInitialRun: true,
    print: (s) => console.log(s),
    printErr: (s) => console.warn(s),
    // x264 starts threads + 1 lookahead thread (+ a lookahead pool); two video streams fit
    pthreadPoolSize: options.pthreadPoolSize || 3 * maxThreads + 2,
    instantiateWasm: (imports, receive) => {
      WebAssembly.instantiate(compiled, imports).then((instance) => receive(instance, compiled));
      return {};
    },
  };
  if (options.maximumMemory) {
    const page = 65536;
    const initial = Math.ceil((options.initialMemory || (variant === 'mt' ? 64 : 32) << 20) / page);
    config.wasmMemory = new WebAssembly.Memory({
      initial, maximum: Math.max(initial, Math.floor(options.maximumMemory / page)), shared: variant === 'mt',
    });
  }
  return config;
}
