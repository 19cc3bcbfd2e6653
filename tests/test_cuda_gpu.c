/* CUDA video streams on a GPU (each case skipped with exit code 77 when polyenc_cuda_device_count() is 0):
 * the real kernel against its emulation, encodes from device memory decoded back, mixed CPU + CUDA
 * streams, NVENC errors, CUDA DLPack tensors, bad pointers, and frames still being written on another
 * CUDA stream. (What needs no GPU: test_cuda.c.) */
#include "test_cuda_common.h"

#define CASES(X)                          \
  X(gpu_kernel_vs_emulation, SLOW)        \
  X(gpu_encode_psnr, SLOW)                \
  X(gpu_mixed_streams_mkv, SLOW)          \
  X(gpu_nvenc_explicit, SLOW)             \
  X(gpu_dlpack, SLOW)                     \
  X(gpu_bad_input, SLOW)                  \
  X(gpu_producer_stream, SLOW)            \
  X(gpu_timestamps_key_frames, SLOW)
CHECK_MAIN(CASES)

static void case_gpu_kernel_vs_emulation(void) {
  need_gpu();
  static const int sizes[][2] = {{64, 48}, {66, 34}, {17, 9}};
  for (size_t si = 0; si < 3; si++)
    for (int l = 0; l < 4; l++)
      for (int fm = 0; fm < 3; fm++)
        for (int m = 0; m < 3; m++)
          for (int r = 0; r < 2; r++) {
            int w = sizes[si][0], h = sizes[si][1];
            if ((w % 2 || h % 2) && fm != PE_YUV444P) continue;
            test_frame f = make_frame(l, w, h, 1, (uint32_t)(3 + si * 100 + l * 10 + fm));
            devptr d = to_device(f.data, f.size);
            planes gpu = convert_with_polyenc("cuda", &f, (const void *)(uintptr_t)d, fm, m, r);
            planes emu = emulate(&f, f.data, fm, m, r);
            int diff[2];
            max_diff(&gpu, &emu, diff);
            CHECK_MSG(diff[0] == 0 && diff[1] == 0, "%dx%d %s -> %s %s %s: GPU differs from its emulation (%d, %d)", w,
                      h, layout_names[l], format_names[fm], matrix_names[m], range_names[r], diff[0], diff[1]);
            CHECK_EQ_INT(drv.MemFree(d), 0);
            free(gpu.data), free(emu.data), free(f.data);
          }
}

/* n pattern frames from device memory into path; returns the decoded PSNR. */
static double encode_from_device(const char *path, const char *codec, const char *pix_fmt, int w, int h, int n) {
  uint8_t *rgb = pattern_frames(w, h, n);
  devptr d = to_device(rgb, (size_t)n * w * h * 3);
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(w, h, 30);
  vc.device = "cuda";
  vc.codec = codec;
  vc.pixel_format = pix_fmt;
  polyenc_stream *s = add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  polyenc_frames f = frames_of((const void *)(uintptr_t)d, POLYENC_RGB24, n / 2, w, h);
  CHECK_OK(enc, polyenc_add_frames(s, &f));
  f.data = (const void *)(uintptr_t)(d + (devptr)(n / 2) * w * h * 3), f.num_frames = n - n / 2;
  CHECK_OK(enc, polyenc_add_frames(s, &f));
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
  CHECK_EQ_INT(drv.MemFree(d), 0);
  video_frames vf;
  CHECK_EQ_INT(media_decode_rgb(src_file(path), 0, "bt601", 0, &vf), 0);
  CHECK_EQ_INT(vf.num_frames, n);
  double psnr = psnr_u8(vf.data, rgb, (size_t)n * w * h * 3);
  printf("%s (codec %s, %s): %d frames, PSNR %.2f dB\n", path, codec ? codec : "default", pix_fmt ? pix_fmt : "default",
         n, psnr);
  video_frames_free(&vf);
  free(rgb);
  return psnr;
}

static void case_gpu_encode_psnr(void) {
  need_gpu();
  CHECK_GT(encode_from_device(tmp_path("default.mp4"), NULL, NULL, 320, 240, 20), 35);
  CHECK_GT(encode_from_device(tmp_path("x264.mp4"), "libx264", NULL, 320, 240, 20), 35);
  CHECK_GT(encode_from_device(tmp_path("x264_444.mkv"), "libx264", "yuv444p", 320, 240, 20), 35);
  CHECK_GT(encode_from_device(tmp_path("nv12.mp4"), "h264", "nv12", 320, 240, 20), 35);
  if (avcodec_find_decoder(AV_CODEC_ID_VP9)) /* (the bundled FFmpeg has no VP9 decoder) */
    CHECK_GT(encode_from_device(tmp_path("vp9.webm"), NULL, NULL, 160, 120, 10), 35);
}

