/* Smoke test for the wasm dependency prefixes (wasm/build-deps.sh).
 *
 * Encodes a moving RGB gradient (swscale RGB24 -> YUV420P, libx264) and,
 * optionally, a 440 Hz tone (swresample FLT -> FLTP, aac) into an MP4 that is
 * written to memory through a custom AVIOContext (write + seek callbacks),
 * then writes those bytes to a file (NODERAWFS under Node) and prints timing.
 * All frames are generated and converted first (timed apart), so the encode
 * timing is libx264 + muxing only.
 *
 * usage: smoke OUT|- WIDTH HEIGHT FRAMES THREADS PRESET AUDIO(0|1) [KEY=VALUE ...]
 *   keys: format (mp4), vcodec (libx264), acodec (aac), x264-params.
 *   PRESET is x264's preset; for libvpx* it is ignored (deadline=realtime,
 *   cpu-used=8).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>

#define FPS 30
#define SAMPLE_RATE 48000
#define CHANNELS 2

#define CHECK(expr)                                                             \
    do {                                                                        \
        int ret_ = (expr);                                                      \
        if (ret_ < 0) {                                                         \
            fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #expr, \
                    av_err2str(ret_));                                          \
            exit(1);                                                            \
        }                                                                       \
    } while (0)
#define CHECK_PTR(p)                                                            \
    do {                                                                        \
        if (!(p)) {                                                             \
            fprintf(stderr, "%s:%d: %s is NULL\n", __FILE__, __LINE__, #p);     \
            exit(1);                                                            \
        }                                                                       \
    } while (0)

/* ---- growable memory sink with seek ---- */
typedef struct {
    uint8_t *data;
    size_t size, cap, pos;
} MemSink;

#if LIBAVFORMAT_VERSION_MAJOR >= 61
#define AVIO_WBUF const uint8_t * /* FFmpeg 7+: const write buffer */
#else
#define AVIO_WBUF uint8_t *
#endif
static int mem_write(void *opaque, AVIO_WBUF buf, int n)
{
    MemSink *m = opaque;
    size_t end = m->pos + (size_t)n;
    if (end > m->cap) {
        size_t cap = m->cap ? m->cap : 1 << 16;
        while (cap < end) cap *= 2;
        uint8_t *p = realloc(m->data, cap);
        if (!p) return AVERROR(ENOMEM);
        m->data = p;
        m->cap = cap;
    }
    if (m->pos > m->size) memset(m->data + m->size, 0, m->pos - m->size);
    memcpy(m->data + m->pos, buf, (size_t)n);
    m->pos = end;
    if (end > m->size) m->size = end;
    return n;
}

static int64_t mem_seek(void *opaque, int64_t off, int whence)
{
    MemSink *m = opaque;
    int64_t base;
    switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE: return (int64_t)m->size;
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = (int64_t)m->pos; break;
    case SEEK_END: base = (int64_t)m->size; break;
    default: return AVERROR(EINVAL);
    }
    if (base + off < 0) return AVERROR(EINVAL);
    m->pos = (size_t)(base + off);
    return (int64_t)m->pos;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void write_packets(AVFormatContext *oc, AVCodecContext *c, AVStream *st, AVPacket *pkt,
                          int *count)
{
    for (;;) {
        int ret = avcodec_receive_packet(c, pkt);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return;
        CHECK(ret);
        av_packet_rescale_ts(pkt, c->time_base, st->time_base);
        if (pkt->duration == 0 && c->codec_type == AVMEDIA_TYPE_VIDEO) pkt->duration = 1;
        pkt->stream_index = st->index;
        if (count) (*count)++;
        CHECK(av_interleaved_write_frame(oc, pkt));
    }
}

