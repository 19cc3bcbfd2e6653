// Runs one fuzz sequence (tests/js/fuzz-model.mjs) against the package's API object { Encoder, version,
// hasEncoder, cudaDeviceCount, backendInfo, init }: the Node entry on either backend, or the browser entry
// in a page (this file has no Node imports, the test server serves it to the browser). Returns the list
// of violations.
//
// env: { makeWritable(kind, at), tmpPath(ext), specialPath(p), gc(), timeoutMs }

const ALLOWED_TYPE_CODES = /^ERR_INVALID_ARG_TYPE$|^ERR_OUT_OF_RANGE$|^ERR_INVALID_URL_SCHEME$|^ERR_INVALID_FILE_URL_/;

export class UserError extends Error {
  constructor(message) {
    super(message);
    this.code = 'FUZZ_USER_ERROR'; // thrown by the caller's own getters / writables: passed through as is
  }
}

// null when `e` is an allowed failure, else what is wrong with it.
export function badError(e) {
  if (!(e instanceof Error)) return `not an Error: ${describe(e)}`;
  if (typeof e.code !== 'string') return `${e.name} without a code: ${e.message}`;
  // a trap or an abort of the wasm module: its encoders are lost (never an allowed outcome of a call)
  if (/WebAssembly module stopped/.test(e.message)) return `the wasm module died: ${e.code} ${e.message}`;
  if (e.code === 'FUZZ_USER_ERROR' || e.code.startsWith('POLYENC_ERR_')) {
    if (e.code.startsWith('POLYENC_ERR_') && !/^POLYENC_ERR_(ARGUMENT|STATE|UNSUPPORTED|IO|NOMEM|CODEC)$/.test(e.code))
      return `unknown code ${e.code}: ${e.message}`;
    if (!e.message) return `${e.code} without a message`;
    return null;
  }
  if ((e instanceof TypeError || e instanceof RangeError) && ALLOWED_TYPE_CODES.test(e.code)) return null;
  if (e.name === 'AbortError' && e.code === 'ABORT_ERR') return null; // a call pending when abort() came
  return `${e.name} with code ${e.code}: ${e.message}`;
}

