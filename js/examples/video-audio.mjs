// Tutorial scenario 1: one video stream and one audio stream into the same MP4 file.
//   node examples/video-audio.mjs [out.mp4]
import fs from 'node:fs';
import { Encoder } from 'polyenc';
import { testPattern, sine } from './common.mjs';

async function main(out = 'video-audio.mp4') {
  const width = 640, height = 360, frameRate = 24, numFrames = 60;
  const frames = testPattern(width, height, numFrames); // N x 3 x H x W
  const audioSampleRate = 16000;
  const samples = sine(audioSampleRate, numFrames / frameRate); // 1 x N

  const encoder = new Encoder();
  const video = encoder.addVideo({ width, height, frameRate });
  const audio = encoder.addAudio({ sampleRate: audioSampleRate, numChannels: 1 });
  encoder.openFile(out);
  await video.addFrames(frames, { layout: 'rgb-planar' });
  await audio.addSamples(samples);
  await encoder.close();
  console.log(`Encoded video + audio to ${out} (${fs.statSync(out).size} bytes)`);
}

main(...process.argv.slice(2)).catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
