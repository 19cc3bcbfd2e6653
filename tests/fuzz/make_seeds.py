#!/usr/bin/python3
"""Writes the seed corpus of the fuzz targets (tests/fuzz/corpus/<target>/): hand-made inputs in each
target's input format that reach a valid encode per container, plus a few error paths. The packets of
the fuzz_encoded seeds are real bitstreams encoded with PyAV (Debian's python3-av).

    /usr/bin/python3 tests/fuzz/make_seeds.py        # rewrites tests/fuzz/corpus/
"""
import os
import struct
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))


def u32(v):
    return struct.pack(">I", v)


def lit(name):  # in_name: a literal name
    return bytes([100]) + name.encode() + b"\0"


NULL_NAME = bytes([0])

# ---- fuzz_api: ops (fuzz_api.c: enum op) ----
ADD_VIDEO, ADD_AUDIO, ADD_ENCODED, OPEN_FILE, OPEN_WRITER, OPEN_MEMORY, ADD_FRAMES, ADD_SAMPLES, ADD_PACKET, \
    CLOSE, OUTPUT, NULL_CALLS, RENEW = range(13)


def add_video(w=32, h=24, codec=None, preset=None, pix=None):
    b = bytes([ADD_VIDEO, 0, w - 1, 0, h - 1, 200, 5])  # width, height, frame_rate 29.97
    b += bytes([0])  # device NULL
    b += lit(codec) if codec else NULL_NAME
    b += bytes([200]) + lit(pix) if pix else bytes([0])
    b += bytes([0])  # crf NAN
    b += bytes([200]) + lit(preset) if preset else bytes([0])
    b += bytes([0, 0, 10])  # bit_rate 0, gop_size 10
    b += bytes([0, 0, 0, 0, 0])  # color_space, color_range NULL, threads 1, options NULL, mode
    return b


def add_audio(rate_index=0, channels=2, codec=None):
    b = bytes([ADD_AUDIO, 0, rate_index, 0, channels - 1])
    b += lit(codec) if codec else NULL_NAME
    return b + bytes([0, 0, 0, 0, 0])  # bit_rate, out rate, out channels, options NULL, mode


def frames(stream, layout, n, smode=0):
    return bytes([ADD_FRAMES, 255, stream, layout, 0, n, 0, smode]) + (bytes([0, 0, 0, 0, 1]) if smode == 3 else b"") + \
        (bytes([8]) if smode == 1 else b"") + bytes([0, 0, 0])


def samples(stream, layout, count):
    return bytes([ADD_SAMPLES, 255, stream, 0, layout, 0, 0]) + u32(count) + bytes([50]) + u32(50) + bytes([0, 0])


def api_seeds():
    mem = lambda fmt: bytes([OPEN_MEMORY]) + lit(fmt)
    f = lambda ext: bytes([OPEN_FILE]) + lit(ext) + bytes([0, 0])
    wr = lambda fmt, seekable: bytes([OPEN_WRITER, seekable, 0, 0]) + lit(fmt) + bytes([0])
    end = bytes([CLOSE, OUTPUT, 0])
    return {
        "mp4_video_audio_memory": add_video(preset="ultrafast") + add_audio() + mem("mp4") +
        frames(0, 1, 2) + samples(1, 1, 2048) + frames(0, 0, 1) + samples(1, 0, 1000) + end,
        "mkv_file_all_layouts": add_video() + f("mkv") + b"".join(frames(0, l, 1) for l in range(5)) + end,
        "webm_writer_nonseek": add_video(codec="libvpx") + add_audio(channels=1) + wr("webm", 0) + frames(0, 2, 2) +
        samples(1, 1, 960) + end,
        "mp4_writer_frag_strides": add_video(preset="ultrafast") + wr("mp4", 0) + frames(0, 1, 2, smode=1) +
        frames(0, 1, 1, smode=3) + frames(0, 4, 2, smode=1) + end,
        "wav_audio": add_audio(rate_index=1, channels=1) + mem("wav") + samples(0, 0, 4000) + end,
        "mov_yuv444": add_video(pix="yuv444p", preset="ultrafast") + f("mov") + frames(0, 3, 2) + end,
        "encoded_then_video": bytes([ADD_ENCODED]) + lit("h264") + bytes([0, 15, 0, 15, 100, 200, 5, 0, 0, 0, 0]) + add_video(w=16, h=16) + mem("matroska") + end,
        "state_errors": frames(0, 0, 1) + bytes([CLOSE, OUTPUT, 0]) + mem("mp4") + add_video() + bytes([NULL_CALLS, 3]) +
        f("mp4") + f("mp4") + frames(0, 1, 1) + bytes([RENEW]) + add_audio(channels=9) + end,
    }


# ---- fuzz_output ----
OUTPUT_CONTAINERS = ["mp4", "frag", "mov", "matroska", "webm", "wav", "ogg", "flac", "mp3", "avi", "mpegts", "nut",
                     "adts", "opus", "ipod", "ismv", "mkv", "mp4", "webm", "matroska", "mov", "mpegts", "flv", "ogg"]


# (takes video, takes audio) of each entry of fuzz_output.c's containers table
OUTPUT_STREAMS = [(1, 1), (1, 1), (1, 1), (1, 1), (1, 1), (0, 1), (0, 1), (0, 1), (0, 1), (1, 1), (1, 1), (1, 1),
                  (0, 1), (0, 1), (1, 1), (1, 1), (1, 1), (1, 0), (1, 0), (1, 0), (1, 0), (1, 0), (1, 1), (1, 0)]


