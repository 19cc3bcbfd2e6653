"""Section 5, memory: peak RSS of long 1280x720 encodes through a non-seekable output, for two frame counts, and
the ratio of the two (near 1: memory does not grow with the length). Native: the CLI (and the ffmpeg CLI for
reference) writing fragmented mp4 to a pipe, raw rgb24 fed from a ring of 30 frames, /usr/bin/time's maximum
RSS; Node: bench/memory/node.mjs (a Writable that drops the bytes), VmHWM."""
import os
import subprocess

import goals
from common import BUILD, ROOT, WORK, ffmpeg_source, run_json, table

SIZE, RING = "1280x720", 30
FRAG = "frag_keyframe+empty_moov"


def cli_peak_kib(cmd, src, frames):
    """Peak RSS (KiB) of cmd fed `frames` frames cycling through src, its standard output drained by cat."""
    ring = open(src, "rb").read()
    frame = len(ring) // RING
    tfile = os.path.join(WORK, "memory-time.txt")
    p = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", tfile, *cmd], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    drain = subprocess.Popen(["cat"], stdin=p.stdout, stdout=subprocess.DEVNULL)
    p.stdout.close()
    try:
        for i in range(frames):
            k = i % RING
            p.stdin.write(ring[k * frame:(k + 1) * frame])
        p.stdin.close()
    except BrokenPipeError:
        pass
    err = p.stderr.read().decode()
    if p.wait() != 0 or drain.wait() != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{err[-4000:]}")
    return int(open(tfile).read().split()[-1])


def section(o, report):
    src = ffmpeg_source(os.path.join(WORK, f"memory-testsrc2-{SIZE}-{RING}.rgb"), "testsrc2", SIZE, RING)
    polyenc = [os.path.join(BUILD, "polyenc"), "encode", "--video", f"{SIZE}@30", "--layout", "rgb24", "--codec",
               "libx264", "--preset", "ultrafast", "--format", "mp4", "-"]
    ffmpeg = ["ffmpeg", "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", SIZE, "-r", "30", "-i", "-",
              "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-movflags", FRAG, "-f", "mp4",
              "pipe:1"]
    node = ["node", os.path.join(ROOT, "bench/memory/node.mjs")]
    tools = {
        "polyenc CLI -> pipe (fragmented mp4)": lambda n: cli_peak_kib(polyenc, src, n),
        "ffmpeg CLI -> pipe (fragmented mp4, reference)": lambda n: cli_peak_kib(ffmpeg, src, n),
        "polyenc Node, native addon -> Writable": lambda n: run_json(node + ["--frames", str(n), "--backend",
                                                                            "native"])["peakRssKiB"],
        "polyenc Node, wasm st -> Writable": lambda n: run_json(node + ["--frames", str(n), "--backend", "wasm",
                                                                       "--variant", "st"])["peakRssKiB"],
    }
    small, large = o.memory_frames
    rows = []
    for name, peak in tools.items():
        a, b = peak(small), peak(large)
        if name.startswith("polyenc"):
            goals.record("memory", f"{name}, {large} vs {small} frames", b / a)
        rows.append([name, f"{a / 1024:.1f}", f"{b / 1024:.1f}", f"{b / a:.2f}"])
    report.add(f"## 5. Memory\n\n{SIZE} rgb24/rgba frames, libx264 ultrafast, fragmented mp4 to a non-seekable "
               "output; peak RSS of the whole process (Node's includes V8 and the 30 source frames).\n\n" +
               table(["tool", f"peak RSS MiB, {small} frames", f"{large} frames", f"ratio {large}/{small}"], rows))
