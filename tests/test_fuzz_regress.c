/* Inputs the fuzz targets (tests/fuzz/) found to crash polyenc, replayed through the public API: each
 * case checks the call now returns cleanly and what it wrote decodes to what was given. */
#include "helpers.h"

#define CASES(X) \
  X(yuv420p_row_stride_narrower_than_row, QUICK)
CHECK_MAIN(CASES)

/* fuzz_api: YUV420P frames whose row strides are smaller than a row (rows overlap; the header allows
 * any strides) reached av_image_copy_plane, which asserts |stride| >= width and aborted the process. */
static void case_yuv420p_row_stride_narrower_than_row(void) {
  enum { W = 32, H = 24, CW = W / 2, CH = H / 2, Y_ROW = 8, UV_ROW = 4 };
  /* exactly the bytes the strides address: Y rows at r * 8, U after H rows, V after CH more rows */
  size_t u = (size_t)H * Y_ROW, v = u + (size_t)CH * UV_ROW, size = v + (size_t)(CH - 1) * UV_ROW + CW;
  uint8_t *yuv = malloc(size);
  CHECK(yuv != NULL);
  for (size_t i = 0; i < size; i++) yuv[i] = (uint8_t)(16 + (i * 7) % 200);
  polyenc_encoder *enc = polyenc_encoder_new();
  polyenc_video_config vc = video_cfg(W, H, 25);
  vc.crf = 0; /* lossless: the decoded planes equal the input */
  vc.preset = "ultrafast";
  polyenc_stream *s = add_video_ok(enc, &vc);
  const char *path = tmp_path("overlapping_rows.mkv");
  CHECK_OK(enc, polyenc_open_file(enc, path, NULL));
  polyenc_frames f = {.data = yuv, .layout = POLYENC_YUV420P, .num_frames = 1, .width = W, .height = H,
                      .strides = {(int64_t)size, Y_ROW, UV_ROW, 0}};
  CHECK_OK(enc, polyenc_add_frames(s, &f));
  CHECK_OK(enc, polyenc_close(enc));
  polyenc_encoder_free(enc);
  video_frames out;
  CHECK_EQ_INT(media_decode_yuv(src_file(path), 0, &out), 0);
  CHECK_EQ_INT(out.num_frames, 1);
  for (int r = 0; r < H; r++)
    for (int x = 0; x < W; x++) CHECK_EQ_INT(out.data[r * W + x], yuv[r * Y_ROW + x]);
  const uint8_t *du = out.data + W * H, *dv = du + CW * CH;
  for (int r = 0; r < CH; r++)
    for (int x = 0; x < CW; x++) {
      CHECK_EQ_INT(du[r * CW + x], yuv[u + r * UV_ROW + x]);
      CHECK_EQ_INT(dv[r * CW + x], yuv[v + r * UV_ROW + x]);
    }
  video_frames_free(&out);
  free(yuv);
}
