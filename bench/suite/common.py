"""What every section of bench/run.sh shares: running tools, alternating timed runs, PSNR against the raw
source, and the markdown tables."""
import json
import os
import re
import resource
import statistics
import subprocess
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("POLYENC_BENCH_BUILD", os.path.join(ROOT, "build"))
WORK = os.path.join(ROOT, "bench", "out", "suite")  # sources and outputs (git-ignored)
PYTHON = "/usr/bin/python3"  # Debian's, with python3-av and python3-numpy


def run(cmd, **kw):
    """Runs cmd; on failure raises with its stderr (polyenc's own tools must fail loudly)."""
    res = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} exited with {res.returncode}:\n{res.stderr[-4000:]}")
    return res


def run_json(cmd, **kw):
    """Runs a bench program that prints one JSON object as its last line of standard output."""
    out = run(cmd, **kw).stdout.strip().splitlines()
    return json.loads(out[-1])


def wall(cmd, stdin_path=None):
    """A whole process (a CLI as users run it), its standard input from stdin_path: {"seconds": wall seconds,
    "cpu_seconds": the user + system time of the process and its threads}."""
    with open(stdin_path or os.devnull, "rb") as f:
        c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        res = subprocess.run(cmd, stdin=f, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        seconds = time.perf_counter() - t0
        c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {res.returncode}:\n{res.stderr.decode()[-4000:]}")
    cpu = c1.ru_utime + c1.ru_stime - c0.ru_utime - c0.ru_stime
    return {"seconds": seconds, "cpu_seconds": cpu}


def alternate(tools, runs):
    """tools: {name: fn() -> seconds, or a dict of numbers}. One untimed warm-up of each, then `runs` rounds in
    which every tool runs once, the order rotating round by round (A B C, B C A, ...). Returns {name: median
    seconds}, or {name: {key: median}} for tools that give dicts."""
    names = list(tools)
    for n in names:
        tools[n]()
    times = {n: [] for n in names}
    for r in range(runs):
        for i in range(len(names)):
            n = names[(i + r) % len(names)]
            times[n].append(tools[n]())

    def median(t):
        if isinstance(t[0], dict):
            return {k: statistics.median(x[k] for x in t) for k in t[0]}
        return statistics.median(t)
    return {n: median(t) for n, t in times.items()}


def ffmpeg_source(path, lavfi, size, frames, pix_fmt="rgb24"):
    """Raw frames of an ffmpeg lavfi source (testsrc2, mandelbrot, ...), made once."""
    if not os.path.exists(path):
        run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"{lavfi}=size={size}:rate=30",
             "-frames:v", str(frames), "-f", "rawvideo", "-pix_fmt", pix_fmt, path])
    return path


def _yuv_of(encoded, demux):
    """The decoded pixel format, matrix and range of an encoded file's first video stream (ffprobe)."""
    res = run(["ffprobe", "-v", "error", *demux[:2], "-select_streams", "v:0", "-show_entries",
               "stream=pix_fmt,color_space,color_range", "-of", "json", encoded])
    st = json.loads(res.stdout)["streams"][0]
    matrix = {"bt709": "bt709", "bt2020nc": "bt2020", "bt2020c": "bt2020"}.get(st.get("color_space"), "bt601")
    full = st.get("color_range") == "pc" or st.get("pix_fmt", "").startswith("yuvj")
    return st.get("pix_fmt", "yuv420p"), matrix, "pc" if full else "tv"


def psnr(encoded, source, size, pix_fmt="rgb24", frames=None, raw_h264=False):
    """PSNR of an encoded file against its raw RGB source, in the encoded file's own YUV: the source converted by
    swscale with the matrix and range the file is tagged with (untagged: BT.601 limited), then ffmpeg's psnr
    filter over `frames` frames (default: all). Returns {'y': dB, 'avg': dB} (avg: Y, U and V together)."""
    demux = ["-f", "h264", "-r", "30"] if raw_h264 else []
    yuv, matrix, rng = _yuv_of(encoded, demux)
    src_in = ["-f", "rawvideo", "-pix_fmt", pix_fmt, "-s", size, "-r", "30", "-i", source]
    limit = ["-frames:v", str(frames)] if frames else []
    graph = f"[1:v]scale=out_color_matrix={matrix}:out_range={rng},format={yuv}[b];[0:v][b]psnr"
    res = run(["ffmpeg", "-hide_banner", "-nostats", *demux, "-i", encoded, *src_in, "-lavfi", graph, *limit,
               "-f", "null", "-"])
    m = re.search(r"PSNR y:([\d.inf]+) u:[\d.inf]+ v:[\d.inf]+ average:([\d.inf]+)", res.stderr)
    if not m:
        raise RuntimeError(f"no PSNR for {encoded}:\n{res.stderr[-2000:]}")
    return {"y": float(m.group(1)), "avg": float(m.group(2))}


def fmt_psnr(p):
    return f"{p['y']:.2f} / {p['avg']:.2f}" if p else "-"


def fmt_bytes(n):
    return "-" if n is None else f"{n / 1024:.1f} KiB" if n < 1 << 20 else f"{n / (1 << 20):.2f} MiB"


def table(headers, rows):
    """A markdown table; rows are lists of cells (str() of each)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def ratio(x, base):
    return f"{x / base:.2f}x" if x and base else "-"


class Report:
    """The markdown document: printed as it grows, written to bench/RESULTS.md at the end."""

    def __init__(self, path):
        self.path, self.parts = path, []

    def add(self, text):
        print(text + "\n", flush=True)
        self.parts.append(text)

    def write(self):
        with open(self.path, "w") as f:
            f.write("\n\n".join(self.parts) + "\n")
