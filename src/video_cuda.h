/* The cuda side of a video stream (video_cuda.c): device choice, NVENC or GPU-convert + CPU encoder, and
 * the DLPack entry point; what video.c calls. No CUDA header here: the GPU is behind platform.h. */
#ifndef POLYENC_VIDEO_CUDA_H
#define POLYENC_VIDEO_CUDA_H

#include "internal.h"
#include "platform.h"

typedef struct cuda_video cuda_video;

/* device NULL or "cpu": *index = -1; "cuda" / "cuda:N": *index = N once the device is known to be usable
 * (POLYENC_ERR_UNSUPPORTED naming the reason otherwise); anything else: POLYENC_ERR_ARGUMENT. */
polyenc_status pe_cuda_parse_device(polyenc_encoder *enc, const char *device, int *index);
/* The encoder of a cuda stream, given the one chosen as for a cpu stream (*codec) and the name the
 * config gave (NULL: the container's default): NVENC when `name` is NULL or a spec name and NVENC works
 * on the device; an explicit NVENC encoder must work (POLYENC_ERR_UNSUPPORTED otherwise). */
polyenc_status pe_cuda_choose_encoder(polyenc_encoder *enc, int device, const char *name, const AVCodec **codec);
int pe_cuda_is_nvenc(const AVCodec *codec);
/* Whether NVENC encoder `codec` opens on the device (a real session, once per device and codec); the
 * reason when not. */
int pe_cuda_nvenc_works(int device, const AVCodec *codec, char *reason, size_t size);
/* pixel_format on a cuda stream: NV12 by default for NVENC; nv12, yuv420p or yuv444p. */
polyenc_status pe_cuda_check_pixel_format(polyenc_encoder *enc, const AVCodec *codec, const char *name,
                                          enum AVPixelFormat *pix_fmt);
/* After the codec context is configured, before it is opened: NVENC gets its hw frames context (pix_fmt
 * AV_PIX_FMT_CUDA); then the GPU converter and the frames. */
polyenc_status pe_cuda_video_open(polyenc_stream *s, int device, const conversion *conv, cuda_video **out);
/* n frames, frame_stride bytes apart, in device memory: converted, stamped and encoded (pe_video_send). */
polyenc_status pe_cuda_video_add(polyenc_stream *s, cuda_video *cv, const source_frame *first, int n,
                                 int64_t frame_stride, const pe_frame_times *times);
void pe_cuda_video_free(cuda_video *cv);

/* ---- video.c, for the DLPack entry point ---- */
int pe_video_device(const polyenc_stream *s); /* -1: a cpu stream */
/* n frames of one layout after the state and shape checks: their pts checked (times NULL or its pts NULL:
 * the running pts), then the cpu or the cuda path. */
polyenc_status pe_video_add_source(polyenc_stream *s, const source_frame *first, int n, int64_t frame_stride,
                                   const pe_frame_times *times);
/* Frame i of the call gets its pts and picture type from times, then goes to the encoder. */
polyenc_status pe_video_send(polyenc_stream *s, AVFrame *frame, const pe_frame_times *times, int i);

#endif
