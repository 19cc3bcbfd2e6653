/* What an encoder has done so far: frames and samples accepted, packets and bytes handed to the
 * muxer, the duration written, per stream or summed (polyenc_get_stats). */
#include <string.h>

#include "internal.h"

void pe_stats_packet(polyenc_stream *s, const AVPacket *pkt, AVRational time_base) {
  s->packets_written++;
  s->bytes_written += pkt->size;
  int64_t start = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
  if (start == AV_NOPTS_VALUE) return;
  double end = ((double)start + (pkt->duration > 0 ? (double)pkt->duration : 0)) * av_q2d(time_base); /* (no
                                                        int64 sum: a mux-only packet may carry any pts) */
  if (end > s->end_seconds) s->end_seconds = end;
}

static void add_stream(const polyenc_stream *s, polyenc_stats *out) {
  out->frames += s->kind == STREAM_VIDEO ? s->frames_sent : s->kind == STREAM_ENCODED ? s->packets_received : 0;
  out->samples += s->samples_accepted;
  out->packets += s->packets_written;
  out->bytes += s->bytes_written;
  if (s->end_seconds > out->seconds) out->seconds = s->end_seconds;
}

polyenc_status polyenc_get_stats(const polyenc_encoder *enc, const polyenc_stream *stream, polyenc_stats *out) {
  polyenc_encoder *mutable_enc = (polyenc_encoder *)enc; /* only the message changes */
  if (!enc) return POLYENC_ERR_ARGUMENT;
  if (!out) return pe_set_error(mutable_enc, POLYENC_ERR_ARGUMENT, "out must not be NULL");
  if (stream && stream->enc != enc)
    return pe_set_error(mutable_enc, POLYENC_ERR_ARGUMENT,
                        "stream %d belongs to another encoder: pass one of this encoder's streams, or NULL for all",
                        stream->index);
  memset(out, 0, sizeof *out);
  if (enc->state == STATE_CONFIGURING) return POLYENC_OK; /* nothing opened yet (or an open that failed) */
  if (stream) {
    add_stream(stream, out);
    return POLYENC_OK;
  }
  for (int i = 0; i < enc->num_streams; i++) add_stream(enc->streams[i], out);
  out->bytes = enc->sink ? pe_sink_bytes(enc->sink) : enc->output_bytes;
  return POLYENC_OK;
}