def output_seed(index, streams, sink, fail=None, seek_fail=None, chunks=4):
    takes_video, takes_audio = OUTPUT_STREAMS[index]
    video = takes_video and (streams & 1 or not takes_audio)
    audio = takes_audio and (streams & 2 or not video)
    b = bytes([index, streams, 8, 6, 0, 1, sink])
    if fail is not None:
        b += bytes([10]) + u32(fail)
    elif seek_fail is not None:
        b += bytes([170, seek_fail])
    else:
        b += bytes([255])
    if video:
        b += bytes([1])  # 25 fps
    b += bytes([chunks - 1])
    for c in range(chunks):
        to_video = video and (not audio or c & 1)
        if video and audio:
            b += bytes([c & 1])
        b += bytes([2, c]) if to_video else u32(1500)
    return b


def output_seeds():
    seeds = {}
    for i, name in enumerate(OUTPUT_CONTAINERS):
        seeds["%02d_%s_memory" % (i, name)] = output_seed(i, 3, 0)
    seeds["mp4_short_write_at_100"] = output_seed(0, 3, 1, fail=100)
    seeds["mp4_write_fails_at_0"] = output_seed(0, 1, 1, fail=0)
    seeds["mp4_seek_fails"] = output_seed(0, 3, 1, seek_fail=0)
    seeds["mkv_seek_fails_2"] = output_seed(3, 3, 1, seek_fail=2)
    seeds["frag_short_write"] = output_seed(1, 3, 2, fail=3000)
    seeds["webm_nonseek"] = output_seed(4, 3, 2)
    seeds["wav_nonseek"] = output_seed(5, 2, 2)
    return seeds


# ---- fuzz_encoded ----
ENC_CODECS = ["h264", "hevc", "vp9", "av1", "vp8", "mpeg4", "mjpeg", "prores", "rawvideo", "theora", "mpeg2video", "png",
              "ffv1", "dnxhd", "h263", "flv1", "vvc"]
ENC_CONTAINERS = ["mp4", "mov", "matroska", "webm", "mpegts", "nut", "avi", "ivf", "h264", "hevc", "flv", "ogg", "ipod",
                  "ismv", "mkv", "obu", "mxf", "3gp", "f4v", "asf"]


def encode_packets(codec, global_header, n=4):
    import av
    ctx = av.CodecContext.create(codec, "w")
    ctx.width, ctx.height, ctx.pix_fmt = 32, 32, "yuv420p"
    ctx.time_base = Fraction(1, 25)
    ctx.framerate = 25
    ctx.gop_size = 2
    if global_header:
        ctx.global_header = True
    if codec == "libx264":
        ctx.options = {"preset": "ultrafast", "bframes": "0"}
    if codec == "libaom-av1":
        ctx.options = {"cpu-used": "8", "usage": "realtime"}
    packets = []
    for i in range(n):
        frame = av.VideoFrame(32, 32, "yuv420p")
        for p in frame.planes:
            p.update(bytes([(i * 40 + k) & 255 for k in range(p.buffer_size)]))
        frame.pts = i
        packets += ctx.encode(frame)
    packets += ctx.encode(None)
    extradata = ctx.extradata or b""
    return extradata, [(bytes(p), p.pts, p.dts, p.is_keyframe) for p in packets]


def encoded_seed(codec, container, extradata, packets, sink):
    b = bytes([ENC_CODECS.index(codec), ENC_CONTAINERS.index(container), 0, 31, 0, 31])
    b += bytes([0, 1, 0]) + u32(0) + bytes([0]) + u32(24)  # frame_rate 0, time base 1/25
    b += u32(len(extradata)) + extradata + bytes([sink, 0])
    b += bytes([0]) + u32(100)  # first dts 0
    b += bytes([len(packets)])
    for i, (data, pts, dts, key) in enumerate(packets):
        b += bytes([100]) + u32(len(data)) + data
        b += bytes([0, 1, 0, 0, 0, 1])  # dts + 1, pts = dts, duration 1
        b += bytes([0]) if i == 0 else bytes([1 if key else 0])
    return b


def encoded_seeds():
    seeds = {}
    h264_annexb = encode_packets("libx264", False)
    h264_avcc = encode_packets("libx264", True)
    vp9 = encode_packets("libvpx-vp9", False)
    av1 = encode_packets("libaom-av1", False, n=2)
    mpeg4 = encode_packets("mpeg4", True)
    for container, sink in [("mp4", 0), ("matroska", 1), ("mpegts", 2), ("mov", 1), ("flv", 0), ("h264", 2)]:
        seeds["h264_annexb_" + container] = encoded_seed("h264", container, b"", h264_annexb[1], sink)
    for container, sink in [("mp4", 0), ("mp4", 2), ("matroska", 0), ("mov", 1)]:
        seeds["h264_avcc_%s_%d" % (container, sink)] = encoded_seed("h264", container, *h264_avcc, sink)
    for container, sink in [("webm", 0), ("mp4", 1), ("ivf", 2), ("matroska", 2)]:
        seeds["vp9_" + container] = encoded_seed("vp9", container, *vp9, sink)
    for container, sink in [("mp4", 0), ("webm", 1), ("obu", 0), ("matroska", 2)]:
        seeds["av1_" + container] = encoded_seed("av1", container, *av1, sink)
    for container, sink in [("avi", 1), ("mp4", 0), ("nut", 0)]:
        seeds["mpeg4_" + container] = encoded_seed("mpeg4", container, *mpeg4, sink)
    return seeds


def write(target, seeds):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    for name in os.listdir(d):
        os.remove(os.path.join(d, name))
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    write("fuzz_api", api_seeds())
    write("fuzz_output", output_seeds())
    write("fuzz_encoded", encoded_seeds())
