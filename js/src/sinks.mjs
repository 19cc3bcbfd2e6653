// Where an output's bytes go in JS, for every backend: a WHATWG WritableStream or a Node Writable
// (openStream), with backpressure; and what close() gives for a memory output (Blob, Buffer, Uint8Array).
import { polyencError, typeError, typeName } from './errors.mjs';

const closedEarly = () => new Error('openStream: the writable was closed before the encoder finished');

function webTarget(stream) {
  if (stream.locked) throw typeError('openStream: the WritableStream is locked (it already has a writer)');
  let writer;
  try {
    writer = stream.getWriter();
  } catch (cause) {
    throw Object.assign(typeError(`openStream: the WritableStream's getWriter() failed: ${(cause && cause.message) || cause}`), { cause });
  }
  let error = null;
  writer.closed.catch((e) => (error = error || e || closedEarly()));
  return {
    get error() {
      return error;
    },
    // undefined when the chunk was taken at once, else a promise settled when more may be written
    write(chunk) {
      if (error) throw error;
      writer.write(chunk).catch((e) => (error = error || e));
      if (writer.desiredSize === null || writer.desiredSize > 0) return undefined;
      return writer.ready.then(() => {
        if (error) throw error;
      }, (e) => {
        error = error || e;
        throw error;
      });
    },
    end: () => writer.close(),
    abort(err) {
      writer.abort(err).catch(() => {});
    },
    // the stream goes back to its owner (end: false, or an open that failed): unlocked, still open
    release() {
      writer.releaseLock();
    },
  };
}

function nodeTarget(w) {
  let error = null;
  const onError = (e) => (error = error || e);
  w.on('error', onError);
  // a Writable destroyed or ended before the encoder finished takes no more bytes and never drains
  const usable = () => {
    if (!error && (w.destroyed || w.writableEnded)) error = closedEarly();
    if (error) throw error;
  };
  return {
    get error() {
      return error;
    },
    write(chunk) {
      usable();
      let taken;
      try {
        taken = w.write(chunk);
      } catch (e) {
        error = error || e; // a write() that throws: the cause of the POLYENC_ERR_IO that follows
        throw e;
      }
      if (taken) return undefined;
      return new Promise((resolve, reject) => {
        const done = (e) => {
          w.off('drain', done);
          w.off('error', done);
          w.off('close', closed);
          if (e) reject(e);
          else resolve();
        };
        const closed = () => done(error || closedEarly());
        w.on('drain', done);
        w.on('error', done);
        w.on('close', closed);
      });
    },
    async end() {
      usable();
      await new Promise((resolve, reject) => {
        const finished = () => (error ? reject(error) : resolve());
        w.end(finished);
        w.once('error', reject);
      });
      if (error) throw error;
    },
    abort(err) {
      // the listener stays: the 'error' event that destroy() emits is the rejection the caller gets
      if (typeof w.destroy === 'function' && !w.destroyed) w.destroy(err);
    },
    release() {
      w.off('error', onError);
    },
  };
}

/** openStream's writable -> { write(chunk) -> undefined | Promise, end(), abort(err), error }. */
export function streamTarget(writable) {
  if (writable && typeof writable.getWriter === 'function') return webTarget(writable);
  if (writable && typeof writable.write === 'function' && typeof writable.on === 'function' && typeof writable.end === 'function')
    return nodeTarget(writable);
  throw typeError('openStream: expected a WHATWG WritableStream or a Node Writable (fs.createWriteStream, an HTTP ' +
    `response, a socket, ...), got ${typeName(writable)}`);
}

/** Ends (or, after a failure, aborts) an openStream target once the encoder closed; the error to throw. */
export async function finishTarget(target, error, end) {
  if (!error && target.error) {
    const cause = target.error;
    error = polyencError('POLYENC_ERR_IO', `openStream: writing the output failed: ${(cause && cause.message) || cause}`, { cause });
  }
  if (error) {
    if (end) target.abort(error);
    return error;
  }
  if (end) {
    try {
      await target.end();
    } catch (cause) {
      return polyencError('POLYENC_ERR_IO', `openStream: writing the output failed: ${(cause && cause.message) || cause}`, { cause });
    }
  }
  if (target.release) target.release();
  return null;
}

export function mimeType(format, hasVideo) {
  const f = String(format).toLowerCase();
  const av = (v, a) => (hasVideo ? v : a);
  if (['mp4', 'm4v'].includes(f)) return av('video/mp4', 'audio/mp4');
  if (['ipod', 'm4a'].includes(f)) return 'audio/mp4';
  if (['mov', 'qt'].includes(f)) return 'video/quicktime';
  if (f === 'webm') return av('video/webm', 'audio/webm');
  if (['matroska', 'mkv', 'mka'].includes(f)) return av('video/x-matroska', 'audio/x-matroska');
  if (['ogg', 'oga', 'opus'].includes(f)) return 'audio/ogg';
  if (f === 'wav') return 'audio/wav';
  if (f === 'flac') return 'audio/flac';
  if (['adts', 'aac'].includes(f)) return 'audio/aac';
  if (f === 'mp3') return 'audio/mpeg';
  return 'application/octet-stream';
}

/** A memory output's bytes as close() gives them: type 'blob', 'buffer' (Node) or 'uint8array'. */
export function memoryResult(bytes, type, format, hasVideo) {
  if (type === 'blob') return new Blob([bytes], { type: mimeType(format, hasVideo) });
  if (type === 'buffer') return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}
