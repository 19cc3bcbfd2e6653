/* End to end: frames that are already in GPU memory (a model's output) encoded to MP4 with libx264,
 *   cuda  a cuda stream given the device pointer: the GPU converts RGB to YUV, the YUV planes (half the
 *         bytes) are copied to the host and encoded by libx264 (or NVENC, in a third row, where the
 *         GPU has it);
 *   cpu   a cpu stream: each batch copied to a host buffer first (cuMemcpyDtoH into pageable memory,
 *         what tensor.cpu() does), then polyenc_add_frames: the CPU converts and libx264 encodes.
 * The same frames (a moving pattern, uploaded once), codec, preset, frame count and batch size; runs
 * alternate after one untimed warm-up of each; the median wall time of --runs runs, from the encoder's
 * creation to polyenc_close. Quality: each output decoded with libavcodec and compared with the source
 * (PSNR over RGB, BT.601 limited range as encoded).
 *
 * Public API only (polyenc.h); the CUDA driver is loaded with dlopen, like the library does (driver.h);
 * the outputs are decoded by the test library (tests/media.h: FFmpeg's demuxer, decoder and swscale).
 * Usage: polyenc_bench_cuda_e2e [--frames N] [--runs N] [--preset P] [--batch N] [--size WxH]
 *                               [--device cuda:N] [--threads N] [--out DIR] | --info
 * Without a usable CUDA device: one line "no CUDA device ..." with polyenc's reason, exit status 0. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver.h"
#include "media.h" /* the test library's decoding and PSNR (tests/media.h) */
#include "polyenc/polyenc.h"

/* The reason polyenc gives for not opening a cuda stream on `device`. */
static void polyenc_reason(const char *device, char *buf, size_t size) {
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc;
  polyenc_video_config_init(&vc);
  vc.width = 64, vc.height = 48, vc.frame_rate = 30, vc.device = device;
  polyenc_stream *s = NULL;
  polyenc_status st = polyenc_add_video(enc, &vc, &s);
  snprintf(buf, size, "%s", st == POLYENC_OK ? "(no error)" : polyenc_last_error(enc));
  polyenc_encoder_free(enc);
}

/* --info: the version, the driver and the devices, as polyenc and the driver see them. */
static int info(void) {
  printf("polyenc %s\n", polyenc_version());
  const char *why = driver_load();
  int version = 0;
  if (why) printf("CUDA driver: not loadable (%s)\n", why);
  else if (cu.DriverGetVersion(&version) == 0)
    printf("CUDA driver: libcuda.so.1, CUDA %d.%d\n", version / 1000, version % 1000 / 10);
  int n = polyenc_cuda_device_count();
  if (n == 0) {
    char reason[512];
    polyenc_reason("cuda", reason, sizeof reason);
    printf("no CUDA device: %s\n", reason);
    return 0;
  }
  for (int i = 0; i < n; i++) {
    char name[256] = "";
    polyenc_cuda_device_name(i, name, sizeof name);
    int dev = 0, major = 0, minor = 0;
    size_t mem = 0;
    if (!why && cu.DeviceGet(&dev, i) == 0) {
      cu.DeviceGetAttribute(&major, 75, dev); /* CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR */
      cu.DeviceGetAttribute(&minor, 76, dev);
      cu.DeviceTotalMem(&mem, dev);
    }
    printf("cuda:%d %s, compute capability %d.%d, %.1f GiB; NVENC: h264 %s, hevc %s\n", i, name, major, minor,
           mem / 1073741824.0, polyenc_cuda_has_nvenc(i, "h264_nvenc") ? "yes" : "no",
           polyenc_cuda_has_nvenc(i, "hevc_nvenc") ? "yes" : "no");
  }
  return 0;
}

/* ---- the frames: a moving pattern (scrolling gradients with a grain, a travelling box) ---- */
static uint8_t clip(int v) { return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v); }

