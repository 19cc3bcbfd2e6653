// An esbuild plugin for apps that bundle polyenc for the browser (esbuild has no asset handling for
// `new URL('./file', import.meta.url)`, which Vite and webpack 5 follow on their own):
//
//   import polyenc from 'polyenc/esbuild';
//   await esbuild.build({ entryPoints: ['app.js'], bundle: true, format: 'esm', outdir: 'dist', plugins: [polyenc()] });
//
// Each file the package's browser sources point at (the .wasm files, the threaded build's scripts) is
// copied next to the bundle, and the worker of worker mode is bundled there as polyenc-worker.js.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = path.dirname(fileURLToPath(import.meta.url)); // this package's sources
const URL_PATTERN = /new URL\((['"])([^'"]+)\1, import\.meta\.url\)/g;

export default function polyencPlugin({ worker = true } = {}) {
  return {
    name: 'polyenc',
    setup(build) {
      const o = build.initialOptions;
      const outdir = o.outdir || (o.outfile && path.dirname(o.outfile));
      if (!outdir) throw new Error('polyenc/esbuild: set outdir (or outfile): the wasm files go next to the bundle');
      build.onLoad({ filter: /\.mjs$/ }, async (args) => {
        if (path.dirname(args.path) !== SRC) return undefined;
        const dir = SRC;
        const code = await fs.readFile(args.path, 'utf8');
        const jobs = [];
        const out = code.replace(URL_PATTERN, (match, quote, rel) => {
          const file = path.resolve(dir, rel);
          let name = path.basename(file);
          if (name === 'worker.mjs') {
            name = 'polyenc-worker.js';
            // the worker's own bundle refers to itself (worker-proxy.mjs is in it): built once, by the page's build
            if (worker) jobs.push(build.esbuild.build({ entryPoints: [file], bundle: true, format: 'esm', outfile: path.join(outdir, name),
              minify: o.minify, plugins: [polyencPlugin({ worker: false })], logLevel: 'warning' }));
          } else {
            jobs.push(fs.mkdir(outdir, { recursive: true }).then(() => fs.copyFile(file, path.join(outdir, name))));
          }
          return `new URL('./${name}', import.meta.url)`;
        });
        await Promise.all(jobs);
        return { contents: out, loader: 'js', resolveDir: dir };
      });
    },
  };
}
