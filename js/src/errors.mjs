// The errors polyenc throws, the same in Node and in the browser, whatever the backend:
//   - a wrong JS type: TypeError, code 'ERR_INVALID_ARG_TYPE'; an integer out of range: RangeError,
//     code 'ERR_OUT_OF_RANGE' (Node's own codes for these);
//   - anything the library refuses: Error with code = the C status name ('POLYENC_ERR_ARGUMENT', ...)
//     and status = the C status number (-1 ...), the message naming what the caller passed.

export const STATUS = {
  POLYENC_OK: 0, POLYENC_ERR_ARGUMENT: -1, POLYENC_ERR_STATE: -2, POLYENC_ERR_UNSUPPORTED: -3,
  POLYENC_ERR_IO: -4, POLYENC_ERR_NOMEM: -5, POLYENC_ERR_CODEC: -6,
};

export function statusName(status) {
  return Object.keys(STATUS).find((k) => STATUS[k] === status) || 'POLYENC_ERR_CODEC';
}

export function polyencError(code, message, extra) {
  const err = new Error(message || code);
  err.code = code;
  if (code in STATUS) err.status = STATUS[code];
  return Object.assign(err, extra);
}

export function typeError(message) {
  return Object.assign(new TypeError(message), { code: 'ERR_INVALID_ARG_TYPE' });
}

export function rangeError(message) {
  return Object.assign(new RangeError(message), { code: 'ERR_OUT_OF_RANGE' });
}

// How a value is named in messages: 'null', 'Array', 'Float64Array', 'object', 'number', ...
export function typeName(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'Array';
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  if (typeof v === 'object') return v.constructor && v.constructor !== Object ? v.constructor.name : 'object';
  return typeof v;
}

// A value as messages show it: a string quoted, anything else by its type (never its contents: a BigInt,
// a Symbol or an object whose toString throws would fail to print).
export function show(v) {
  return typeof v === 'string' ? `'${v}'` : typeName(v);
}

// An error that crossed a worker boundary (structured clone keeps message and name only) made whole again.
export function revive(e) {
  const Ctor = e.name === 'TypeError' ? TypeError : e.name === 'RangeError' ? RangeError : Error;
  const err = new Ctor(e.message);
  if (e.code !== undefined) err.code = e.code;
  if (e.status !== undefined) err.status = e.status;
  return err;
}

export function serialize(e) {
  return { message: e && e.message ? e.message : String(e), code: e && e.code, status: e && e.status, name: e && e.name };
}