int main(int argc, char **argv)
{
    if (argc < 8) {
        fprintf(stderr, "usage: %s OUT|- WIDTH HEIGHT FRAMES THREADS PRESET AUDIO [KEY=VALUE ...]\n",
                argv[0]);
        return 2;
    }
    const char *out_path = argv[1];
    int w = atoi(argv[2]), h = atoi(argv[3]), nframes = atoi(argv[4]);
    int threads = atoi(argv[5]);
    const char *preset = argv[6];
    int with_audio = atoi(argv[7]);
    const char *x264_params = "", *format = "mp4", *vcodec_name = "libx264", *acodec_name = "aac";
    for (int i = 8; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        if (!eq) { fprintf(stderr, "expected KEY=VALUE, got %s\n", argv[i]); return 2; }
        size_t kl = (size_t)(eq - argv[i]);
        if (kl == 11 && !strncmp(argv[i], "x264-params", kl)) x264_params = eq + 1;
        else if (kl == 6 && !strncmp(argv[i], "format", kl)) format = eq + 1;
        else if (kl == 6 && !strncmp(argv[i], "vcodec", kl)) vcodec_name = eq + 1;
        else if (kl == 6 && !strncmp(argv[i], "acodec", kl)) acodec_name = eq + 1;
        else { fprintf(stderr, "unknown key in %s\n", argv[i]); return 2; }
    }

    av_log_set_level(getenv("SMOKE_VERBOSE") ? AV_LOG_INFO : AV_LOG_WARNING);
    printf("libavcodec %s, libavformat %s, configured threads=%d\n", AV_STRINGIFY(LIBAVCODEC_VERSION),
           AV_STRINGIFY(LIBAVFORMAT_VERSION), threads);

    MemSink sink = {0};
    AVFormatContext *oc = NULL;
    CHECK(avformat_alloc_output_context2(&oc, NULL, format, NULL));
    const int avio_buf_size = 1 << 16;
    uint8_t *avio_buf = av_malloc(avio_buf_size);
    CHECK_PTR(avio_buf);
    oc->pb = avio_alloc_context(avio_buf, avio_buf_size, 1, &sink, NULL, mem_write, mem_seek);
    CHECK_PTR(oc->pb);
    oc->flags |= AVFMT_FLAG_CUSTOM_IO;

    /* video */
    const AVCodec *vcodec = avcodec_find_encoder_by_name(vcodec_name);
    CHECK_PTR(vcodec);
    AVCodecContext *vc = avcodec_alloc_context3(vcodec);
    CHECK_PTR(vc);
    vc->width = w;
    vc->height = h;
    vc->pix_fmt = AV_PIX_FMT_YUV420P;
    vc->time_base = (AVRational){1, FPS};
    vc->framerate = (AVRational){FPS, 1};
    vc->gop_size = FPS;
    vc->thread_count = threads;
    if (oc->oformat->flags & AVFMT_GLOBALHEADER) vc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if (!strcmp(vcodec_name, "libx264")) {
        CHECK(av_opt_set(vc->priv_data, "preset", preset, 0));
        if (*x264_params) CHECK(av_opt_set(vc->priv_data, "x264-params", x264_params, 0));
    } else if (!strncmp(vcodec_name, "libvpx", 6)) {
        CHECK(av_opt_set(vc->priv_data, "deadline", "realtime", 0));
        CHECK(av_opt_set_int(vc->priv_data, "cpu-used", 8, 0));
        vc->bit_rate = 1000000;
    }
    CHECK(avcodec_open2(vc, vcodec, NULL));
    AVStream *vst = avformat_new_stream(oc, NULL);
    CHECK_PTR(vst);
    vst->time_base = vc->time_base;
    CHECK(avcodec_parameters_from_context(vst->codecpar, vc));

    /* audio */
    AVCodecContext *ac = NULL;
    AVStream *ast = NULL;
    SwrContext *swr = NULL;
    if (with_audio) {
        const AVCodec *acodec = avcodec_find_encoder_by_name(acodec_name);
        CHECK_PTR(acodec);
        ac = avcodec_alloc_context3(acodec);
        CHECK_PTR(ac);
        ac->sample_fmt = AV_SAMPLE_FMT_FLTP; /* aac; else the codec's first FLTP/FLT/first */
        if (acodec->sample_fmts) {
            const enum AVSampleFormat *f = acodec->sample_fmts;
            ac->sample_fmt = f[0];
            for (; *f != AV_SAMPLE_FMT_NONE; f++)
                if (*f == AV_SAMPLE_FMT_FLTP || *f == AV_SAMPLE_FMT_FLT) { ac->sample_fmt = *f; break; }
        }
        ac->sample_rate = SAMPLE_RATE;
        av_channel_layout_default(&ac->ch_layout, CHANNELS);
        ac->bit_rate = 128000;
        ac->time_base = (AVRational){1, SAMPLE_RATE};
        if (oc->oformat->flags & AVFMT_GLOBALHEADER) ac->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
        CHECK(avcodec_open2(ac, acodec, NULL));
        ast = avformat_new_stream(oc, NULL);
        CHECK_PTR(ast);
        ast->time_base = ac->time_base;
        CHECK(avcodec_parameters_from_context(ast->codecpar, ac));
        AVChannelLayout in_layout;
        av_channel_layout_default(&in_layout, CHANNELS);
        CHECK(swr_alloc_set_opts2(&swr, &ac->ch_layout, ac->sample_fmt, ac->sample_rate, &in_layout,
                                  AV_SAMPLE_FMT_FLT, SAMPLE_RATE, 0, NULL));
        CHECK(swr_init(swr));
    }

    CHECK(avformat_write_header(oc, NULL));

    /* frames */
    struct SwsContext *sws = sws_getContext(w, h, AV_PIX_FMT_RGB24, w, h, AV_PIX_FMT_YUV420P,
                                            SWS_BILINEAR, NULL, NULL, NULL);
    CHECK_PTR(sws);
    uint8_t *rgb = malloc((size_t)w * h * 3);
    CHECK_PTR(rgb);
    AVFrame **frames = calloc((size_t)nframes, sizeof(*frames));
    CHECK_PTR(frames);
    double t_convert = now_s();
    for (int i = 0; i < nframes; i++) {
        /* moving gradient: RGB24 -> YUV420P through swscale */
        for (int y = 0; y < h; y++) {
            uint8_t *row = rgb + (size_t)y * w * 3;
            for (int x = 0; x < w; x++) {
                row[3 * x + 0] = (uint8_t)(x + 4 * i);
                row[3 * x + 1] = (uint8_t)(y + 2 * i);
                row[3 * x + 2] = (uint8_t)((x + y) / 2 - 3 * i);
            }
        }
        AVFrame *vf = frames[i] = av_frame_alloc();
        CHECK_PTR(vf);
        vf->format = vc->pix_fmt;
        vf->width = w;
        vf->height = h;
        CHECK(av_frame_get_buffer(vf, 0));
        const uint8_t *src[1] = {rgb};
        int src_stride[1] = {w * 3};
        sws_scale(sws, src, src_stride, 0, h, vf->data, vf->linesize);
        vf->pts = i;
    }
    t_convert = now_s() - t_convert;
    AVPacket *pkt = av_packet_alloc();
    CHECK_PTR(pkt);

    AVFrame *af = NULL;
    float *pcm = NULL;
    int64_t audio_next = 0, audio_total = SAMPLE_RATE; /* 1 s of tone */
    if (with_audio) {
        af = av_frame_alloc();
        CHECK_PTR(af);
        pcm = malloc(sizeof(float) * CHANNELS * ac->frame_size);
        CHECK_PTR(pcm);
    }

    int vpackets = 0, apackets = 0;
    double t0 = now_s();
    for (int i = 0; i < nframes; i++) {
        CHECK(avcodec_send_frame(vc, frames[i]));
        write_packets(oc, vc, vst, pkt, &vpackets);

        /* audio up to the end of this video frame */
        while (with_audio && audio_next < audio_total &&
               audio_next * FPS < (int64_t)(i + 1) * SAMPLE_RATE) {
            int n = ac->frame_size;
            if (audio_next + n > audio_total) n = (int)(audio_total - audio_next);
            for (int s = 0; s < n; s++) {
                float v = 0.5f * sinf(2.0f * (float)M_PI * 440.0f * (float)(audio_next + s) / SAMPLE_RATE);
                for (int ch = 0; ch < CHANNELS; ch++) pcm[s * CHANNELS + ch] = v;
            }
            av_frame_unref(af);
            af->format = ac->sample_fmt;
            af->sample_rate = ac->sample_rate;
            CHECK(av_channel_layout_copy(&af->ch_layout, &ac->ch_layout));
            af->nb_samples = n;
            CHECK(av_frame_get_buffer(af, 0));
            const uint8_t *in[1] = {(const uint8_t *)pcm};
            int got = swr_convert(swr, af->data, n, in, n);
            CHECK(got);
            af->nb_samples = got;
            af->pts = audio_next;
            audio_next += n;
            CHECK(avcodec_send_frame(ac, af));
            write_packets(oc, ac, ast, pkt, &apackets);
        }
    }
    CHECK(avcodec_send_frame(vc, NULL));
    write_packets(oc, vc, vst, pkt, &vpackets);
    double t_video = now_s() - t0;
    if (with_audio) {
        CHECK(avcodec_send_frame(ac, NULL));
        write_packets(oc, ac, ast, pkt, &apackets);
    }
    CHECK(av_write_trailer(oc));
    avio_flush(oc->pb);

    printf("encoded %s %dx%d %d frames (%d video packets) + %s (%d audio packets) -> %s, preset=%s "
           "threads=%d%s%s\n",
           vcodec_name, w, h, nframes, vpackets, with_audio ? acodec_name : "no audio", apackets,
           format, preset, threads, *x264_params ? " x264-params=" : "", x264_params);
    printf("rgb24->yuv420p (generate + swscale): %.3f s, %.2f fps\n", t_convert, nframes / t_convert);
    printf("encode: %.3f s, %.2f fps\n", t_video, nframes / t_video);
    printf("bytes in memory: %zu\n", sink.size);

    if (strcmp(out_path, "-") != 0) {
        FILE *f = fopen(out_path, "wb");
        if (!f || fwrite(sink.data, 1, sink.size, f) != sink.size || fclose(f) != 0) {
            fprintf(stderr, "cannot write %s: %s\n", out_path, strerror(errno));
            return 1;
        }
        printf("wrote %s\n", out_path);
    }

    av_packet_free(&pkt);
    for (int i = 0; i < nframes; i++) av_frame_free(&frames[i]);
    free(frames);
    av_frame_free(&af);
    free(pcm);
    free(rgb);
    sws_freeContext(sws);
    swr_free(&swr);
    avcodec_free_context(&vc);
    avcodec_free_context(&ac);
    av_freep(&oc->pb->buffer);
    avio_context_free(&oc->pb);
    avformat_free_context(oc);
    free(sink.data);
    return 0;
}
