"""Section 1, native libx264 into mp4: polyenc's CLI, polyenc's C API in-process, the ffmpeg CLI, PyAV in-process,
and libx264 called directly on yuv420p (the encode-only limit). One table per content x size x preset."""
import os

import goals
from common import BUILD, PYTHON, ROOT, WORK, alternate, ffmpeg_source, fmt_bytes, fmt_psnr, psnr, ratio, \
    run, run_json, table, wall

TOOLS = ["polyenc CLI", "polyenc C API", "ffmpeg CLI", "PyAV", "libx264 direct (limit)"]


def commands(o, size, preset, src, yuv, out):
    """The five tools as {name: (fn() -> seconds, output file, raw h264?)}."""
    n, t = str(o.frames), str(o.threads)
    cli = [os.path.join(BUILD, "polyenc"), "encode", "--video", f"{size}@30", "--layout", "rgb24", "--codec", "libx264",
           "--preset", preset, "--threads", t, out["polyenc CLI"]]
    ffmpeg = ["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", size, "-r", "30", "-i", "-",
              "-frames:v", n, "-c:v", "libx264", "-preset", preset, "-pix_fmt", "yuv420p", "-threads", t,
              out["ffmpeg CLI"]]
    api = [os.path.join(BUILD, "bench/native/polyenc_bench_api"), src, size, n, preset, t, out["polyenc C API"]]
    pyav = [PYTHON, os.path.join(ROOT, "bench/native/pyav.py"), src, size, n, preset, t, out["PyAV"]]
    x264 = [os.path.join(BUILD, "bench/native/polyenc_bench_x264"), yuv, size, n, preset, t,
            out["libx264 direct (limit)"]]
    return {
        "polyenc CLI": lambda: wall(cli, src),
        "polyenc C API": lambda: run_json(api),
        "ffmpeg CLI": lambda: wall(ffmpeg, src),
        "PyAV": lambda: run_json(pyav),
        "libx264 direct (limit)": lambda: run_json(x264),
    }


def one_case(o, content, size, preset):
    tag = f"{content}-{size}"
    src = ffmpeg_source(os.path.join(WORK, f"{tag}-{o.frames}.rgb"), content, size, o.frames)
    # the limit's input: the same frames converted once to yuv420p by swscale (BT.601 limited, as the others)
    yuv = os.path.join(WORK, f"{tag}-{o.frames}.yuv")
    if not os.path.exists(yuv):
        run(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", size, "-i", src,
             "-f", "rawvideo", "-pix_fmt", "yuv420p", yuv])
    out = {name: os.path.join(WORK, f"native-{tag}-{preset}-{i}.{'h264' if 'limit' in name else 'mp4'}")
           for i, name in enumerate(TOOLS)}
    medians = alternate(commands(o, size, preset, src, yuv, out), o.runs)
    rows = []
    base, api_s = medians["polyenc CLI"]["seconds"], medians["polyenc C API"]["seconds"]
    for name in TOOLS:
        s, cpu = medians[name]["seconds"], medians[name]["cpu_seconds"]
        p = psnr(out[name], src, size, raw_h264="limit" in name)
        rows.append([name, f"{s:.3f}", f"{cpu:.3f} ({cpu / s:.2f})", f"{o.frames / s:.1f}",
                     fmt_bytes(os.path.getsize(out[name])), fmt_psnr(p), ratio(s, base), ratio(s, api_s)])
    where = f"{content} {size}"
    if preset == "ultrafast" and size == "1920x1080":
        goals.record("native-limit", where, api_s / medians["libx264 direct (limit)"]["seconds"])
    if preset in ("ultrafast", "medium"):
        goals.record(f"native-cli-{preset}", where, base / medians["ffmpeg CLI"]["seconds"])
    title = (f"### {content} {size}, preset {preset}\n\n{o.frames} frames rgb24, libx264 crf 23 (default), "
             f"{o.threads} threads, median of {o.runs} alternating runs after a warm-up\n\n")
    return title + table(["tool", "time s", "CPU s (cores busy)", "fps", "size", "PSNR Y / avg dB", "time / CLI",
                          "time / C API"], rows)


def section(o, report):
    report.add("## 1. Native: libx264 into mp4\n\n"
               "Timed: the CLIs as whole processes (raw rgb24 on standard input); the C API, PyAV and libx264 "
               "in-process from encoder open to the last packet (input already in memory, each page read once "
               "before the timing). CPU s: the user + system time of every thread over the same span (the whole "
               "process for the CLIs), and in brackets how many of the machine's cores that kept busy. The limit is "
               "x264_encoder_encode on yuv420p frames, no conversion and no muxing (raw .h264). "
               "PSNR: the output decoded by ffmpeg against the raw source converted to the output's YUV.")
    for content in o.contents:
        for size in o.sizes:
            for preset in o.presets:
                report.add(one_case(o, content, size, preset))
