"""The performance goals (bench/README.md) against what this run measured: each section records its ratios with
`record`, and main.py writes the table `table()` returns near the top of bench/RESULTS.md. Never a gate: a goal
missed is shown, not failed."""
from common import table as md_table

# key: (case, goal as text, "max" when the measured ratio must be at most the bound / "min": at least, bound)
GOALS = {
    "wasm-st-ultrafast": ("wasm single-threaded ultrafast, fps vs ffmpeg.wasm", "min", 1.6),
    "wasm-st-medium": ("wasm single-threaded medium, fps vs ffmpeg.wasm", "min", 2.0),
    "wasm-mt-medium": ("wasm threaded medium, fps vs ffmpeg.wasm", "min", 2.0),
    "native-limit": ("native C API, time vs the encode-only limit, ultrafast 1920x1080", "max", 1.05),
    "native-cli-ultrafast": ("polyenc CLI, time vs the ffmpeg CLI, ultrafast", "max", 0.60),
    "native-cli-medium": ("polyenc CLI, time vs the ffmpeg CLI, medium", "max", 0.85),
    "clips": ("small clips, clips/s vs PyAV", "min", 1.5),
    "memory": ("memory, peak RSS of the long encode vs the short", "max", 1.1),
}

_measured = {key: [] for key in GOALS}


def record(key, where, value):
    """One measurement of goal `key` (a ratio), `where` naming the case it came from (content, size, tool)."""
    _measured[key].append((where, value))


def table():
    """The goals table, or None when no section recorded anything."""
    rows = []
    for key, (case, sense, bound) in GOALS.items():
        for where, value in _measured[key]:
            met = value <= bound if sense == "max" else value >= bound
            rows.append([case, f"{'≤' if sense == 'max' else '≥'} {bound:.2f}x", where, f"{value:.2f}x",
                         "met" if met else "not met"])
    if not rows:
        return None
    return ("## Goals\n\nThe ratios of bench/README.md's goals, from the tables below (medians); "
            "bench/README.md says what limits the ones not met.\n\n" +
            md_table(["case", "goal", "measured on", "ratio", ""], rows))
