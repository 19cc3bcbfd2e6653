// A small page as a user writes it: canvas frames and a tone into an MP4 Blob with `import ... from 'polyenc'`,
// then played in a <video>. Built by Vite (index.html) and served as is with an import map (static.html).
import { init, Encoder, backendInfo } from 'polyenc';

async function play(blob) {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.src = URL.createObjectURL(blob);
  document.body.append(video);
  await video.play();
  await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`the video did not advance (currentTime ${video.currentTime})`)), 10000);
    video.ontimeupdate = () => video.currentTime > 0.3 && (clearTimeout(t), resolve());
  });
  return { duration: video.duration, currentTime: video.currentTime, width: video.videoWidth, height: video.videoHeight };
}

function base64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

window.runApp = async ({ worker = false, encoder = 'auto' } = {}) => {
  const t0 = performance.now();
  await init();
  const info = backendInfo();
  const width = 320, height = 240, frameRate = 30, frames = 45, sampleRate = 48000;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  const enc = new Encoder({ worker });
  const video = enc.addVideo({ width, height, frameRate, encoder });
  const audio = enc.addAudio({ sampleRate, numChannels: 1 });
  enc.openMemory({ format: 'mp4' });
  let firstFrameMs = 0;
  for (let i = 0; i < frames; i++) {
    ctx.fillStyle = `hsl(${(i * 8) % 360} 70% 50%)`;
    ctx.fillRect(0, 0, width, height);
    ctx.fillStyle = '#fff';
    ctx.fillRect(10 + i * 5, 100, 40, 40);
    await video.addFrames(canvas);
    if (i === 0) firstFrameMs = performance.now() - t0;
  }
  const tone = new Float32Array(Math.round((sampleRate * frames) / frameRate));
  for (let i = 0; i < tone.length; i++) tone[i] = 0.4 * Math.sin((2 * Math.PI * 440 * i) / sampleRate);
  await audio.addSamples(tone);
  const blob = await enc.close();
  const played = await play(blob);
  const bytes = new Uint8Array(await blob.arrayBuffer());
  return {
    type: blob.type, isBlob: blob instanceof Blob, size: blob.size, backend: enc.backend, variant: info.variant,
    crossOriginIsolated: globalThis.crossOriginIsolated === true, encoderName: video.encoderName, firstFrameMs,
    totalMs: performance.now() - t0, played, bytes: base64(bytes),
  };
};
document.title = 'ready';
