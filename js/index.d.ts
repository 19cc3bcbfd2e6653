// Type definitions for polyenc, one file for both entries (Node: native addon or wasm; browser: wasm +
// WebCodecs).
//
// One model everywhere: create an Encoder, add streams, open ONE output, feed frames and samples to any
// stream in any order and chunk size, close.

/** Video frame layouts (N frames of height H and width W): 8-bit ones in bytes, deep ones in a Uint16Array / Float32Array. */
export type FrameLayout =
  | 'rgb-planar' // N x 3 x H x W (torch NCHW); the default
  | 'rgb24' //      N x H x W x 3
  | 'rgba' //       N x H x W x 4, alpha kept when the pixel format has alpha (canvas ImageData), else ignored
  | 'bgra' //       N x H x W x 4
  | 'yuv420p' //    N x (Y: H x W, U: ceil(H/2) x ceil(W/2), V: the same), used as is when the codec takes yuv420p
  | DeepFrameLayout;

/** Layouts of more than 8 bits a value, fed at full precision (10 / 12-bit pixel formats): a Uint16Array (native
 * endian, 0..65535) or, 'rgb-planar-f32', a Float32Array in [0, 1] (clamped; a NaN is an error). Counted in values. */
export type DeepFrameLayout =
  | 'rgb48' //          N x H x W x 3 uint16
  | 'rgba64' //         N x H x W x 4 uint16
  | 'rgb-planar16' //   N x 3 x H x W uint16
  | 'rgb-planar-f32'; // N x 3 x H x W float32

/** Audio sample layouts (float32 in [-1, 1]). */
export type SampleLayout =
  | 'planar' //      C x N (the default)
  | 'interleaved'; // N x C (Web Audio / PCM files)

// The platform's own types where the program has them (the DOM in a browser, @types/node in Node), and
// `never` where it does not: one declaration file, true for the Node and the browser entry.
type GlobalClass<K extends string> = typeof globalThis extends Record<K, { prototype: infer T }> ? T : never;
type IsBrowser = typeof globalThis extends { document: unknown } ? true : false;
type NodeBuffer = typeof globalThis extends { Buffer: { from(s: string): infer B } } ? B : Uint8Array;

/** Browser inputs for addFrames: a VideoFrame, a canvas or an ImageBitmap (one frame, of the stream's size). */
export type PictureSource =
  | GlobalClass<'VideoFrame'>
  | GlobalClass<'HTMLCanvasElement'>
  | GlobalClass<'OffscreenCanvas'>
  | GlobalClass<'ImageBitmap'>;

/**
 * Frames: Buffer / Uint8Array / Uint8ClampedArray (numFrames frames in an 8-bit layout), Uint16Array ('rgb48',
 * 'rgba64', 'rgb-planar16'), Float32Array ('rgb-planar-f32'), ImageData (or its shape), or a picture.
 */
export type FrameData = Uint8Array | Uint8ClampedArray | Uint16Array | Float32Array | ImageDataLike | PictureSource;

/** Samples: one Float32Array (C*N values), one Float32Array per channel, or (browser) an AudioBuffer. */
export type SampleData = Float32Array | readonly Float32Array[] | GlobalClass<'AudioBuffer'>;

/** What close() of a memory output resolves to by default: a Blob in the browser, a Buffer in Node. */
export type MemoryOutput = IsBrowser extends true ? GlobalClass<'Blob'> : NodeBuffer;

/** The shape of ImageData, without needing the DOM typings (browser build only). */
export interface ImageDataLike {
  readonly data: Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
}

/** Codec private options and muxer options, routed like the ffmpeg CLI routes them (e.g. { tune: 'film', movflags: '+faststart' }). */
export type EncoderOptions = Record<string, string | number | boolean> | ReadonlyArray<readonly [string, string | number | boolean]>;

