// Control of a running encoder, the same in direct and worker mode: abort (enc.abort(), an AbortSignal)
// and progress reports (onProgress, at most one per PROGRESS_INTERVAL ms).
import { polyencError, typeError, typeName } from './errors.mjs';

export const PROGRESS_INTERVAL = 100; // ms

const own = (err, key, value) => Object.defineProperty(err, key, { value, writable: true, configurable: true, enumerable: true });

/**
 * The error pending calls reject with once the encoder is aborted: as fetch's, a DOMException named
 * 'AbortError' (it keeps its name across a worker's boundary), code 'ABORT_ERR', cause the reason.
 */
export function abortError(reason) {
  const why = reason instanceof Error ? `: ${reason.message}` : reason !== undefined ? `: ${String(reason)}` : '';
  const message = `the encoder was aborted${why}`;
  const err = typeof DOMException === 'function' ? new DOMException(message, 'AbortError') : own(new Error(message), 'name', 'AbortError');
  own(err, 'code', 'ABORT_ERR');
  if (reason !== undefined) own(err, 'cause', reason);
  return err;
}

/** The error of a call made after abort. */
export const abortedState = (what) => polyencError('POLYENC_ERR_STATE', `${what}: the encoder was aborted (abort() was called)`);

/** Checks new Encoder()'s signal and onProgress options. */
export function controlOptions(o) {
  const { signal, onProgress } = o;
  if (signal !== undefined && signal !== null &&
      (typeof signal !== 'object' || typeof signal.aborted !== 'boolean' || typeof signal.addEventListener !== 'function'))
    throw typeError(`Encoder: options.signal must be an AbortSignal, got ${typeName(signal)}`);
  if (onProgress !== undefined && onProgress !== null && typeof onProgress !== 'function')
    throw typeError(`Encoder: options.onProgress must be a function, got ${typeName(onProgress)}`);
  return { signal: signal || null, onProgress: onProgress || null };
}

/** Calls abort(signal.reason) when signal aborts (at once when it already has). */
export function watchSignal(signal, abort) {
  if (!signal) return;
  if (signal.aborted) abort(signal.reason);
  else signal.addEventListener('abort', () => abort(signal.reason), { once: true });
}

/**
 * Progress reports: report() calls enc.onprogress(stats()) unless one was made less than PROGRESS_INTERVAL
 * ms ago. An exception of the callback is rethrown outside the encoder's calls (as an event listener's).
 */
export class Progress {
  constructor() {
    this.last = -Infinity;
  }

  report(enc, stats) {
    const fn = enc.onprogress;
    if (typeof fn !== 'function') return;
    const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());
    if (now() - this.last < PROGRESS_INTERVAL) return;
    const s = stats();
    this.last = now(); // the interval runs between the callback's calls, whatever stats() took
    try {
      fn.call(enc, s);
    } catch (e) {
      setTimeout(() => {
        throw e;
      });
    }
  }
}

/**
 * A promise that rejects with the abort error once abort() is called, to race pending calls against
 * (handled: it never causes an unhandled rejection itself).
 */
export function abortGate() {
  let reject;
  const promise = new Promise((_, r) => (reject = r));
  promise.catch(() => {});
  return { promise, reject };
}
