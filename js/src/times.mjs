// Frame times of addFrames: timestamps in seconds become ticks of the stream's time base (addVideo's
// timeBase, else 1/frameRate), key frame flags become bytes. What the seconds cannot say (NaN, the
// count, a place between two frames of the default time base) is checked here; the ticks themselves
// (>= 0, strictly increasing, within the container's clock) are checked by the library.
import { polyencError, typeError, typeName } from './errors.mjs';

const GRID_TOLERANCE = 1e-6; // seconds: a timestamp this close to a frame's place k / frameRate is on it

const present = (v) => v !== undefined && v !== null;
const listLike = (v) => Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView) &&
  !(typeof BigInt64Array === 'function' && (v instanceof BigInt64Array || v instanceof BigUint64Array)));

// The ticks of t seconds in stream's time base, or throws naming what (e.g. 'timestamps[3]').
function ticksOf(t, what, stream) {
  if (typeof t !== 'number') throw typeError(`addFrames: ${what} must be a number of seconds, got ${typeName(t)}`);
  if (!Number.isFinite(t)) throw polyencError('POLYENC_ERR_ARGUMENT', `addFrames: ${what} = ${t}: a timestamp must be a finite number of seconds`);
  const tb = stream._cfg.timeBase;
  const exact = tb ? (t * tb[1]) / tb[0] : t * stream.frameRate;
  const ticks = Math.round(exact);
  if (!Number.isSafeInteger(ticks)) {
    throw polyencError('POLYENC_ERR_ARGUMENT', `addFrames: ${what} = ${t} s is beyond ${Number.MAX_SAFE_INTEGER} ticks of the stream's time base`);
  }
  if (!tb && Math.abs(exact - ticks) / stream.frameRate > GRID_TOLERANCE) {
    throw polyencError('POLYENC_ERR_ARGUMENT',
      `addFrames: ${what} = ${t} s is not a frame's place on the stream's time base (k / ${stream.frameRate} s); ` +
      'for a variable frame rate give the stream a finer one: addVideo({ ..., timeBase: [1, 90000] })');
  }
  return ticks;
}

function listOf(v, what, n) {
  if (!listLike(v)) throw typeError(`addFrames: options.${what} must be an array (one per frame), got ${typeName(v)}`);
  if (v.length !== n) throw polyencError('POLYENC_ERR_ARGUMENT', `addFrames: ${v.length} ${what} for ${n} frames: give one per frame`);
  return v;
}

/**
 * addFrames' options -> { pts: Float64Array | null, keys: Uint8Array | null } for n frames. options.timestamps /
 * keyFrames (one per frame), or for one picture options.timestamp / keyFrame; `ownTimestamp` (seconds, a
 * VideoFrame's) is used when none is given.
 */
export function frameTimes(o, n, stream, ownTimestamp = null) {
  let pts = null, keys = null;
  if (present(o.timestamp) || present(o.keyFrame)) {
    if (present(o.timestamps) || present(o.keyFrames)) throw typeError('addFrames: give timestamp / keyFrame (one picture) or timestamps / keyFrames (arrays), not both');
    if (n !== 1) throw polyencError('POLYENC_ERR_ARGUMENT', `addFrames: timestamp / keyFrame are for one frame, got ${n}; use timestamps / keyFrames`);
  }
  if (present(o.timestamps)) {
    const list = listOf(o.timestamps, 'timestamps', n);
    pts = new Float64Array(n);
    for (let i = 0; i < n; i++) pts[i] = ticksOf(list[i], `timestamps[${i}]`, stream);
  } else if (present(o.timestamp) || present(ownTimestamp)) {
    const own = !present(o.timestamp);
    pts = Float64Array.of(ticksOf(own ? ownTimestamp : o.timestamp, own ? "the VideoFrame's timestamp" : 'timestamp', stream));
  }
  const flag = (v, what) => {
    if (typeof v !== 'boolean' && typeof v !== 'number') throw typeError(`addFrames: ${what} must be a boolean, got ${typeName(v)}`);
    return v ? 1 : 0;
  };
  if (present(o.keyFrames)) {
    const list = listOf(o.keyFrames, 'keyFrames', n);
    keys = new Uint8Array(n);
    for (let i = 0; i < n; i++) keys[i] = flag(list[i], `keyFrames[${i}]`);
  } else if (present(o.keyFrame)) {
    keys = Uint8Array.of(flag(o.keyFrame, 'keyFrame'));
  }
  return { pts, keys };
}

/** addFrames' options with its timestamps / keyFrames arrays copied: they are read when the call's turn comes. */
export function timesNow(options) {
  if (!options || typeof options !== 'object') return options;
  // by index, not by iterator: a typed array whose buffer was transferred away is empty, as a frame array is
  const copy = (v) => (listLike(v) ? Array.prototype.slice.call(v) : v);
  if (!listLike(options.timestamps) && !listLike(options.keyFrames)) return options;
  return { ...options, timestamps: copy(options.timestamps), keyFrames: copy(options.keyFrames) };
}

/** The duration of one frame at the nominal rate, in ticks of the stream's time base (at least 1). */
export function frameTicks(cfg) {
  return cfg.timeBase ? Math.max(1, Math.round(cfg.timeBase[1] / (cfg.timeBase[0] * cfg.frameRate))) : 1;
}

/** Ticks of the stream's time base -> microseconds (WebCodecs' unit). */
export function ticksToMicros(ticks, cfg) {
  return Math.round(cfg.timeBase ? (ticks * cfg.timeBase[0] * 1e6) / cfg.timeBase[1] : (ticks * 1e6) / cfg.frameRate);
}
