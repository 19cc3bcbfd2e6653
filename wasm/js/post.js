// Appended inside the emscripten factory (--post-js): what js/src/wasm-backend.mjs needs from the glue's scope.
// A view of the whole memory, current after any growth (pthreads + growth leaves the views stale).
Module['heapU8'] = function () {
  if (HEAPU8.buffer !== wasmMemory.buffer) updateGlobalBufferAndViews(wasmMemory.buffer);
  return HEAPU8;
};
Module['isAborted'] = function () { return ABORT; };