static void pattern(int i, int w, int h, uint8_t *rgb) {
  int bw = w / 8 & ~1, bh = h / 6 & ~1, bx = (i * 12) % (w - bw) & ~1, by = (i * 8) % (h - bh) & ~1;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      uint8_t *p = rgb + ((size_t)y * w + x) * 3;
      if (x >= bx && x < bx + bw && y >= by && y < by + bh) {
        p[0] = 230, p[1] = 220, p[2] = (uint8_t)(40 + i % 64);
        continue;
      }
      unsigned u = (unsigned)(x + 4 * i) * 73856093u ^ (unsigned)y * 19349663u;
      int grain = (int)((u >> 13) % 25) - 12; /* the same on R, G and B: texture in luma only */
      int t = (x + y + 6 * i) & 511;
      p[0] = clip((x * 255 / w + 2 * i) % 256 + grain);
      p[1] = clip(y * 255 / h + grain);
      p[2] = clip((t < 256 ? t : 511 - t) + grain);
    }
}

/* ---- encoding ---- */
typedef struct setup {
  int w, h, frames, batch, threads;
  const char *preset, *device;
  devptr frames_dev; /* frames * w * h * 3 bytes, RGB24 */
  uint8_t *host;     /* batch frames, pageable */
  uint8_t *all;      /* --host-selftest: every frame in host memory, no GPU */
} setup;

static void check(polyenc_encoder *enc, polyenc_status st, const char *what) {
  if (st != POLYENC_OK) {
    fprintf(stderr, "%s: %s: %s: %s\n", bench_program, what, polyenc_status_name(st), polyenc_last_error(enc));
    exit(1);
  }
}

/* kind 0: cuda stream with `codec`, 1: cpu stream (DtoH first; from s->all without a GPU). n frames.
 * Returns seconds. */
static double encode(const setup *s, int kind, const char *codec, const char *path, int n) {
  size_t frame = (size_t)s->w * s->h * 3;
  double t0 = now();
  polyenc_encoder *enc = polyenc_encoder_new();
  if (!enc) die("polyenc_encoder_new failed", 0);
  polyenc_video_config vc;
  polyenc_video_config_init(&vc);
  vc.width = s->w, vc.height = s->h, vc.frame_rate = 30, vc.threads = s->threads;
  vc.device = kind == 0 ? s->device : "cpu";
  vc.codec = codec;
  vc.preset = strstr(codec, "nvenc") ? NULL : s->preset;
  polyenc_stream *video = NULL;
  check(enc, polyenc_add_video(enc, &vc, &video), "polyenc_add_video");
  check(enc, polyenc_open_file(enc, path, NULL), "polyenc_open_file");
  for (int i = 0; i < n; i += s->batch) {
    int k = n - i < s->batch ? n - i : s->batch;
    polyenc_frames f;
    memset(&f, 0, sizeof f);
    f.layout = POLYENC_RGB24, f.num_frames = k, f.height = s->h, f.width = s->w;
    if (kind == 0) {
      f.data = (const void *)(uintptr_t)(s->frames_dev + (devptr)i * frame);
    } else if (s->all) {
      f.data = s->all + (size_t)i * frame;
    } else {
      CU(cu.MemcpyDtoH(s->host, s->frames_dev + (devptr)i * frame, (size_t)k * frame));
      f.data = s->host;
    }
    check(enc, polyenc_add_frames(video, &f), "polyenc_add_frames");
  }
  check(enc, polyenc_close(enc), "polyenc_close");
  polyenc_encoder_free(enc);
  return now() - t0;
}

