// A small static file server for the browser tests and the demo, bound to 127.0.0.1.
//   node tests/browser/server.mjs [--port 8080] [--isolated] [--root DIR]
// --isolated adds the COOP/COEP headers that make a page crossOriginIsolated (SharedArrayBuffer:
// the threaded build). Serves the repository root: the package's browser entry /js/src/index.browser.mjs,
// its wasm files /js/wasm/, the tests' pages /tests/browser/ and the demo /wasm/js/demo.html.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.json': 'application/json', '.png': 'image/png', '.css': 'text/css',
  '.mp4': 'video/mp4', '.webm': 'video/webm',
};

export function startServer({ root, port = 0, isolated = false } = {}) {
  root = path.resolve(root || path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..'));
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    let file = path.normalize(path.join(root, decodeURIComponent(url.pathname)));
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, data) => {
      if (err) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      const headers = { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' };
      if (isolated) {
        headers['cross-origin-opener-policy'] = 'same-origin';
        headers['cross-origin-embedder-policy'] = 'require-corp';
        headers['cross-origin-resource-policy'] = 'same-origin';
      }
      res.writeHead(200, headers).end(data);
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const get = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
  const isolated = args.includes('--isolated') || args.includes('--demo');
  const server = await startServer({ root: get('--root'), port: Number(get('--port', 8080)), isolated });
  const { port } = server.address();
  console.log(`serving on http://127.0.0.1:${port}/ ${isolated ? '(COOP/COEP: threaded build)' : ''}`);
  console.log(`demo: http://127.0.0.1:${port}/wasm/js/demo.html`);
}
