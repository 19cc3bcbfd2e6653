// Runs tests/js/fuzz-child.mjs in a child process on a backend and turns its end into a test result: a
// counterexample (exit 1) or a crash (a signal, any other exit) fails with the seed, the output and, after
// a crash, the sequence that was running.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fuzz-child.mjs');

export function runFuzzChild(backend, { runs, timeoutMs = 10 * 60000 } = {}) {
  if (process.env.POLYENC_FUZZ_RUNS) timeoutMs = Math.max(timeoutMs, Number(process.env.POLYENC_FUZZ_RUNS) * 3000);
  const seed = Number(process.env.POLYENC_FUZZ_SEED || (Date.now() ^ (Math.random() * 0x7fffffff)) >>> 0);
  const last = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'polyenc-fuzz-')), 'last.json');
  const env = { ...process.env, POLYENC_BACKEND: backend, POLYENC_FUZZ_SEED: String(seed), POLYENC_FUZZ_LAST: last };
  if (!process.env.POLYENC_FUZZ_RUNS && runs) env.POLYENC_FUZZ_RUNS = String(runs);
  const proc = spawn(process.execPath, ['--expose-gc', child], {
    env,
    cwd: path.dirname(last), // a muxer that writes files of its own would write them here, not in the tree
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout.on('data', (d) => (output += d));
  proc.stderr.on('data', (d) => (output += d));
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      const strays = fs.readdirSync(path.dirname(last)).filter((f) => f !== 'last.json');
      let sequence = null;
      try {
        sequence = fs.readFileSync(last, 'utf8');
      } catch {}
      fs.rmSync(path.dirname(last), { recursive: true, force: true });
      let error = null;
      if (code === 1) {
        error = `fuzz ${backend}: a counterexample (seed ${seed}):\n${output.slice(-20000)}`;
      } else if (code !== 0) {
        error =
          `fuzz ${backend}: the process died (${signal || `exit ${code}`}) with seed ${seed}; replay the sequence with\n` +
          `  POLYENC_FUZZ_REPLAY=FILE POLYENC_BACKEND=${backend} node --expose-gc tests/js/fuzz-child.mjs\nwhere FILE holds:\n${sequence}\n` +
          `output:\n${output.slice(-8000)}`;
      } else if (strays.length) {
        error = `fuzz ${backend}: files were written in the working directory: ${strays.join(', ')} (seed ${seed})`;
      }
      resolve({ seed, output, error });
    });
  });
}
