"""Many small clips with PyAV in one process: CLIPS clips of FRAMES rgb24 frames each (the same frames, from a
numpy array), every clip its own container and libx264 stream into memory (io.BytesIO, mp4), encoded as
bench/native/pyav.py does. Then SETUP clips of one frame each, timed one by one (the median: an encoder's
set-up and tear-down). The last clip of FRAMES frames is written to OUT.mp4.
Prints {"seconds": S, "clips": CLIPS, "setup_seconds": median}.
  python3 pyav.py IN.rgb WxH FRAMES CLIPS SETUP PRESET THREADS OUT.mp4"""
import io
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "native"))
from pyav import encode, read_frames  # noqa: E402  (bench/native/pyav.py)


def clip(frames, preset, threads):
    buf = io.BytesIO()
    encode(frames, buf, preset, threads, format="mp4")
    return buf.getvalue()


def main():
    src, size, frames, clips, setup, preset, threads, out = sys.argv[1:9]
    data = read_frames(src, size, int(frames))
    clips, setup, threads = int(clips), int(setup), int(threads)
    t0 = time.perf_counter()
    for _ in range(clips):
        last = clip(data, preset, threads)
    seconds = time.perf_counter() - t0
    one = []
    for _ in range(setup):
        s = time.perf_counter()
        clip(data[:1], preset, threads)
        one.append(time.perf_counter() - s)
    with open(out, "wb") as f:
        f.write(last)
    print(json.dumps({"seconds": seconds, "clips": clips, "setup_seconds": statistics.median(one)}))


if __name__ == "__main__":
    main()
