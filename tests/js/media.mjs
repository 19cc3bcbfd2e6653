// Test inputs and the arithmetic of the checks, with no Node imports: the JS suite's Node tests
// (helpers.mjs), its scenarios (scenarios.mjs, which pages in Chromium load too) and its checks share them.

// A moving colour gradient as N x H x W x 3 rgb24.
export function rgbPattern(width, height, numFrames, start = 0) {
  const out = new Uint8Array(width * height * 3 * numFrames);
  for (let n = 0; n < numFrames; n++) {
    const t = n + start;
    let o = n * width * height * 3;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        out[o++] = (((x * 255) / width + t * 4) | 0) & 255;
        out[o++] = ((y * 255) / height) | 0;
        out[o++] = 128 + ((64 * Math.sin((x + y + t * 8) / 40)) | 0);
      }
    }
  }
  return out;
}

// Random bytes (deterministic): the hardest input for a colour conversion.
export function noise(n, seed = 1) {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

export function toLayout(rgb, width, height, layout) {
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
      for (let p = 0; p < px; p++) for (let c = 0; c < 3; c++) out[base + c * px + p] = rgb[base + p * 3 + c];
    }
    return out;
  }
  if (layout === 'yuv420p') {
    const cw = (width + 1) >> 1, ch = (height + 1) >> 1;
    const fsz = px + 2 * cw * ch;
    const out = new Uint8Array(fsz * n);
    for (let f = 0; f < n; f++) {
      const src = f * px * 3, dst = f * fsz;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const i = src + (y * width + x) * 3;
          out[dst + y * width + x] = Math.round(16 + 0.256788 * rgb[i] + 0.504129 * rgb[i + 1] + 0.097906 * rgb[i + 2]);
        }
      }
      for (let y = 0; y < ch; y++) {
        for (let x = 0; x < cw; x++) {
          let r = 0, g = 0, b = 0, k = 0;
          for (let dy = 0; dy < 2; dy++) {
            for (let dx = 0; dx < 2; dx++) {
              const i = src + (Math.min(height - 1, 2 * y + dy) * width + Math.min(width - 1, 2 * x + dx)) * 3;
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

// A sine tone, C x N planar (channel c at 440 * (c + 1) Hz).
export function tone(sampleRate, numChannels, numSamples, start = 0) {
  const out = new Float32Array(numChannels * numSamples);
  for (let c = 0; c < numChannels; c++) {
    for (let i = 0; i < numSamples; i++) out[c * numSamples + i] = 0.5 * Math.sin((2 * Math.PI * 440 * (c + 1) * (i + start)) / sampleRate);
  }
  return out;
}

export function planarToInterleaved(planar, numChannels) {
  const n = planar.length / numChannels;
  const out = new Float32Array(planar.length);
  for (let c = 0; c < numChannels; c++) for (let i = 0; i < n; i++) out[i * numChannels + c] = planar[c * n + i];
  return out;
}

export function meanAbsDiff(a, b) {
  const n = Math.min(a.length, b.length);
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(a[i] - b[i]);
  return s / n;
}

export function maxAbsDiff(a, b) {
  const n = Math.min(a.length, b.length);
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function rms(pcm) {
  let e = 0;
  for (let i = 0; i < pcm.length; i++) e += pcm[i] * pcm[i];
  return Math.sqrt(e / pcm.length);
}
