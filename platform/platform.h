/* The colour-conversion adapters behind one small interface: the core hands one frame
 * in the caller's layout and strides, the adapter fills an AVFrame of the codec's pixel format. */
#ifndef POLYENC_PLATFORM_H
#define POLYENC_PLATFORM_H

#include <libavutil/frame.h>
#include <libavutil/pixfmt.h>

#include "polyenc/polyenc.h"

/* One source frame. strides are the layout's per-frame strides in bytes (the frame dimension dropped):
 * RGB_PLANAR {channel, row, pixel}; RGB24/RGBA/BGRA {row, pixel, channel}; YUV420P {Y row, U/V row}. */
typedef struct source_frame {
  polyenc_layout layout;
  const uint8_t *data;
  int64_t strides[3];
  int width, height;
} source_frame;

typedef struct conversion {
  enum AVPixelFormat format;     /* the codec's pixel format */
  enum AVColorSpace color_space; /* AVCOL_SPC_SMPTE170M (bt601), AVCOL_SPC_BT709 or AVCOL_SPC_BT2020_NCL */
  int full_range;                /* 0: tv (limited), 1: pc (full) */
  int width, height;
} conversion;

typedef struct cpu_converter cpu_converter;

/* 0 or a negative AVERROR. */
int cpu_converter_new(const conversion *conv, cpu_converter **out);
int cpu_convert(cpu_converter *c, const source_frame *src, AVFrame *dst);
void cpu_converter_free(cpu_converter *c);
/* Whether the CPU adapter can produce this pixel format at all. */
int cpu_can_produce(enum AVPixelFormat format);

#endif