export interface VideoStreamOptions {
  /** Required, > 0; even for 4:2:0 pixel formats. */
  width: number;
  height: number;
  /** Required, > 0; 29.97 is stored as 30000/1001. */
  frameRate: number;
  /** Container default when omitted (h264 for mp4/mov/mkv, vp9 for webm, mpeg4 for avi); a spec name ('h264', 'hevc', 'av1', 'vp9') or an implementation name ('libx264'). */
  codec?: string;
  /** Codec default when omitted (yuv420p for h264); e.g. 'yuv444p'. */
  pixelFormat?: string;
  /** Codec default when omitted; checked against the codec's range (0-51 for libx264). */
  crf?: number;
  /** Codec default when omitted; e.g. 'ultrafast' ... 'veryslow' for libx264. */
  preset?: string;
  /** Bits per second; codec default when omitted. */
  bitRate?: number;
  /** Keyframe interval in frames; codec default when omitted. */
  gopSize?: number;
  /** 'bt601' (default), 'bt709', 'bt2020': used for the conversion and tagged. */
  colorSpace?: 'bt601' | 'bt709' | 'bt2020';
  /** 'tv' (limited, default) or 'pc' (full): used for the conversion and tagged. */
  colorRange?: 'tv' | 'pc';
  /** Tagged as given (the conversion does not change); implied by colorSpace when omitted. 'smpte2084' ('pq'): HDR10, 'arib-std-b67' ('hlg'): HLG. */
  colorTransfer?: 'bt709' | 'smpte170m' | 'bt601' | 'smpte2084' | 'pq' | 'arib-std-b67' | 'hlg' | 'linear' | 'srgb' |
    'iec61966-2-1' | 'bt2020-10' | 'bt2020-12';
  /** Tagged as given; implied by colorSpace when omitted. 'smpte432': Display P3. */
  colorPrimaries?: 'bt709' | 'bt2020' | 'smpte170m' | 'bt601' | 'bt470bg' | 'smpte432';
  /** Encoder threads; automatic when omitted or 0. */
  threads?: number;
  /** Node: 'cpu' (default), 'cuda', 'cuda:N'. */
  device?: string;
  options?: EncoderOptions;
  /**
   * Browser build: 'auto' (default: WebCodecs' VideoEncoder when the browser supports the codec and the
   * settings, else the wasm encoder), 'webcodecs' (fail when it can't) or 'wasm'. Node accepts 'auto'.
   */
  encoder?: 'auto' | 'webcodecs' | 'wasm';
  /** 0 (default), 90, 180 or 270: degrees a player turns the picture clockwise (mp4 / mov display matrix). */
  rotation?: 0 | 90 | 180 | 270;
  /**
   * [num, den]: the unit timestamps are stored in (e.g. [1, 90000]); default 1 / frameRate, where a
   * timestamp must be a frame's place (k / frameRate). Give one for a variable frame rate.
   */
  timeBase?: readonly [number, number];
  /** The stream's tags: language (ISO 639-2, 'eng'), title, handler_name, ... */
  metadata?: Metadata;
}

/** Tags: { key: value }; null removes a key. */
export type Metadata = Record<string, string | null>;

/** What an encoder has done so far (enc.stats, onProgress). */
export interface EncoderStats {
  /** Video frames accepted. */
  frames: number;
  /** Audio samples accepted (per channel). */
  samples: number;
  /** Packets written to the container. */
  packets: number;
  /** Bytes written; after close the size of the file. */
  bytes: number;
  /** Duration written so far, in seconds (encoders hold frames back: it lags until close). */
  seconds: number;
}

export interface AudioStreamOptions {
  /** Input sample rate, required, > 0. */
  sampleRate: number;
  /** Input channels, required, 1..8. */
  numChannels: number;
  /** Container default when omitted (aac for mp4/mov/mkv, opus for webm/ogg, flac, pcm_s16le for wav, mp3). */
  codec?: string;
  bitRate?: number;
  /** Resampled when it differs from sampleRate; same as input when omitted. */
  outSampleRate?: number;
  /** Remixed when it differs from numChannels; same as input when omitted. */
  outNumChannels?: number;
  options?: EncoderOptions;
  /** Seconds (>= 0): where the first sample lies on the file's timeline (A/V sync of recordings). */
  startTime?: number;
  /** The stream's tags: language, title, handler_name, ... */
  metadata?: Metadata;
}

export interface AddFramesOptions {
  /** Default 'rgb-planar'. */
  layout?: FrameLayout;
  /** Default: the whole data (an error if it is not a whole number of frames); otherwise the first numFrames frames. */
  numFrames?: number;
  /**
   * One per frame, in seconds, strictly increasing within and across calls (default: the nominal rate
   * from the last one given). Rounded to the stream's time base (addVideo's timeBase).
   */
  timestamps?: ArrayLike<number>;
  /** One per frame: true forces a key frame. */
  keyFrames?: ArrayLike<boolean | number>;
  /** One picture (a canvas, ImageData, ImageBitmap, VideoFrame): its timestamp in seconds (a VideoFrame's own by default). */
  timestamp?: number;
  /** One picture: force a key frame. */
  keyFrame?: boolean;
}

