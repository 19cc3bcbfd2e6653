"""The machine the suite ran on: CPU, cores, memory, OS, and the versions of the tools compared."""
import os
import platform
import re
import subprocess

from common import BUILD, PYTHON, table


def _out(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ""


def _first(pattern, text, default="not found"):
    m = re.search(pattern, text, re.M)
    return m.group(1).strip() if m else default


def _deb(package):
    return _out(["dpkg-query", "-W", "-f=${Version}", package]) or "not installed"


def describe():
    cpuinfo = open("/proc/cpuinfo").read()
    meminfo = open("/proc/meminfo").read()
    os_release = open("/etc/os-release").read() if os.path.exists("/etc/os-release") else ""
    ffmpeg = _out(["ffmpeg", "-hide_banner", "-version"])
    ffmpeg_version = _first(r"^ffmpeg version (\S+)", ffmpeg)
    avcodec = re.sub(r"\s+", " ", _first(r"^(libavcodec .*)$", ffmpeg))
    distro = _first(r'^PRETTY_NAME="?([^"]*)', os_release)
    mem_gib = int(_first(r"^MemTotal:\s*(\d+)", meminfo, "0")) / 2**20
    rows = [
        ["CPU", _first(r"^model name\s*:\s*(.*)$", cpuinfo)],
        ["cores", f"{os.cpu_count()} online ({len(os.sched_getaffinity(0))} usable by this process)"],
        ["memory", f"{mem_gib:.1f} GiB"],
        ["OS", f"{distro}, Linux {platform.release()}"],
        ["FFmpeg", f"{ffmpeg_version} ({avcodec})"],
        ["x264", f"libx264-164 {_deb('libx264-164')}"],
        ["polyenc", _first(r"polyenc (\S+)", _out([os.path.join(BUILD, "polyenc"), "info"]))],
        ["PyAV", _out([PYTHON, "-c", "import av; print(av.__version__)"]).strip() or "not installed"],
        ["Node", _out(["node", "--version"]).strip() or "not installed"],
        ["Chromium", _out(["chromium", "--version"]).strip() or "not installed"],
    ]
    return table(["machine", ""], rows)
