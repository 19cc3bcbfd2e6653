"""bench/run.sh's driver: the machine, then each section's tables, printed and written to bench/RESULTS.md.
  python3 bench/suite/main.py [--quick] [--sections native,clips,wasm,browser,memory] [--frames N] [--runs R]
                              [--threads T] [--sizes 1280x720,1920x1080] [--presets ultrafast,veryfast,medium]"""
import argparse
import os
import sys
import time

import browser
import clips
import goals
import machine
import memory
import native
import wasm
from common import ROOT, WORK, Report

SECTIONS = {"native": native, "clips": clips, "wasm": wasm, "browser": browser, "memory": memory}


def options():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="tiny sizes, one run: checks that every tool still works")
    ap.add_argument("--sections", default=",".join(SECTIONS))
    ap.add_argument("--frames", type=int)
    ap.add_argument("--runs", type=int)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--sizes")
    ap.add_argument("--presets")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "RESULTS.md"))
    o = ap.parse_args()
    q = o.quick
    o.frames = o.frames or (4 if q else 120)
    o.runs = o.runs or (1 if q else 5)
    o.sizes = (o.sizes or ("64x64" if q else "1280x720,1920x1080")).split(",")
    o.presets = (o.presets or "ultrafast,veryfast,medium").split(",")
    o.contents = ["testsrc2", "mandelbrot"]
    o.clips, o.clip_frames, o.clip_size, o.setup_clips = (20, 16, "256x256", 5) if q else (500, 16, "256x256", 50)
    o.memory_frames = [50, 100] if q else [1000, 10000]
    o.wasm_frames = 4 if q else 120
    o.browser_frames = 4 if q else 150
    o.sections = o.sections.split(",")
    for s in o.sections:
        if s not in SECTIONS:
            sys.exit(f"unknown section '{s}': {', '.join(SECTIONS)}")
    return o


def main():
    o = options()
    os.makedirs(WORK, exist_ok=True)
    report = Report(o.out)
    t0 = time.time()
    report.add(f"# polyenc benchmark results{' (--quick: sizes too small to mean anything)' if o.quick else ''}\n\n"
               f"`bash bench/run.sh {' '.join(sys.argv[1:])}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
               "\n\n" + machine.describe())
    took = []
    for name in o.sections:
        t = time.time()
        SECTIONS[name].section(o, report)
        took.append(f"{name} {time.time() - t:.0f} s")
    summary = goals.table()
    if summary:
        report.parts.insert(1, summary)
        print(summary + "\n", flush=True)
    report.add(f"Suite time: {time.time() - t0:.0f} s ({', '.join(took)}).")
    report.write()
    print(f"wrote {o.out}")


if __name__ == "__main__":
    main()
