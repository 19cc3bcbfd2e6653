/* The device a video stream's config names, and so its converter (platform.h), picked once: NULL or "cpu",
 * the host converter; "cuda" or "cuda:N", the CUDA adapter on device N once it says the device can be used.
 * The only place the core names a device. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "platform.h"

polyenc_status pe_parse_device(polyenc_encoder *enc, const char *device, const pe_converter_ops **ops, int *index) {
  *ops = &pe_host_converter;
  *index = -1;
  if (!device || !strcmp(device, "cpu")) return POLYENC_OK;
  if (strncmp(device, "cuda", 4) || (device[4] && device[4] != ':'))
    return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "device must be NULL, \"cpu\", \"cuda\" or \"cuda:N\", got '%s'",
                        device);
  long n = 0;
  if (device[4] == ':') {
    char *end;
    n = strtol(device + 5, &end, 10);
    if (end == device + 5 || *end || n < 0 || n > 1023)
      return pe_set_error(enc, POLYENC_ERR_ARGUMENT, "device '%s': N in \"cuda:N\" must be a device index >= 0",
                          device);
  }
  const pe_converter_ops *named = &pe_cuda_converter;
  char why[300];
  if (named->device_problem((int)n, why, sizeof why))
    return pe_set_error(enc, POLYENC_ERR_UNSUPPORTED, "device '%s' cannot be used: %s", device, why);
  *ops = named;
  *index = (int)n;
  return POLYENC_OK;
}