/* The tutorial: a 1920x1080 CPU stream, a 1280x720 CUDA stream and two audio streams in one mkv. */
static void case_gpu_mixed_streams_mkv(void) {
  need_gpu();
  enum { N_CPU = 8, N_CUDA = 11 };
  const char *path = tmp_path("multi_stream_output.mkv");
  uint8_t *cpu_frames = pattern_frames(1920, 1080, N_CPU), *cuda_host = pattern_frames(1280, 720, N_CUDA);
  devptr cuda_frames = to_device(cuda_host, (size_t)N_CUDA * 1280 * 720 * 3);
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config v1 = video_cfg(1920, 1080, 30), v2 = video_cfg(1280, 720, 30);
  v1.device = "cpu", v2.device = "cuda";
  v1.preset = "ultrafast";
  polyenc_stream *cpu_video = add_video_ok(enc, &v1), *cuda_video = add_video_ok(enc, &v2);
  polyenc_audio_config ac = audio_cfg(44100, 2);
  polyenc_stream *en = add_audio_ok(enc, &ac), *fr = add_audio_ok(enc, &ac);
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  add_rgb24_ok(enc, cpu_video, cpu_frames, N_CPU, 1920, 1080);
  polyenc_frames f = frames_of((const void *)(uintptr_t)cuda_frames, POLYENC_RGB24, N_CUDA, 1280, 720);
  CHECK_OK(enc, polyenc_add_frames(cuda_video, &f));
  float *tone = sine_planar(2, 44100, 44100, 440);
  add_samples_ok(enc, en, tone, 2, 44100);
  add_samples_ok(enc, fr, tone, 2, 44100);
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
  media_info info;
  CHECK_EQ_INT(media_probe(src_file(path), &info), 0);
  CHECK_EQ_INT(info.num_streams, 4);
  CHECK_EQ_INT(info.streams[0].width, 1920);
  CHECK_EQ_INT(info.streams[1].width, 1280);
  CHECK_EQ_INT(info.streams[2].type, AVMEDIA_TYPE_AUDIO);
  CHECK_EQ_INT(info.streams[3].type, AVMEDIA_TYPE_AUDIO);
  CHECK_EQ_INT(media_count_packets(src_file(path), 0), N_CPU);
  CHECK_EQ_INT(media_count_packets(src_file(path), 1), N_CUDA);
  video_frames vf;
  CHECK_EQ_INT(media_decode_rgb(src_file(path), 1, "bt601", 0, &vf), 0);
  CHECK_EQ_INT(vf.num_frames, N_CUDA);
  CHECK_GT(psnr_u8(vf.data, cuda_host, (size_t)N_CUDA * 1280 * 720 * 3), 35);
  video_frames_free(&vf);
  CHECK_EQ_INT(drv.MemFree(cuda_frames), 0);
  free(cpu_frames), free(cuda_host), free(tone);
}

static void case_gpu_nvenc_explicit(void) {
  need_gpu();
  char name[256];
  CHECK_EQ_INT(polyenc_cuda_device_name(0, name, sizeof name), 0);
  if (polyenc_cuda_has_nvenc(0, "h264_nvenc")) {
    printf("%s has NVENC: h264_nvenc from device memory\n", name);
    CHECK_GT(encode_from_device(tmp_path("nvenc.mp4"), "h264_nvenc", NULL, 320, 240, 20), 35);
    CHECK_GT(encode_from_device(tmp_path("nvenc444.mkv"), "h264_nvenc", "yuv444p", 320, 240, 20), 35);
    return;
  }
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(320, 240, 30);
  vc.device = "cuda";
  vc.codec = "h264_nvenc";
  polyenc_stream *s = NULL;
  CHECK_STATUS(enc, polyenc_add_video(enc, &vc, &s), POLYENC_ERR_UNSUPPORTED);
  CHECK_CONTAINS(polyenc_last_error(enc), "h264_nvenc");
  if (name[0]) CHECK_CONTAINS(polyenc_last_error(enc), name);
  printf("%s\n", polyenc_last_error(enc));
  polyenc_encoder_free(enc);
}

