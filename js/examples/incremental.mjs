// Tutorial scenario 2: feed frames and samples as they are produced, chunk by chunk.
//   node examples/incremental.mjs [out.mp4]
import fs from 'node:fs';
import { Encoder } from 'polyenc';
import { testPattern, sine } from './common.mjs';

async function main(out = 'incremental.mp4') {
  const width = 640, height = 360, frameRate = 24, numFrames = 60;
  const audioSampleRate = 16000;
  const samples = sine(audioSampleRate, numFrames / frameRate);

  const encoder = new Encoder();
  const video = encoder.addVideo({ width, height, frameRate });
  const audio = encoder.addAudio({ sampleRate: audioSampleRate, numChannels: 1 });
  encoder.openFile(out);

  const chunk = 10;
  const samplesPerChunk = Math.round((audioSampleRate / frameRate) * chunk);
  for (let i = 0; i < numFrames; i += chunk) {
    // e.g. frames coming out of a model or a render loop
    const frames = testPattern(width, height, Math.min(chunk, numFrames - i), i);
    const start = Math.round((i / frameRate) * audioSampleRate);
    // awaiting each call is the backpressure: the producer never runs ahead of the encoder
    await video.addFrames(frames, { layout: 'rgb-planar' });
    await audio.addSamples(samples.subarray(start, start + samplesPerChunk));
  }
  await encoder.close();
  console.log(`Incrementally encoded to ${out} (${fs.statSync(out).size} bytes)`);
}

main(...process.argv.slice(2)).catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