/* ---- quality: each output decoded and compared with the source ---- */
static long long file_size(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

typedef struct quality {
  double psnr; /* over every frame's RGB bytes: from the mean squared error of all frames */
  int frames;
} quality;

/* The file is read into memory and decoded from there (no FFmpeg protocol needed), to RGB24 as it was
 * encoded: BT.601, limited range. */
static quality measure(const char *path, int w, int h) {
  quality q = {NAN, 0};
  size_t size = 0;
  uint8_t *data = read_file(path, &size);
  if (!data || !size) die("cannot read the output back", 0);
  video_frames v;
  int ret = media_decode_rgb(src_mem(data, size), 0, "bt601", 0, &v);
  free(data);
  if (ret < 0 || (v.num_frames && (v.width != w || v.height != h))) {
    fprintf(stderr, "%s: could not decode %s\n", bench_program, path);
    video_frames_free(&v);
    return q;
  }
  uint8_t *src = malloc(v.frame_size ? v.frame_size : 1);
  if (!src) die("out of memory", 0);
  double mse = 0; /* psnr_u8 per frame, back to its mean squared error */
  for (int i = 0; i < v.num_frames; i++) {
    pattern(i, w, h, src);
    mse += 255.0 * 255.0 * pow(10, -psnr_u8(v.data + (size_t)i * v.frame_size, src, v.frame_size) / 10);
  }
  q.frames = v.num_frames;
  if (q.frames) q.psnr = 10 * log10(255.0 * 255.0 / (mse / q.frames));
  free(src);
  video_frames_free(&v);
  return q;
}

static int usage(void) {
  fprintf(stderr, "usage: polyenc_bench_cuda_e2e [--frames N (300)] [--runs N (3)] [--preset P (ultrafast)] "
                  "[--batch N (30)] [--size WxH (1920x1080)] [--device cuda:N (cuda)] [--threads N (0: auto)] "
                  "[--out DIR (a temporary directory, removed)] | --info | --host-selftest (no GPU: a cpu stream "
                  "from host memory, decoded and compared)\n");
  return 2;
}

int main(int argc, char **argv) {
  bench_program = "polyenc_bench_cuda_e2e";
  setup s = {1920, 1080, 300, 30, 0, "ultrafast", "cuda", 0, NULL, NULL};
  int runs = 3, selftest = 0;
  const char *out = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--info")) return info();
    if (!strcmp(argv[i], "--host-selftest")) {
      selftest = 1;
      continue;
    }
    if (i + 1 >= argc) return usage();
    if (!strcmp(argv[i], "--frames")) s.frames = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--runs")) runs = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--preset")) s.preset = argv[++i];
    else if (!strcmp(argv[i], "--batch")) s.batch = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--threads")) s.threads = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--device")) s.device = argv[++i];
    else if (!strcmp(argv[i], "--out")) out = argv[++i];
    else if (!strcmp(argv[i], "--size")) {
      if (sscanf(argv[++i], "%dx%d", &s.w, &s.h) != 2 || s.w < 16 || s.h < 16 || s.w % 2 || s.h % 2) return usage();
    } else
      return usage();
  }
  if (s.frames < 1 || runs < 1 || runs > 99 || s.batch < 1 || s.threads < 0) return usage();
  int index = 0;
  if (strncmp(s.device, "cuda", 4) || (s.device[4] && (s.device[4] != ':' || sscanf(s.device + 5, "%d", &index) != 1)))
    return usage();

  if (selftest) { /* the encode, decode and PSNR code of this program, on the CPU */
    size_t frame = (size_t)s.w * s.h * 3;
    if (!(s.all = malloc(frame * (size_t)s.frames))) die("out of memory", 0);
    for (int i = 0; i < s.frames; i++) pattern(i, s.w, s.h, s.all + (size_t)i * frame);
    char path[4200];
    const char *tmp = out ? out : getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(path, sizeof path, "%s/polyenc-e2e-selftest-%d.mp4", tmp, (int)getpid());
    double t = encode(&s, 1, "libx264", path, s.frames);
    quality q = measure(path, s.w, s.h);
    printf("host self-test: %d frames %dx%d, libx264 %s: %.1f fps, %lld bytes, PSNR %.2f dB, %d frames decoded\n",
           s.frames, s.w, s.h, s.preset, s.frames / t, file_size(path), q.psnr, q.frames);
    remove(path);
    free(s.all);
    return q.frames == s.frames && q.psnr > 30 ? 0 : 1;
  }
  if (polyenc_cuda_device_count() == 0 || index >= polyenc_cuda_device_count()) {
    char reason[512];
    polyenc_reason(s.device, reason, sizeof reason);
    printf("polyenc_bench_cuda_e2e: no CUDA device to measure (polyenc: %s)\n", reason);
    return 0;
  }
  char gpu[256] = "";
  polyenc_cuda_device_name(index, gpu, sizeof gpu);
  /* before this program makes the primary context active: FFmpeg opens NVENC on it only with its own
   * flags (CU_CTX_SCHED_BLOCKING_SYNC), which the probe sets while the context is inactive */
  int nvenc = polyenc_cuda_has_nvenc(index, "h264_nvenc");
  const char *why = driver_load();
  if (why) die(why, 0);
  int dev;
  void *ctx;
  CU(cu.DeviceGet(&dev, index));
  CU(cu.PrimaryCtxRetain(&ctx, dev)); /* the primary context, as the CUDA runtime (PyTorch) has it */
  CU(cu.CtxPushCurrent(ctx));

  /* the frames, uploaded once */
  size_t frame = (size_t)s.w * s.h * 3;
  CU(cu.MemAlloc(&s.frames_dev, frame * (size_t)s.frames));
  uint8_t *one = malloc(frame);
  if (!one || !(s.host = malloc(frame * (size_t)s.batch))) die("out of memory", 0);
  for (int i = 0; i < s.frames; i++) {
    pattern(i, s.w, s.h, one);
    CU(cu.MemcpyHtoD(s.frames_dev + (devptr)i * frame, one, frame));
  }
  free(one);

  char dir[4096];
  int temporary = !out;
  if (out) {
    snprintf(dir, sizeof dir, "%s", out);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) die("cannot create the --out directory", 0);
  } else {
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/polyenc-e2e-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) die("mkdtemp failed", 0);
  }

  struct run_path {
    const char *label, *codec, *file;
    int kind;
    double seconds[100];
    double median;
    quality q;
  } paths[3] = {
      {"cuda stream: GPU RGB->YUV, libx264", "libx264", "cuda.mp4", 0, {0}, 0, {0, 0}},
      {"cpu stream: cuMemcpyDtoH + CPU RGB->YUV, libx264", "libx264", "cpu.mp4", 1, {0}, 0, {0, 0}},
      {"cuda stream: GPU RGB->YUV, h264_nvenc", "h264_nvenc", "nvenc.mp4", 0, {0}, 0, {0, 0}},
  };
  int num_paths = nvenc ? 3 : 2;
  printf("end to end: %s (%s), %dx%d RGB24 frames in GPU memory, %d frames in batches of %d, libx264 preset %s, "
         "threads %s; median of %d runs (after a warm-up)\n",
         s.device, gpu, s.w, s.h, s.frames, s.batch, s.preset, s.threads ? "set" : "auto", runs);
  if (!nvenc) printf("(no NVENC on this GPU: the cuda stream converts on the GPU and encodes with libx264)\n");
  char path[4200];
  for (int p = 0; p < num_paths; p++) {
    snprintf(path, sizeof path, "%s/warmup.mp4", dir);
    encode(&s, paths[p].kind, paths[p].codec, path, s.frames < 30 ? s.frames : 30);
    remove(path);
  }
  for (int r = 0; r < runs; r++)
    for (int p = 0; p < num_paths; p++) {
      snprintf(path, sizeof path, "%s/%s", dir, paths[p].file);
      paths[p].seconds[r] = encode(&s, paths[p].kind, paths[p].codec, path, s.frames);
    }
  printf("\n%-50s %8s %9s %12s %9s %7s\n", "path", "fps", "ms/frame", "bytes", "PSNR dB", "frames");
  for (int p = 0; p < num_paths; p++) {
    paths[p].median = median(paths[p].seconds, runs);
    snprintf(path, sizeof path, "%s/%s", dir, paths[p].file);
    paths[p].q = measure(path, s.w, s.h);
    printf("%-50s %8.1f %9.2f %12lld %9.2f %7d\n", paths[p].label, s.frames / paths[p].median,
           paths[p].median * 1000 / s.frames, file_size(path), paths[p].q.psnr, paths[p].q.frames);
  }
  printf("\nfps cuda / cpu (libx264): %.2fx\n", paths[1].median / paths[0].median);
  if (nvenc) printf("fps cuda h264_nvenc / cpu libx264: %.2fx\n", paths[1].median / paths[2].median);
  int bad = 0;
  for (int p = 0; p < num_paths; p++)
    if (paths[p].q.frames != s.frames) {
      printf("WARNING: %s decoded to %d frames, not %d\n", paths[p].file, paths[p].q.frames, s.frames);
      bad = 1;
    }
  if (temporary) {
    for (int p = 0; p < num_paths; p++) {
      snprintf(path, sizeof path, "%s/%s", dir, paths[p].file);
      remove(path);
    }
    rmdir(dir);
  } else {
    printf("outputs in %s\n", dir);
  }
  CU(cu.MemFree(s.frames_dev));
  free(s.host);
  return bad;
}
