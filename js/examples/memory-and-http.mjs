// Tutorial scenario 4: encode to memory (close() resolves to a Buffer), and stream to an HTTP response
// (fragmented MP4, playable while it downloads; a slow client slows the encoder down, memory stays flat).
//   node examples/memory-and-http.mjs            encodes to memory, then serves http://127.0.0.1:8080/live.mp4
//   node examples/memory-and-http.mjs --once     the same, fetches the stream once itself and exits
import http from 'node:http';
import { Encoder } from 'polyenc';
import { testPattern, sine } from './common.mjs';

const width = 640, height = 360, frameRate = 24, seconds = 3;

async function toMemory() {
  const encoder = new Encoder();
  const video = encoder.addVideo({ width, height, frameRate });
  const audio = encoder.addAudio({ sampleRate: 16000, numChannels: 1 });
  encoder.openMemory({ format: 'mp4' });
  await video.addFrames(testPattern(width, height, frameRate * seconds));
  await audio.addSamples(sine(16000, seconds));
  const bytes = await encoder.close(); // a Buffer: upload it, hash it, hand it to a decoder ...
  console.log(`Encoded to memory: ${bytes.length} bytes`);
  return bytes;
}

async function serve(req, res) {
  res.writeHead(200, { 'Content-Type': 'video/mp4' });
  const encoder = new Encoder();
  const video = encoder.addVideo({ width, height, frameRate, gopSize: frameRate }); // a fragment per second
  const audio = encoder.addAudio({ sampleRate: 16000, numChannels: 1 });
  encoder.openStream(res, { format: 'mp4' });
  const tone = sine(16000, seconds);
  for (let s = 0; s < seconds; s++) {
    await video.addFrames(testPattern(width, height, frameRate, s * frameRate));
    await audio.addSamples(tone.subarray(s * 16000, (s + 1) * 16000));
  }
  await encoder.close(); // flushes, then ends the response
}

async function main() {
  await toMemory();
  const server = http.createServer((req, res) => {
    serve(req, res).catch((err) => {
      console.error(err);
      res.destroy(err);
    });
  });
  const once = process.argv.includes('--once');
  await new Promise((resolve) => server.listen(once ? 0 : 8080, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/live.mp4`;
  if (!once) {
    console.log(`Serving ${url} (try: ffplay ${url})`);
    return;
  }
  const size = await new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let n = 0;
      res.on('data', (d) => (n += d.length));
      res.on('end', () => resolve(n));
    }).on('error', reject);
  });
  console.log(`Streamed ${size} bytes of fragmented MP4 from ${url}`);
  server.close();
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
