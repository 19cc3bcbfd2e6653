// Used by bare-machine.sh inside the chroot: encodes 30 frames of 320x240 video and 1 s of stereo audio
// with the native backend (init fails where it cannot load), to FILE and to memory (FILE-memory.mp4).
// `node bare-encode.cjs FILE` runs it through require('polyenc'); the ES module entry passes its own exports.
const fs = require('node:fs');

async function encode(polyenc, file) {
  await polyenc.init({ backend: 'native' });
  for (const memory of [false, true]) {
    const enc = new polyenc.Encoder();
    const video = enc.addVideo({ width: 320, height: 240, frameRate: 30 });
    const audio = enc.addAudio({ sampleRate: 48000, numChannels: 2 });
    if (memory) enc.openMemory({ format: 'mp4' }); else enc.openFile(file);
    const frame = new Uint8Array(320 * 240 * 3);
    for (let i = 0; i < 30; i++) {
      for (let p = 0; p < frame.length; p++) frame[p] = (p + i * 7) & 255;
      await video.addFrames(frame, { layout: 'rgb24' });
    }
    const tone = new Float32Array(2 * 48000);
    for (let i = 0; i < tone.length; i++) tone[i] = 0.2 * Math.sin((2 * Math.PI * 440 * (i >> 1)) / 48000);
    await audio.addSamples(tone, { layout: 'interleaved' });
    const result = await enc.close();
    if (memory) fs.writeFileSync(file.replace(/\.mp4$/, '-memory.mp4'), result);
    if (enc.backend !== 'native') throw new Error(`backend ${enc.backend}, not native`);
  }
  return `${polyenc.backendInfo().backend} backend wrote ${file} and memory`;
}

module.exports = encode;
if (require.main === module) {
  encode(require('polyenc'), process.argv[2]).then(console.log, (e) => { console.error(e); process.exit(1); });
}
