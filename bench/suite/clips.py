"""Section 2, many small clips in one process: polyenc's C API vs PyAV, each clip its own encoder into memory
(mp4, libx264, the same preset and threads), and the set-up cost of one encoder (a clip of one frame)."""
import os

import goals
from common import BUILD, PYTHON, ROOT, WORK, alternate, ffmpeg_source, fmt_bytes, fmt_psnr, psnr, run_json, table

PRESET, THREADS = "veryfast", 1


def section(o, report):
    size, n = o.clip_size, o.clip_frames
    src = ffmpeg_source(os.path.join(WORK, f"clips-testsrc2-{size}-{n}.rgb"), "testsrc2", size, n)
    args = [src, size, str(n), str(o.clips), str(o.setup_clips), PRESET, str(THREADS)]
    tools = {"polyenc C API": [os.path.join(BUILD, "bench/native/polyenc_bench_clips")],
             "PyAV": [PYTHON, os.path.join(ROOT, "bench/clips/pyav.py")]}
    out = {name: os.path.join(WORK, f"clips-{i}.mp4") for i, name in enumerate(tools)}
    results = {}

    def runner(name):
        def go():
            results[name] = run_json(tools[name] + args + [out[name]])
            return results[name]["seconds"]
        return go

    medians = alternate({name: runner(name) for name in tools}, o.runs)
    rows = []
    for name in tools:
        s = medians[name]
        rows.append([name, f"{s:.3f}", f"{o.clips / s:.1f}", f"{1000 * s / o.clips:.2f}",
                     f"{1000 * results[name]['setup_seconds']:.2f}", fmt_bytes(os.path.getsize(out[name])),
                     fmt_psnr(psnr(out[name], src, size)), f"{s / medians['polyenc C API']:.2f}x"])
    goals.record("clips", f"{o.clips} clips {size}", medians["PyAV"] / medians["polyenc C API"])
    report.add(f"## 2. Many small clips\n\n{o.clips} clips of {n} frames {size} (testsrc2) in one process, each "
               f"its own encoder into memory (mp4, libx264 preset {PRESET}, {THREADS} thread, crf 23); median of "
               f"{o.runs} alternating runs after a warm-up. Set-up: the median time of a clip of one frame "
               f"(open, one frame, flush, close; {o.setup_clips} of them). Size and PSNR: one clip.\n\n" +
               table(["tool", f"{o.clips} clips s", "clips/s", "ms / clip", "ms / 1-frame clip", "clip size",
                      "PSNR Y / avg dB", "time / polyenc"], rows))