function describe(v) {
  try {
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

const TYPED = {
  Uint8Array, Uint8ClampedArray, Int8Array, Uint16Array, Float32Array, Float64Array, Int32Array, BigInt64Array,
};

// JSON description -> a JS value
export function materialize(d) {
  if (d === undefined) return undefined;
  switch (d.t) {
    case 'undefined': return undefined;
    case 'null': return null;
    case 'num': return d.n;
    case 'special': return Number(d.n === '-0' ? -0 : d.n);
    case 'bool': return d.b;
    case 'str': return d.s;
    case 'raw': return d.x;
    case 'bigint': return 10n;
    case 'symbol': return Symbol('fuzz');
    case 'fn': return () => 1;
    case 'date': return new Date(0);
    case 'regexp': return /x/;
    case 'promise': return Promise.resolve(1);
    case 'arraybuffer': return new ArrayBuffer(768);
    case 'dataview': return new DataView(new ArrayBuffer(768));
    case 'detached': { // a Uint8Array whose buffer was transferred away
      const b = new Uint8Array(768);
      structuredClone(b.buffer, { transfer: [b.buffer] });
      return b;
    }
    case 'shared': return typeof SharedArrayBuffer === 'function' ? new Uint8Array(new SharedArrayBuffer(768)) : new Uint8Array(768);
    case 'resizable': { // a length-tracking view of a resizable buffer
      try {
        return new Uint8Array(new ArrayBuffer(768, { maxByteLength: 4096 }));
      } catch {
        return new Uint8Array(768);
      }
    }
    case 'throwingGetter':
      return Object.defineProperty({}, 'format', { get() { throw new UserError('getter threw'); }, enumerable: true });
    case 'proxy':
      return new Proxy({}, { get() { throw new UserError('proxy get threw'); }, ownKeys() { throw new UserError('proxy keys threw'); } });
    case 'typed': {
      if (d.type === 'Buffer') return typeof Buffer !== 'undefined' ? Buffer.alloc(d.len, 7) : new Uint8Array(d.len);
      return new TYPED[d.type](d.len);
    }
    case 'array': return d.items.map(materialize);
    case 'object': {
      const o = {};
      for (const [k, v] of Object.entries(d.props)) o[k] = materialize(v);
      return o;
    }
    case 'config': {
      const o = {};
      for (const [k, v] of Object.entries(d.r)) if (v !== undefined) o[k] = materialize(v);
      return o;
    }
    default: throw new Error(`fuzz: unknown value description ${describe(d)}`);
  }
}

const okDim = (n) => Number.isInteger(n) && n > 0 && n <= 256;

function frameBytes(layout, h, w) {
  if (layout === 'yuv420p') return h * w + 2 * Math.ceil(h / 2) * Math.ceil(w / 2);
  return h * w * (layout === 'rgba' || layout === 'bgra' ? 4 : 3);
}

function frameData(d, stream) {
  const w = stream.width, h = stream.height;
  if (d.t === 'imageData') {
    const ww = okDim(w) ? w + d.dw : 2, hh = okDim(h) ? h : 2;
    return { data: new Uint8ClampedArray(ww * hh * 4).fill(100), width: ww, height: hh };
  }
  if (d.t !== 'frames') return materialize(d);
  const fb = okDim(w) && okDim(h) ? frameBytes(d.layout || 'rgb-planar', h, w) : 16;
  const len = Math.max(0, d.n * fb + d.extra);
  const buf = new (d.clamped ? Uint8ClampedArray : Uint8Array)(len + d.offset);
  for (let i = 0; i < buf.length; i++) buf[i] = (i * 7) & 255;
  return d.offset ? buf.subarray(d.offset) : buf;
}

function sampleData(d, stream) {
  if (d.t !== 'samples') return materialize(d);
  const c = Number.isInteger(stream.numChannels) && stream.numChannels > 0 && stream.numChannels <= 16 ? stream.numChannels : 1;
  const fill = typeof d.fill === 'string' ? Number(d.fill) : d.fill;
  if (d.perChannel) {
    const chans = [];
    for (let i = 0; i < c + d.extra; i++) chans.push(new Float32Array(d.n).fill(fill));
    return chans;
  }
  return new Float32Array(c * d.n + d.extra).fill(fill);
}

// Runs `seq`; returns { violations: string[], steps: string[] }.
export async function runSequence(api, env, seq) {
  const violations = [];
  const steps = [];
  const encoders = [];
  const streams = [];
  const pending = new Set();
  let enc = null;
  const timeoutMs = env.timeoutMs || 20000;

  const stats = env.stats || null; // op -> { ok, codes }: what the sequences reached
  const count = (label, what) => {
    if (!stats) return;
    const op = label.replace(/^#\d+ /, '');
    const o = (stats[op] = stats[op] || {});
    o[what] = (o[what] || 0) + 1;
  };
  const check = (label, e) => {
    count(label, (e && e.code) || 'nocode');
    const bad = badError(e);
    if (bad) violations.push(`${label}: ${bad}`);
  };
  // settles within the time limit, or records a hang
  const bounded = async (label, p) => {
    let timer;
    const hang = new Promise((resolve) => (timer = setTimeout(() => resolve('hang'), timeoutMs)));
    const r = await Promise.race([p.then(() => 'done', () => 'done'), hang]);
    clearTimeout(timer);
    if (r === 'hang') violations.push(`${label}: no answer within ${timeoutMs} ms (hang)`);
    return r;
  };
  const track = (label, p, wait) => {
    if (!p || typeof p.then !== 'function') {
      violations.push(`${label}: expected a promise, got ${describe(p)}`);
      return undefined;
    }
    const watched = p.then((v) => count(label, 'ok'), (e) => check(label, e));
    if (wait) return bounded(label, watched);
    const entry = { label, p: watched };
    pending.add(entry);
    watched.finally(() => pending.delete(entry));
    return undefined;
  };
  const newEncoder = (arg) => {
    try {
      enc = arg === undefined ? new api.Encoder() : new api.Encoder(materialize(arg));
      encoders.push(enc);
    } catch (e) {
      check('new Encoder', e);
    }
  };
  newEncoder(undefined);

  for (let i = 0; i < seq.length; i++) {
    const c = seq[i];
    const label = `#${i} ${c.op}`;
    steps.push(label);
    if (!enc && c.op !== 'newEncoder' && c.op !== 'module' && c.op !== 'gc' && c.op !== 'settle') continue;
    try {
      switch (c.op) {
        case 'newEncoder': newEncoder(c.a); break;
        case 'addVideo': streams.push(enc.addVideo(materialize(c.a))); break;
        case 'addAudio': streams.push(enc.addAudio(materialize(c.a))); break;
        case 'openMemory': enc.openMemory(materialize(c.a)); break;
        case 'openFile': {
          const p = c.path.t === 'tmpPath' ? env.tmpPath(c.path.ext) : c.path.t === 'specialPath' ? env.specialPath(c.path.p) : materialize(c.path);
          if (c.a === undefined) enc.openFile(p);
          else enc.openFile(p, materialize(c.a));
          break;
        }
        case 'openStream': {
          const w = c.w.t === 'writable' ? env.makeWritable(c.w.kind, c.w.at) : materialize(c.w);
          enc.openStream(w, materialize(c.a));
          break;
        }
        case 'addFrames': {
          const vs = streams.filter((s) => typeof s.addFrames === 'function');
          if (!vs.length) break;
          const s = vs[c.s % vs.length];
          const data = frameData(c.d, s);
          let o = c.a;
          if (o && o.t === 'match') { // the layout the data was made in
            o = { t: 'raw', x: { layout: c.d.layout } };
            if (c.a.numFrames !== undefined) o.x.numFrames = c.a.numFrames;
          }
          await track(label, o === undefined ? s.addFrames(data) : s.addFrames(data, materialize(o)), c.wait);
          break;
        }
        case 'addSamples': {
          const as = streams.filter((s) => typeof s.addSamples === 'function');
          if (!as.length) break;
          const s = as[c.s % as.length];
          const data = sampleData(c.d, s);
          await track(label, c.a === undefined ? s.addSamples(data) : s.addSamples(data, materialize(c.a)), c.wait);
          break;
        }
        case 'close': {
          const e = enc;
          const p = e.close();
          await track(label, p, c.wait);
          if (e.close() !== p) violations.push(`${label}: a second close() returned another promise`);
          break;
        }
        case 'settle':
          await Promise.all([...pending].map((x) => bounded(x.label, x.p)));
          break;
        case 'gc': if (env.gc) env.gc(); break;
        case 'module': {
          const fn = api[c.fn];
          if (typeof fn !== 'function') break;
          const r = ['version', 'cudaDeviceCount', 'backendInfo'].includes(c.fn) ? fn() : fn(materialize(c.a));
          if (r && typeof r.then === 'function') await track(label, r, true);
          break;
        }
        case 'setMetadata': enc.setMetadata(materialize(c.a)); break;
        case 'stats': {
          const st = enc.stats;
          const keys = ['frames', 'samples', 'packets', 'bytes', 'seconds'];
          if (!st || keys.some((k) => typeof st[k] !== 'number' || !(st[k] >= 0)))
            violations.push(`${label}: stats ${describe(st)}, expected { ${keys.join(', ')} } of numbers >= 0`);
          break;
        }
        case 'abort': {
          const e = enc;
          const p = e.abort(c.reason);
          await track(label, p, c.wait);
          if (e.abort() !== p) violations.push(`${label}: a second abort() returned another promise`);
          break;
        }
        case 'props': {
          if (!streams.length) break;
          const s = streams[c.s % streams.length];
          for (const k of ['index', 'width', 'height', 'frameRate', 'encoderName', 'sampleRate', 'numChannels']) void s[k];
          break;
        }
        default: throw new Error(`fuzz: unknown command ${c.op}`);
      }
      if (!['addFrames', 'addSamples', 'close', 'abort'].includes(c.op)) count(label, 'ok');
    } catch (e) {
      if (['addFrames', 'addSamples', 'close', 'abort'].includes(c.op)) violations.push(`${label}: threw instead of rejecting: ${e && e.message}`);
      check(label, e);
    }
  }

  // every promise settles, and every encoder closes (or says why not) in bounded time
  await Promise.all([...pending].map((x) => bounded(x.label, x.p)));
  for (const [k, e] of encoders.entries()) {
    let p;
    try {
      p = e.close();
    } catch (err) {
      check(`final close of encoder ${k}`, err);
      continue;
    }
    await bounded(`final close of encoder ${k}`, p.then(() => {}, (err) => check(`final close of encoder ${k}`, err)));
  }
  return { violations, steps };
}

// A small valid encode (16x16, 4 frames, h264 in mp4, to memory): the bytes, for ffprobe.
export async function sanityEncode(api) {
  const enc = new api.Encoder();
  const v = enc.addVideo({ width: 16, height: 16, frameRate: 10, codec: 'h264', preset: 'ultrafast' });
  enc.openMemory({ format: 'mp4' });
  const frame = new Uint8Array(16 * 16 * 3 * 4);
  for (let i = 0; i < frame.length; i++) frame[i] = (i * 13) & 255;
  await v.addFrames(frame, { layout: 'rgb24' });
  const out = await enc.close();
  if (out instanceof Uint8Array) return out;
  if (out && typeof out.arrayBuffer === 'function') return new Uint8Array(await out.arrayBuffer()); // a Blob
  throw new Error(`sanity encode: close() resolved to ${describe(out)}`);
}
