// What differs between Node and the browser, filled once by the entry (index.node.mjs, index.browser.mjs):
//   backend(what)   the backend to run a new encoder on (it loads or throws a polyenc error naming `what`)
//   resultType      what close() of a memory output gives by default: 'buffer' (Node) or 'blob' (browser)
//   worker(options) the main-thread side of worker mode (browser), or null
//   filePath(p)     a file: URL or a path -> a path string (Node), or null where there are no files
//   notes()         what backendInfo() adds (Node: why the native backend did not load), or null
export const platform = {
  backend: null,
  resultType: 'uint8array',
  worker: null,
  filePath: null,
  notes: null,
};
