"""Section 4, the browser: bench/browser/bench.mjs as it is (headless Chromium: polyenc with WebCodecs, polyenc
with x264 in wasm, Mediabunny with WebCodecs; H.264 at the same bitrate), its table with PSNR added (the last
run's MP4 of each tool against the page's frames, bench/wasm/frames.mjs). Without Chromium, playwright-core or
Mediabunny the section says 'not available'."""
import json
import os
import shutil

from common import ROOT, fmt_bytes, fmt_psnr, psnr, run, table
from wasm import SIZE, source

NAMES = {"polyenc-auto": "polyenc auto (WebCodecs + polyenc's muxer)", "polyenc-wasm": "polyenc wasm (x264 veryfast)",
         "mediabunny": "Mediabunny (WebCodecs + its muxer)"}


def missing():
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    needs = {chromium: "Chromium", os.path.join(ROOT, "js/node_modules/playwright-core"): "playwright-core (npm ci in js/)",
             os.path.join(ROOT, "bench/browser/node_modules/mediabunny"): "mediabunny (npm ci in bench/browser)"}
    return [what for path, what in needs.items() if not (os.path.exists(path) or shutil.which(path))]


def section(o, report):
    n = o.browser_frames
    title = (f"## 4. Browser (bench/browser/bench.mjs)\n\n{n} frames {SIZE}, H.264 at 4 Mb/s into MP4 in headless "
             f"Chromium, median of {o.runs} runs in rotating order after a warm-up.\n\n")
    headers = ["tool", "time s", "fps", "fps / Mediabunny", "size", "kb/s", "PSNR Y / avg dB"]
    lacking = missing()
    if lacking:
        report.add(title + table(headers, [["all three", f"not available: {', '.join(lacking)} not installed",
                                            "-", "-", "-", "-", "-"]]))
        return
    run(["node", os.path.join(ROOT, "bench/browser/bench.mjs"), "--frames", str(n), "--runs", str(o.runs)], cwd=ROOT)
    res = json.load(open(os.path.join(ROOT, "bench/out/browser-bench.json")))
    src = source(n)
    mb = res["results"]["mediabunny"]
    rows = []
    for tool, r in res["results"].items():
        rows.append([NAMES.get(tool, tool), f"{r['median']:.3f}", f"{r['fps']:.1f}", f"{r['fps'] / mb['fps']:.2f}x",
                     fmt_bytes(r["medianBytes"]), f"{r['kbps']:.0f}", fmt_psnr(psnr(r["files"][-1], src, SIZE, "rgba"))])
    goals = "; ".join(f"{k} {v['ratio']:.2f}x" for k, v in res["goals"].items())
    report.add(title + f"{res['browser']}; polyenc's {res['polyencBackend'].get('variant')} build; Mediabunny "
               f"{res['mediabunny']}. The bench's goals (fps ratios, not gated here): {goals}.\n\n" + table(headers, rows))
