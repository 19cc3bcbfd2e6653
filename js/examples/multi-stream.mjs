// Tutorial scenario 3: two video streams and two audio streams in one MKV. A stream may use a CUDA
// device (device: 'cuda') where this build and machine have one.
//   node examples/multi-stream.mjs [out.mkv]
import { Encoder, cudaDeviceCount } from 'polyenc';
import { testPattern, sine } from './common.mjs';

async function main(out = 'multi-stream.mkv') {
  const encoder = new Encoder();
  const big = encoder.addVideo({ width: 1920, height: 1080, frameRate: 30, device: 'cpu', preset: 'veryfast' });
  const small = encoder.addVideo({
    width: 1280, height: 720, frameRate: 30, device: cudaDeviceCount() > 0 ? 'cuda' : 'cpu', preset: 'veryfast',
  });
  const english = encoder.addAudio({ sampleRate: 44100, numChannels: 2 });
  const french = encoder.addAudio({ sampleRate: 44100, numChannels: 2 });
  encoder.openFile(out);

  const seconds = 1;
  const stereo = (f) => [sine(44100, seconds, f), sine(44100, seconds, f * 1.5)]; // one Float32Array per channel
  // Any order, several in flight: each call resolves when the encoder's thread has taken the data.
  await Promise.all([
    big.addFrames(testPattern(1920, 1080, 30), { layout: 'rgb-planar' }),
    small.addFrames(testPattern(1280, 720, 30), { layout: 'rgb-planar' }),
    english.addSamples(stereo(440)),
    french.addSamples(stereo(330)),
  ]);
  await encoder.close();
  console.log(`Encoded 2 video + 2 audio streams to ${out}`);
}

main(...process.argv.slice(2)).catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