export interface AddSamplesOptions {
  /** Default 'planar'. An array of Float32Array (one per channel) is always planar. */
  layout?: SampleLayout;
}

export interface OpenFileOptions {
  /** FFmpeg muxer name or file extension; from the path's extension when omitted. */
  format?: string;
}

export interface OpenMemoryOptions {
  /** FFmpeg muxer name ('mp4', 'matroska', 'webm', 'mov', 'wav', ...) or a file extension ('mkv', 'm4a', ...). */
  format: string;
  /** What close() resolves to: the platform's default (a Blob in the browser, a Buffer in Node) when omitted. */
  type?: 'blob' | 'buffer' | 'uint8array';
}

export interface OpenStreamOptions {
  /** As in openMemory. mp4 and mov become fragmented MP4 (the stream cannot seek). */
  format: string;
  /** End (close) the writable when close() succeeds (default true). */
  end?: boolean;
}

/** The part of a Node Writable that openStream uses (fs.WriteStream, http.ServerResponse, net.Socket, ...). */
export interface WritableLike {
  write(chunk: Uint8Array, callback?: (error?: Error | null) => void): boolean;
  end(callback?: () => void): unknown;
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
}

/** A WHATWG WritableStream of bytes (structural, to not require the DOM typings). */
export interface WritableStreamLike {
  getWriter(): unknown;
  readonly locked: boolean;
}

/** Errors from the C library: `code` is the C status name, `message` the C message. */
export interface PolyencError extends Error {
  code:
    | 'POLYENC_ERR_ARGUMENT'
    | 'POLYENC_ERR_STATE'
    | 'POLYENC_ERR_UNSUPPORTED'
    | 'POLYENC_ERR_IO'
    | 'POLYENC_ERR_NOMEM'
    | 'POLYENC_ERR_CODEC';
  /** The C status value (-1 ... -6). */
  status?: number;
  /** For POLYENC_ERR_IO of openStream: the Writable's own error. */
  cause?: unknown;
}

export declare class VideoStream {
  private constructor();
  /** Index of the stream in the output (order of addVideo / addAudio calls). */
  readonly index: number;
  readonly width: number;
  readonly height: number;
  readonly frameRate: number;
  /**
   * The video encoder that runs: 'native' or 'wasm' (polyenc's backend) or 'webcodecs' (the browser's
   * VideoEncoder); null until the first awaited call has decided (encoder 'auto' asks the browser then).
   */
  readonly encoderName: 'native' | 'webcodecs' | 'wasm' | null;
  /**
   * Encodes frames on the encoder's worker. Node: the data is used without a copy and must not be modified
   * until the promise settles. Rejects with a TypeError for wrong types, a PolyencError otherwise.
   */
  addFrames(data: FrameData, options?: AddFramesOptions): Promise<void>;
}

export declare class AudioStream {
  private constructor();
  readonly index: number;
  readonly sampleRate: number;
  readonly numChannels: number;
  /**
   * Encodes samples in [-1, 1]. Node: a single Float32Array is used without a copy and must not be modified
   * until the promise settles; one array per channel is gathered on the worker.
   */
  addSamples(data: SampleData, options?: AddSamplesOptions): Promise<void>;
}

/** What new Encoder(options) and createEncoder(options) take. */
export interface CreateEncoderOptions {
  /** Browser: run this encoder in its own Web Worker (frames are transferred; the page never freezes). */
  worker?: boolean;
  /** Worker mode: the URL of the package's worker script, when a bundler moved it. */
  workerUrl?: string | URL;
  /** Aborting it aborts the encoder (see Encoder.abort). */
  signal?: AbortSignal;
  /** Called with the stats after feeding calls, at most every 100 ms. */
  onProgress?: (stats: EncoderStats) => void;
}

