/* A video stream's rotation: clockwise degrees a player turns the picture, stored as the container's
 * display matrix (stream side data, as phones write it). */
#include <string.h>

#include <libavutil/display.h>

#include "internal.h"

polyenc_status pe_rotation_check(polyenc_encoder *enc, int rotation) {
  if (rotation == 0 || rotation == 90 || rotation == 180 || rotation == 270) return POLYENC_OK;
  return pe_set_error(enc, POLYENC_ERR_ARGUMENT,
                      "rotation must be 0, 90, 180 or 270 (clockwise degrees a player turns the picture), got %d",
                      rotation);
}

/* FFmpeg 5.1 writes the display matrix only in the mov muxer's formats (tkhd); matroska gets it in 6.1. */
static int stores_rotation(const char *muxer) {
  static const char *const names[] = {"mp4", "mov", "ipod", "ismv", "3gp", "3g2", "psp", "f4v", NULL};
  for (const char *const *n = names; *n; n++)
    if (!strcmp(*n, muxer)) return 1;
  return 0;
}

polyenc_status pe_rotation_apply(polyenc_stream *s, int rotation) {
  if (rotation == 0) return POLYENC_OK;
  const char *muxer = s->enc->format_ctx->oformat->name;
  if (!stores_rotation(muxer))
    return pe_set_error(s->enc, POLYENC_ERR_UNSUPPORTED,
                        "rotation %d of stream %d cannot be stored in container %s by this FFmpeg (it would be "
                        "dropped): use mp4 or mov, or turn the frames yourself", rotation, s->index, muxer);
  uint8_t *matrix = av_stream_new_side_data(s->av_stream, AV_PKT_DATA_DISPLAYMATRIX, 9 * sizeof(int32_t));
  if (!matrix)
    return pe_set_error(s->enc, POLYENC_ERR_NOMEM, "out of memory storing rotation %d of stream %d", rotation,
                        s->index);
  /* FFmpeg 5.1's "pure clockwise rotation" (the tkhd matrix of a phone's portrait video for 90); ffprobe prints
   * av_display_rotation_get, its counter-clockwise angle: -90 for 90 */
  av_display_rotation_set((int32_t *)matrix, (double)rotation);
  return POLYENC_OK;
}
