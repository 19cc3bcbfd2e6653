#!/usr/bin/env python3
"""A second decoder on polyenc's output: PyAV (Debian's python3-av) decodes the file `polyenc demo`
wrote and checks what the demo promises: h264 1280x720, 90 frames at 30 fps; aac 48 kHz stereo,
3 s; and a picture that is the test pattern (the moving white square is white, the bars are not
flat grey). Usage: pyav_check.py POLYENC_CLI WORKDIR"""
import os, subprocess, sys

try:
    import av
except ImportError:
    print("PyAV (python3-av) is not installed: skipped")
    sys.exit(77)

cli, work = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)
path = os.path.join(work, "pyav_demo.mp4")
subprocess.run([cli, "demo", path], check=True, stdout=subprocess.DEVNULL)

def fail(message):
    print("FAIL:", message)
    sys.exit(1)

with av.open(path) as container:
    video, audio = container.streams.video[0], container.streams.audio[0]
    if (video.index, audio.index) != (0, 1): fail(f"stream order {video.index}, {audio.index}")
    if video.codec_context.name != "h264" or audio.codec_context.name != "aac": fail("codecs")
    frames = list(container.decode(video=0))
    if len(frames) != 90: fail(f"{len(frames)} video frames, expected 90")
    if (frames[0].width, frames[0].height) != (1280, 720): fail(f"size {frames[0].width}x{frames[0].height}")
    if [f.pts * f.time_base * 30 for f in frames] != list(range(90)): fail("video pts are not the frame index")
    rgb = frames[45].to_ndarray(format="rgb24")
    # the white square of frame t starts at x = 40 + 12 t, y = 300
    square = rgb[310:410, 40 + 12 * 45 + 10:40 + 12 * 45 + 110]
    if square.min() < 235: fail(f"the white square is not white (min {square.min()})")
    if rgb[:, :, 0].std() < 30: fail("the colour bars are missing")
with av.open(path) as container:
    samples = sum(f.samples for f in container.decode(audio=0))
    rate = container.streams.audio[0].codec_context.sample_rate
    layout = container.streams.audio[0].codec_context.layout.name
    if rate != 48000 or layout != "stereo": fail(f"audio {rate} Hz {layout}")
    # aac adds one priming frame (1024) and pads the last; PyAV returns them all
    if not 3 * 48000 <= samples <= 3 * 48000 + 2048: fail(f"{samples} audio samples for 3 s")
print("PyAV decoded the demo: h264 1280x720 x 90 frames, aac 48 kHz stereo,", samples, "samples")
