// Runs an emscripten -sMODULARIZE=1 build under Node, handing it its .wasm
// (Debian's emscripten 3.1.6 glue would fetch() it, which Node 20 refuses).
// usage: node run.js path/to/smoke_st.js ARGS...
'use strict';
const fs = require('fs');
const path = require('path');
const [, , jsFile, ...args] = process.argv;
const js = path.resolve(jsFile);
const factory = require(js);
factory({
  wasmBinary: fs.readFileSync(js.replace(/\.js$/, '.wasm')),
  arguments: args,
}).catch((e) => { console.error(e); process.exit(1); });