static void case_gpu_dlpack(void) {
  need_gpu();
  uint8_t *rgb = pattern_frames(DW, DH, DN);
  size_t plane = (size_t)DW * DH;
  uint8_t *nchw = malloc(DN * 3 * plane), *nhwc4 = malloc(DN * 4 * plane);
  CHECK(nchw && nhwc4);
  fill_layouts(rgb, nchw, nhwc4);
  devptr d_nchw = to_device(nchw, DN * 3 * plane), d_nhwc4 = to_device(nhwc4, DN * 4 * plane);
  int64_t s_nchw[4] = {DN, 3, DH, DW}, s_nhwc3[4] = {DN, DH, DW, 3}, s_nhwc4[4] = {DN, DH, DW, 4};
  DLTensor t = tensor((void *)(uintptr_t)d_nchw, kDLCUDA, s_nchw, NULL);
  dlpack_roundtrip("cuda_nchw.mp4", "cuda", NULL, &t, rgb, DN, DW, DH);
  t = tensor((void *)(uintptr_t)d_nhwc4, kDLCUDA, s_nhwc4, NULL);
  dlpack_roundtrip("cuda_nhwc4.mp4", "cuda:0", NULL, &t, rgb, DN, DW, DH);
  int64_t view[4] = {(int64_t)(3 * plane), DW, 1, (int64_t)plane};
  t = tensor((void *)(uintptr_t)d_nchw, kDLCUDA, s_nhwc3, view);
  dlpack_roundtrip("cuda_permuted.mp4", "cuda", NULL, &t, rgb, DN, DW, DH);
  /* wrong device id, and a CPU tensor on a cuda stream */
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(DW, DH, 30);
  vc.device = "cuda";
  polyenc_stream *s = add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_memory(enc, "mkv"));
  t = tensor((void *)(uintptr_t)d_nchw, kDLCUDA, s_nchw, NULL);
  t.device.device_id = 3;
  CHECK_STATUS(enc, polyenc_add_frames_dlpack(s, &t), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "cuda:3");
  t = tensor(nchw, kDLCPU, s_nchw, NULL);
  CHECK_STATUS(enc, polyenc_add_frames_dlpack(s, &t), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "CPU");
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
  CHECK_EQ_INT(drv.MemFree(d_nchw), 0);
  CHECK_EQ_INT(drv.MemFree(d_nhwc4), 0);
  free(rgb), free(nchw), free(nhwc4);
}

static void case_gpu_bad_input(void) {
  need_gpu();
  uint8_t *host = pattern_frames(64, 48, 2);
  devptr d = to_device(host, 64 * 48 * 3 * 2);
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(64, 48, 30);
  vc.device = "cuda";
  polyenc_stream *s = add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_memory(enc, "mkv"));
  polyenc_frames f = frames_of(host, POLYENC_RGB24, 1, 64, 48); /* a host pointer */
  CHECK_STATUS(enc, polyenc_add_frames(s, &f), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "not CUDA memory");
  f = frames_of((const void *)(uintptr_t)d, POLYENC_RGB24, 3, 64, 48); /* one frame more than allocated */
  CHECK_STATUS(enc, polyenc_add_frames(s, &f), POLYENC_ERR_ARGUMENT);
  CHECK_CONTAINS(polyenc_last_error(enc), "allocation");
  f = frames_of((const void *)(uintptr_t)d, POLYENC_YUV420P, 1, 64, 48);
  CHECK_STATUS(enc, polyenc_add_frames(s, &f), POLYENC_ERR_ARGUMENT);
  f = frames_of((const void *)(uintptr_t)d, POLYENC_RGB24, 2, 64, 48); /* still usable */
  CHECK_OK(enc, polyenc_add_frames(s, &f));
  CHECK_OK(enc, polyenc_close(enc));
  const uint8_t *out;
  size_t size;
  CHECK_OK(enc, polyenc_output(enc, &out, &size));
  CHECK_EQ_INT(media_count_packets(src_mem(out, size), 0), 2);
  polyenc_encoder_free(enc);
  CHECK_EQ_INT(drv.MemFree(d), 0);
  free(host);
}

