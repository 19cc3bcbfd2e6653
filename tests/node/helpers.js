'use strict';
// Shared helpers of the Node tests: test patterns, tones, ffprobe / ffmpeg checks.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const polyenc = require('../../node');

function tmpFile(name) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'polyenc-node-'));
  return path.join(dir, name);
}

// A moving colour gradient as N x H x W x 3 rgb24 (smooth: survives 4:2:0 and lossy coding well).
function rgbPattern(width, height, numFrames, start = 0) {
  const out = new Uint8Array(width * height * 3 * numFrames);
  for (let n = 0; n < numFrames; n++) {
    const t = n + start;
    let o = n * width * height * 3;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        out[o++] = (((x * 255) / width + t * 4) | 0) & 255;
        out[o++] = ((y * 255) / height) | 0;
        out[o++] = 128 + (((64 * Math.sin((x + y + t * 8) / 40)) | 0));
      }
    }
  }
  return out;
}

// rgb24 frames -> the other layouts the C API takes.
function toLayout(rgb, width, height, layout) {
  const px = width * height;
  const n = rgb.length / (px * 3);
  if (layout === 'rgb24') return rgb;
  if (layout === 'rgba' || layout === 'bgra') {
    const out = new Uint8Array(px * 4 * n);
    for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
      const r = rgb[i], g = rgb[i + 1], b = rgb[i + 2];
      if (layout === 'rgba') { out[j] = r; out[j + 1] = g; out[j + 2] = b; } else { out[j] = b; out[j + 1] = g; out[j + 2] = r; }
      out[j + 3] = 255;
    }
    return out;
  }
  if (layout === 'rgb-planar') {
    const out = new Uint8Array(rgb.length);
    for (let f = 0; f < n; f++) {
      const base = f * px * 3;
      for (let p = 0; p < px; p++) {
        for (let c = 0; c < 3; c++) out[base + c * px + p] = rgb[base + p * 3 + c];
      }
    }
    return out;
  }
  if (layout === 'yuv420p') {
    // BT.601 limited range, the C library's default for RGB input too.
    const cw = (width + 1) >> 1, ch = (height + 1) >> 1;
    const fsz = px + 2 * cw * ch;
    const out = new Uint8Array(fsz * n);
    for (let f = 0; f < n; f++) {
      const src = f * px * 3, dst = f * fsz;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const i = src + (y * width + x) * 3;
          const r = rgb[i], g = rgb[i + 1], b = rgb[i + 2];
          out[dst + y * width + x] = Math.round(16 + 0.256788 * r + 0.504129 * g + 0.097906 * b);
        }
      }
      for (let y = 0; y < ch; y++) {
        for (let x = 0; x < cw; x++) {
          let r = 0, g = 0, b = 0, k = 0;
          for (let dy = 0; dy < 2; dy++) {
            for (let dx = 0; dx < 2; dx++) {
              const yy = Math.min(height - 1, 2 * y + dy), xx = Math.min(width - 1, 2 * x + dx);
              const i = src + (yy * width + xx) * 3;
              r += rgb[i]; g += rgb[i + 1]; b += rgb[i + 2]; k++;
            }
          }
          r /= k; g /= k; b /= k;
          out[dst + px + y * cw + x] = Math.round(128 - 0.148223 * r - 0.290993 * g + 0.439216 * b);
          out[dst + px + cw * ch + y * cw + x] = Math.round(128 + 0.439216 * r - 0.367788 * g - 0.071427 * b);
        }
      }
    }
    return out;
  }
  throw new Error(`unknown layout ${layout}`);
}

// A sine tone, C x N planar Float32Array (channel c at frequency 440 * (c + 1)).
function tone(sampleRate, numChannels, numSamples, start = 0) {
  const out = new Float32Array(numChannels * numSamples);
  for (let c = 0; c < numChannels; c++) {
    for (let i = 0; i < numSamples; i++) {
      out[c * numSamples + i] = 0.5 * Math.sin((2 * Math.PI * 440 * (c + 1) * (i + start)) / sampleRate);
    }
  }
  return out;
}

function planarToInterleaved(planar, numChannels) {
  const n = planar.length / numChannels;
  const out = new Float32Array(planar.length);
  for (let c = 0; c < numChannels; c++) for (let i = 0; i < n; i++) out[i * numChannels + c] = planar[c * n + i];
  return out;
}

function run(cmd, args, input) {
  const r = spawnSync(cmd, args, { input, maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.toString()}`);
  return r.stdout;
}

// ffprobe of a file path or a Buffer (through stdin).
function probe(fileOrBuffer, extra = []) {
  const input = typeof fileOrBuffer === 'string' ? fileOrBuffer : 'pipe:0';
  const out = run(
    'ffprobe',
    ['-v', 'error', '-count_frames', '-show_streams', '-show_format', ...extra, '-of', 'json', input],
    typeof fileOrBuffer === 'string' ? undefined : fileOrBuffer,
  );
  return JSON.parse(out.toString());
}

// Decodes video stream `index` to rgb24 frames.
function decodeVideo(fileOrBuffer, index = 0) {
  const input = typeof fileOrBuffer === 'string' ? fileOrBuffer : 'pipe:0';
  return run(
    'ffmpeg',
    ['-v', 'error', '-i', input, '-map', `0:v:${index}`, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    typeof fileOrBuffer === 'string' ? undefined : fileOrBuffer,
  );
}

// Decodes audio stream `index` to interleaved float32.
function decodeAudio(fileOrBuffer, index = 0) {
  const input = typeof fileOrBuffer === 'string' ? fileOrBuffer : 'pipe:0';
  const buf = run(
    'ffmpeg',
    ['-v', 'error', '-i', input, '-map', `0:a:${index}`, '-f', 'f32le', '-acodec', 'pcm_f32le', '-'],
    typeof fileOrBuffer === 'string' ? undefined : fileOrBuffer,
  );
  return new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
}

function meanAbsDiff(a, b) {
  const n = Math.min(a.length, b.length);
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(a[i] - b[i]);
  return s / n;
}

module.exports = {
  polyenc,
  tmpFile,
  rgbPattern,
  toLayout,
  tone,
  planarToInterleaved,
  probe,
  decodeVideo,
  decodeAudio,
  meanAbsDiff,
  run,
};
