/* Included ahead of bench/convert/wide.c by bench/wasm/convert-wide.sh: emscripten's clock_gettime has no
 * CPU-time clocks (CLOCK_THREAD_CPUTIME_ID fails with EINVAL), so the bench reads the monotonic clock there:
 * wall time of the one thread, performance.now() under Node. */
#define _POSIX_C_SOURCE 200809L
#include <time.h>
#undef CLOCK_THREAD_CPUTIME_ID
#define CLOCK_THREAD_CPUTIME_ID CLOCK_MONOTONIC
