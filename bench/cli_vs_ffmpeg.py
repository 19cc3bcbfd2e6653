#!/usr/bin/env python3
"""polyenc encode vs the ffmpeg CLI on the same raw rgb24 frames piped through stdin.

Both get the same frames, codec, preset, crf and thread count; runs alternate between the two tools
and the median wall time of each is reported, with the ratio. Usage:
  bench/cli_vs_ffmpeg.py [--polyenc build/polyenc] [--size 1920x1080] [--frames 120] [--runs 3]
                         [--presets ultrafast,medium] [--threads 2]
"""
import argparse, os, statistics, subprocess, tempfile, time


def make_frames(path, size, frames):
    # A moving test pattern, the same bytes for every run.
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=30",
                    "-frames:v", str(frames), "-f", "rawvideo", "-pix_fmt", "rgb24", path], check=True)


def timed(cmd, raw):
    with open(raw, "rb") as f:
        start = time.perf_counter()
        subprocess.run(cmd, stdin=f, check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--polyenc", default="build/polyenc")
    ap.add_argument("--size", default="1920x1080")
    ap.add_argument("--frames", type=int, default=120)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--presets", default="ultrafast,medium")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    args = ap.parse_args()
    w, h = args.size.split("x")
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "frames.rgb")
        make_frames(raw, args.size, args.frames)
        print(f"{args.frames} frames {args.size} rgb24 via stdin, libx264, threads={args.threads}, "
              f"median of {args.runs} alternating runs")
        print(f"{'preset':<10} {'polyenc s':>10} {'ffmpeg s':>10} {'polyenc fps':>12} {'ffmpeg fps':>11} {'speedup':>8}")
        for preset in args.presets.split(","):
            ours = [args.polyenc, "encode", "--video", f"{args.size}@30", "--layout", "rgb24", "--codec", "libx264",
                    "--preset", preset, "--threads", str(args.threads), os.path.join(tmp, "polyenc.mp4")]
            theirs = ["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", args.size,
                      "-r", "30", "-i", "-", "-c:v", "libx264", "-preset", preset, "-pix_fmt", "yuv420p",
                      "-threads", str(args.threads), os.path.join(tmp, "ffmpeg.mp4")]
            times = {"polyenc": [], "ffmpeg": []}
            for _ in range(args.runs):
                times["polyenc"].append(timed(ours, raw))
                times["ffmpeg"].append(timed(theirs, raw))
            p, f = statistics.median(times["polyenc"]), statistics.median(times["ffmpeg"])
            print(f"{preset:<10} {p:>10.2f} {f:>10.2f} {args.frames / p:>12.1f} {args.frames / f:>11.1f} {f / p:>7.2f}x")


if __name__ == "__main__":
    main()
