"""Section 3, WebAssembly in Node: bench/wasm/bench.mjs (polyenc.wasm vs ffmpeg.wasm, single-threaded and
threaded, libx264 crf 23), and bench/wasm/h264mp4.mjs (polyenc.wasm st vs h264-mp4-encoder, whose own encoder is
not x264: its quantizer is chosen so that its PSNR is the closest to polyenc's). PSNR against the raw RGBA frames
of bench/wasm/frames.mjs. A peer whose npm package is not installed gets a 'not available' row."""
import json
import os

import goals
from common import ROOT, WORK, fmt_bytes, fmt_psnr, psnr, run, run_json, table

SIZE = "1280x720"
MODULES = os.path.join(ROOT, "bench/wasm/node_modules")


def source(frames):
    path = os.path.join(WORK, f"wasm-frames-{SIZE}-{frames}.rgba")
    if not os.path.exists(path):
        run(["node", os.path.join(ROOT, "bench/wasm/frames.mjs"), str(frames), SIZE, path])
    return path


def vs_ffmpeg(o):
    presets = o.presets if not o.quick else ["ultrafast"]
    headers = ["config", "tool", "time s", "fps", "size", "PSNR Y / avg dB", "time / polyenc.wasm"]
    if not all(os.path.isdir(os.path.join(MODULES, "@ffmpeg", p)) for p in ("core", "core-mt")):
        return table(headers, [["st, mt", "ffmpeg.wasm (@ffmpeg/core 0.12.10)", "not available: npm ci in "
                                "bench/wasm did not install it", "-", "-", "-", "-"]])
    frames_medium = max(1, o.wasm_frames // 4)
    run(["node", os.path.join(ROOT, "bench/wasm/bench.mjs"), "--frames", str(o.wasm_frames), "--frames-medium",
         str(frames_medium), "--runs", str(o.runs), "--presets", ",".join(presets)], cwd=ROOT)
    res = json.load(open(os.path.join(ROOT, "bench/out/wasm-bench.json")))
    src = source(max(r["frames"] for r in res["results"]))
    rows = []
    for r in res["results"]:
        key = f"wasm-{r['variant']}-{r['preset']}"
        if key in goals.GOALS:
            goals.record(key, f"{r['threads']} thread(s), {r['frames']} frames",
                         r["ffmpeg"]["median"] / r["polyenc"]["median"])
        for tool, name in (("polyenc", "polyenc.wasm"), ("ffmpeg", "ffmpeg.wasm")):
            x = r[tool]
            rows.append([f"{r['variant']} {r['preset']} t{r['threads']}, {r['frames']} frames", name,
                         f"{x['median']:.3f}", f"{x['fps']:.1f}", fmt_bytes(x["bytes"]),
                         fmt_psnr(psnr(x["file"], src, SIZE, "rgba", frames=r["frames"])), f"{x['median'] / r['polyenc']['median']:.2f}x"])
    return table(headers, rows)


def h264mp4(o):
    n = o.wasm_frames
    src = source(n)
    out = os.path.join(WORK, "h264mp4")
    script = ["node", os.path.join(ROOT, "bench/wasm/h264mp4.mjs"), "--frames", str(n), "--size", SIZE,
              "--out-dir", out]
    headers = ["tool", "setting", "time s", "fps", "size", "PSNR Y / avg dB", "time / polyenc.wasm"]
    ours = run_json(script + ["--tools", "polyenc", "--runs", "0"])["result"]["polyenc"]
    target = psnr(ours["file"], src, SIZE, "rgba")
    if not os.path.isdir(os.path.join(MODULES, "h264-mp4-encoder")):
        timed = run_json(script + ["--tools", "polyenc", "--runs", str(o.runs)])["result"]
        return table(headers, [
            ["polyenc.wasm st", "x264 ultrafast crf 23", f"{timed['polyenc']['median']:.3f}",
             f"{n / timed['polyenc']['median']:.1f}", fmt_bytes(ours["bytes"]), fmt_psnr(target), "1.00x"],
            ["h264-mp4-encoder", "not available: npm ci in bench/wasm did not install it", "-", "-", "-", "-", "-"]])

    cache = {}

    def theirs(qp):  # PSNR of h264-mp4-encoder at quantizer qp
        if qp not in cache:
            r = run_json(script + ["--tools", "h264mp4", "--runs", "0", "--qp", str(qp)])["result"]["h264mp4"]
            cache[qp] = psnr(r["file"], src, SIZE, "rgba")
        return cache[qp]["y"]

    lo, hi = 10, 51  # PSNR falls as qp rises: the largest qp whose PSNR still reaches polyenc's, or the next one
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if theirs(mid) >= target["y"] else (lo, mid - 1)
    best = min((q for q in (lo, lo + 1) if q <= 51), key=lambda q: abs(theirs(q) - target["y"]))
    res = run_json(script + ["--qp", str(best), "--runs", str(o.runs)])
    p, h = res["result"]["polyenc"], res["result"]["h264mp4"]
    return table(headers, [
        ["polyenc.wasm st", "x264 ultrafast crf 23", f"{p['median']:.3f}", f"{n / p['median']:.1f}",
         fmt_bytes(p["bytes"]), fmt_psnr(target), "1.00x"],
        ["h264-mp4-encoder 1.0.12", f"speed {res['speed']}, qp {best} (PSNR closest to polyenc's)",
         f"{h['median']:.3f}", f"{n / h['median']:.1f}", fmt_bytes(h["bytes"]), fmt_psnr(cache[best]),
         f"{h['median'] / p['median']:.2f}x"]])


def section(o, report):
    report.add("## 3. WebAssembly in Node\n\n### polyenc.wasm vs ffmpeg.wasm (bench/wasm/bench.mjs)\n\n"
               f"{SIZE} RGBA frames, libx264 crf 23 into mp4, median of {o.runs} alternating runs after a warm-up "
               "(slower presets get a quarter of the frames).\n\n" + vs_ffmpeg(o))
    report.add("### polyenc.wasm vs h264-mp4-encoder at equal PSNR (bench/wasm/h264mp4.mjs)\n\n"
               f"{o.wasm_frames} frames {SIZE} RGBA into mp4, single-threaded, median of {o.runs} alternating runs "
               "after a warm-up.\n\n" + h264mp4(o))