/** The backend that runs new encoders. */
export interface BackendInfo {
  /** 'native': the Node-API addon over FFmpeg; 'wasm': the WebAssembly build (with WebCodecs in browsers). */
  backend: 'native' | 'wasm';
  /** native: the addon's file. */
  addon?: string;
  /** wasm: 'st' (single-threaded) or 'mt' (threads: Node, or a crossOriginIsolated page). */
  variant?: 'st' | 'mt';
  /** wasm: encoder threads the module may use. */
  maxThreads?: number;
  /** wasm: bytes of WebAssembly memory, and of it in use. */
  heapBytes?: number;
  heapInUse?: number;
  /** Node, wasm backend: why the native addon did not load. */
  nativeError?: string;
}

export interface InitOptions {
  /** Node: 'auto' (default: native when the addon loads, else wasm), 'native' or 'wasm'. POLYENC_BACKEND sets the default. */
  backend?: 'auto' | 'native' | 'wasm';
  /** wasm: 'auto' (default: 'mt' in a crossOriginIsolated page, else 'st'; Node: 'st'), 'st' or 'mt'. */
  variant?: 'auto' | 'st' | 'mt';
  /** Browser: where polyenc-*.wasm and their glue are, when not next to the package (a CDN, a static folder). */
  baseUrl?: string | URL;
  /** wasm 'mt': encoder threads (default: the machine's cores, at most 16). */
  maxThreads?: number;
  /** wasm: bytes the WebAssembly memory may grow to (default 2 GiB). */
  maximumMemory?: number;
  initialMemory?: number;
}

export declare class Encoder {
  constructor(options?: CreateEncoderOptions);
  /** Which backend runs this encoder. */
  readonly backend: 'native' | 'wasm';
  /** Before open. Throws a TypeError for wrong types, a PolyencError for bad values. */
  addVideo(options: VideoStreamOptions): VideoStream;
  /** Before open. */
  addAudio(options: AudioStreamOptions): AudioStream;
  /** Node only (either backend); the browser has no files and throws POLYENC_ERR_UNSUPPORTED. */
  openFile(path: string | URL, options?: OpenFileOptions): void;
  /** close() resolves to the whole file (a Buffer in Node, a Blob in the browser, or options.type). */
  openMemory(options: OpenMemoryOptions): void;
  /** A Node Writable or a WHATWG WritableStream; backpressure is honoured. */
  openStream(writable: WritableLike | WritableStreamLike, options: OpenStreamOptions): void;
  /**
   * Flushes every stream and writes the trailer; a second call returns the same promise. Resolves to the
   * file for openMemory (MemoryOutput; with openMemory's type option, name it: close<Uint8Array>()),
   * undefined otherwise.
   */
  close<T extends MemoryOutput | GlobalClass<'Blob'> | Uint8Array = MemoryOutput>(): Promise<T | undefined>;
  /** The container's tags (title, artist, comment, date, creation_time, ...), before open. */
  setMetadata(tags: Metadata): void;
  /** What the encoder has done so far. */
  readonly stats: EncoderStats;
  /** Called with the stats after feeding calls, at most every 100 ms. */
  onprogress: ((stats: EncoderStats) => void) | null;
  /**
   * Stops without finishing: pending calls reject with an Error named 'AbortError', a file output is
   * removed, memory is released; later calls fail with POLYENC_ERR_STATE. Resolves once done.
   */
  abort(reason?: unknown): Promise<void>;
}

/** The same as new Encoder(options). */
export declare function createEncoder(options?: CreateEncoderOptions): Encoder;
/**
 * Loads the backend. Browser: required once before new Encoder() (it fetches the WebAssembly module).
 * Node: optional (the first use loads one); options choose the backend.
 */
export declare function init(options?: InitOptions): Promise<BackendInfo>;
/** The backend that runs new encoders (loads it in Node; after init() in the browser). */
export declare function backendInfo(): BackendInfo;
/** Version of the C library. */
export declare function version(): string;
/** True if the codec (spec or implementation name) can be opened on this machine. */
export declare function hasEncoder(codec: string): boolean;
/** CUDA devices usable for video streams (0 without CUDA support, and in wasm). */
export declare function cudaDeviceCount(): number;

declare const polyenc: {
  Encoder: typeof Encoder;
  VideoStream: typeof VideoStream;
  AudioStream: typeof AudioStream;
  createEncoder: typeof createEncoder;
  init: typeof init;
  backendInfo: typeof backendInfo;
  version: typeof version;
  hasEncoder: typeof hasEncoder;
  cudaDeviceCount: typeof cudaDeviceCount;
};
export default polyenc;
