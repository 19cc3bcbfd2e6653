// The deterministic moving frames of the JS benches (bench.mjs, h264mp4.mjs, ../memory/node.mjs; bench/browser's
// page has the same generator): a gradient, a noise texture that pans (so motion search has real work), a moving
// square and circle, as RGBA. Run as a script it writes them raw, the source the suite's PSNR compares with:
//   node bench/wasm/frames.mjs N WxH OUT.rgba
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

export function makeFrames(n, W = 1280, H = 720) {
  const buf = new Uint8Array(n * W * H * 4);
  const px = new Uint32Array(buf.buffer); // little-endian: 0xAABBGGRR
  const noise = new Uint8Array(1024 * 1024);
  for (let i = 0, s = 12345; i < noise.length; i++) noise[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 26; // 0..63
  for (let f = 0; f < n; f++) {
    const base = f * W * H;
    const sqX = (40 + f * 9) % (W - 200), sqY = 120 + Math.round(80 * Math.sin(f / 10));
    const cx = W / 2 + Math.round(300 * Math.cos(f / 15)), cy = H / 2 + Math.round(200 * Math.sin(f / 15)), r2 = 90 * 90;
    for (let y = 0; y < H; y++) {
      const nrow = ((y + f) & 1023) * 1024;
      for (let x = 0; x < W; x++) {
        const t = noise[nrow + ((x + 3 * f) & 1023)];
        let r = ((x * 255) / W + t) | 0, g = ((y * 255) / H + t) | 0, b = (128 + t + f) & 255;
        if (x >= sqX && x < sqX + 160 && y >= sqY && y < sqY + 160) r = 250, g = 240, b = 40;
        else if ((x - cx) * (x - cx) + (y - cy) * (y - cy) < r2) r = 30, g = 60 + t, b = 220;
        px[base + y * W + x] = (255 << 24) | (Math.min(b, 255) << 16) | (Math.min(g, 255) << 8) | Math.min(r, 255);
      }
    }
  }
  return buf;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [n, size, out] = process.argv.slice(2);
  const [w, h] = (size || '').split('x').map(Number);
  if (!(Number(n) > 0 && w > 0 && h > 0 && out)) {
    console.error('usage: node bench/wasm/frames.mjs N WxH OUT.rgba');
    process.exit(2);
  }
  fs.writeFileSync(out, makeFrames(Number(n), w, h));
}
