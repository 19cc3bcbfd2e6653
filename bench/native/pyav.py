"""PyAV in-process, as PyAV users write it: raw rgb24 frames from a numpy array -> av.VideoFrame.from_ndarray
-> reformat to yuv420p -> libx264 -> mp4 file. Timed: av.open of the output to container.close(); reading the
input file into the array is not. Prints {"seconds": S, "cpu_seconds": C, "frames": N}.
  python3 pyav.py IN.rgb WxH FRAMES PRESET THREADS OUT.mp4
encode() is also used by bench/clips/pyav.py."""
import json
import sys
import time

import av
import numpy as np


def encode(frames, out, preset, threads, **open_args):
    """frames (N x H x W x 3 uint8) -> libx264 in mp4 at out (a path or a file object)."""
    container = av.open(out, "w", **open_args)
    stream = container.add_stream("libx264", rate=30)
    stream.height, stream.width = frames.shape[1:3]
    stream.pix_fmt = "yuv420p"
    # The other tools' settings: PyAV's add_stream sets bit_rate 1 Mb/s (x264 ABR), so it is cleared and
    # crf 23 (libavcodec's default) named; PyAV's thread_type (slice: x264 sliced threads) becomes FFmpeg's
    # default (frame + slice: x264 frame threads).
    stream.codec_context.bit_rate = 0
    stream.options = {"preset": preset, "crf": "23"}
    stream.codec_context.thread_count = threads
    stream.codec_context.thread_type = "AUTO"
    for rgb in frames:
        for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()


def read_frames(path, size, frames):
    w, h = map(int, size.split("x"))
    return np.fromfile(path, dtype=np.uint8, count=w * h * 3 * frames).reshape(frames, h, w, 3)


def main():
    src, size, frames, preset, threads, out = sys.argv[1:7]
    data = read_frames(src, size, int(frames))
    data.sum()  # every page read once before the timing, as the C bench programs do (bench_util.h)
    t0, c0 = time.perf_counter(), time.process_time()
    encode(data, out, preset, int(threads))
    print(json.dumps({"seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0,
                      "frames": len(data)}))


if __name__ == "__main__":
    main()