/* Frames still being copied on the caller's own non-blocking stream when polyenc is called. */
static void case_gpu_producer_stream(void) {
  need_gpu();
  enum { W = 640, H = 360, N = 30 };
  uint8_t *rgb = pattern_frames(W, H, N);
  devptr d = 0;
  CHECK_EQ_INT(drv.MemAlloc(&d, (size_t)N * W * H * 3), 0);
  void *stream;
  CHECK_EQ_INT(drv.StreamCreate(&stream, 1 /* CU_STREAM_NON_BLOCKING */), 0);
  const char *path = tmp_path("producer.mp4");
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(W, H, 30);
  vc.device = "cuda";
  polyenc_stream *s = add_video_ok(enc, &vc);
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  CHECK_EQ_INT(drv.MemcpyHtoDAsync(d, rgb, (size_t)N * W * H * 3, stream), 0); /* pageable: may still run */
  polyenc_frames f = frames_of((const void *)(uintptr_t)d, POLYENC_RGB24, N, W, H);
  CHECK_OK(enc, polyenc_add_frames(s, &f));
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
  CHECK_EQ_INT(drv.CtxSynchronize(), 0);
  CHECK_EQ_INT(drv.StreamDestroy(stream), 0);
  video_frames vf;
  CHECK_EQ_INT(media_decode_rgb(src_file(path), 0, "bt601", 0, &vf), 0);
  CHECK_EQ_INT(vf.num_frames, N);
  CHECK_GT(psnr_u8(vf.data, rgb, (size_t)N * W * H * 3), 35);
  video_frames_free(&vf);
  CHECK_EQ_INT(drv.MemFree(d), 0);
  free(rgb);
}

/* polyenc_frames.pts and key_frames on cuda streams (NVENC where it works, and libx264 fed from the GPU's
 * pipelined conversion): every frame at its pts, key frames exactly on the flagged frames and frame 0,
 * rejected pts leave the stream usable. */
static void case_gpu_timestamps_key_frames(void) {
  need_gpu();
  enum { W = 160, H = 128, N = 16 };
  static const int64_t pts[N] = {0, 33, 67, 100, 500, 501, 502, 540, 900, 933, 967, 1000, 1400, 1433, 1467, 1500};
  uint8_t keys[N] = {0};
  keys[5] = keys[11] = 1;
  uint8_t *rgb = pattern_frames(W, H, N);
  devptr d = to_device(rgb, (size_t)N * W * H * 3);
  const char *codecs[] = {NULL, "libx264"}, *paths[] = {tmp_path("ts_default.mp4"), tmp_path("ts_x264.mkv")};
  for (int c = 0; c < 2; c++) {
    polyenc_encoder *enc = polyenc_encoder_new();
    polyenc_video_config vc = video_cfg(W, H, 30);
    vc.device = "cuda", vc.codec = codecs[c], vc.gop_size = 1000, vc.time_base_num = 1, vc.time_base_den = 1000;
    polyenc_stream *s = add_video_ok(enc, &vc);
    CHECK_OK(enc, polyenc_open_file(enc, paths[c], NULL));
    polyenc_frames f = frames_of((const void *)(uintptr_t)d, POLYENC_RGB24, N / 2, W, H);
    f.pts = pts, f.key_frames = keys;
    CHECK_OK(enc, polyenc_add_frames(s, &f));
    f.data = (const void *)(uintptr_t)(d + (devptr)(N / 2) * W * H * 3);
    CHECK_STATUS(enc, polyenc_add_frames(s, &f), POLYENC_ERR_ARGUMENT); /* pts[0] = 0 again */
    CHECK_CONTAINS(polyenc_last_error(enc), "pts[0] = 0 is not greater than 540");
    f.pts = pts + N / 2, f.key_frames = keys + N / 2;
    CHECK_OK(enc, polyenc_add_frames(s, &f));
    CHECK_OK(enc, polyenc_close(enc));
    polyenc_encoder_free(enc);
    char *p = ffprobe("-select_streams v:0 -show_entries frame=pts_time,key_frame -of default=noprint_wrappers=1",
                      paths[c]);
    CHECK(p);
    char buf[64];
    for (int i = 0; i < N; i++) {
      CHECK_MSG(kv_get(p, "pts_time", i, buf, sizeof buf), "%s: frame %d missing", paths[c], i);
      CHECK_NEAR(atof(buf), pts[i] / 1000.0, 0.0005);
      CHECK(kv_get(p, "key_frame", i, buf, sizeof buf));
      CHECK_MSG(atoi(buf) == (i == 0 || keys[i]), "%s: frame %d key_frame=%s", paths[c], i, buf);
    }
    CHECK(!kv_get(p, "pts_time", N, buf, sizeof buf));
    free(p);
  }
  CHECK_EQ_INT(drv.MemFree(d), 0);
  free(rgb);
}
