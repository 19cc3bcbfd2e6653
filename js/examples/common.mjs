// Synthetic inputs for the examples: a moving test pattern and a sine tone (no downloads).

/** N x 3 x H x W rgb-planar frames of a moving colour gradient (the tutorial's layout). */
export function testPattern(width, height, numFrames, start = 0) {
  const plane = width * height;
  const out = new Uint8Array(plane * 3 * numFrames);
  for (let n = 0; n < numFrames; n++) {
    const t = start + n;
    const base = n * plane * 3;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const p = y * width + x;
        out[base + p] = (x + t * 4) & 255; // R
        out[base + plane + p] = (y * 255 / height) | 0; // G
        out[base + 2 * plane + p] = 128 + ((64 * Math.sin((x + y + t * 8) / 40)) | 0); // B
      }
    }
  }
  return out;
}

/** A 440 Hz tone as a 1 x N planar Float32Array. */
export function sine(sampleRate, seconds, frequency = 440) {
  const n = Math.round(sampleRate * seconds);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = 0.5 * Math.sin((2 * Math.PI * frequency * i) / sampleRate);
  return out;
}

