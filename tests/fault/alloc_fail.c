/* The allocator interposer of alloc_fail.h. The program that links this file defines malloc & co.;
 * the dynamic linker binds every library of the process (libavcodec, libx264, polyenc, libc's own
 * strdup ...) to them. They count, fail on demand and track, then call glibc's allocator through
 * its __libc_* entry points. */
#define _GNU_SOURCE
#include "alloc_fail.h"

#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <link.h>
#include <signal.h>
#include <stdlib.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void *__libc_memalign(size_t align, size_t size);
extern void __libc_free(void *p);

static volatile int g_lock;
static int g_armed, g_fired;
static long g_count, g_fail_at, g_live;

static void lock(void) {
  while (__atomic_test_and_set(&g_lock, __ATOMIC_ACQUIRE)) {
  }
}
static void unlock(void) { __atomic_clear(&g_lock, __ATOMIC_RELEASE); }

/* ---- the table of blocks allocated while armed: linear probing, backward-shift deletion ---- */
enum { SLOTS = 1 << 18 };
static void *g_slots[SLOTS];
static long g_numbers[SLOTS]; /* the allocation number of each slot's block */

static size_t slot_of(const void *p) { return (size_t)(((uintptr_t)p >> 4) * 0x9E3779B97F4A7C15ull >> 46) & (SLOTS - 1); }

static void track(void *p) {
  if (g_live >= SLOTS / 2) return; /* full: stop tracking (the sweep's encode stays far below) */
  size_t i = slot_of(p);
  while (g_slots[i]) i = (i + 1) & (SLOTS - 1);
  g_slots[i] = p;
  g_numbers[i] = g_count;
  g_live++;
}

static void untrack(void *p) {
  if (!g_live) return;
  size_t i = slot_of(p);
  while (g_slots[i] && g_slots[i] != p) i = (i + 1) & (SLOTS - 1);
  if (!g_slots[i]) return;
  g_slots[i] = NULL;
  g_live--;
  for (size_t j = (i + 1) & (SLOTS - 1); g_slots[j]; j = (j + 1) & (SLOTS - 1)) {
    size_t home = slot_of(g_slots[j]);
    /* move j back to the hole i unless its home lies cyclically in (i, j] */
    if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
      g_slots[i] = g_slots[j];
      g_numbers[i] = g_numbers[j];
      g_slots[j] = NULL;
      i = j;
    }
  }
}

/* ---- spared functions: [start, end) of each ---- */
enum { MAX_SPARED = 16, MAX_WATCHED = 64 };
static uintptr_t g_spared[MAX_SPARED][2], g_leaky[MAX_SPARED][2];
static int g_num_spared, g_spared_hit, g_num_leaky;
static long g_watched[MAX_WATCHED];
static int g_num_watched, g_watched_leaky;

static int function_range(const char *function, uintptr_t range[2]) {
  void *frames[4];
  backtrace(frames, 4); /* loads the unwinder now, not inside an allocation */
  void *addr = dlsym(RTLD_DEFAULT, function);
  Dl_info info;
  const ElfW(Sym) *sym = NULL;
  if (!addr || !dladdr1(addr, &info, (void **)&sym, RTLD_DL_SYMENT) || !sym) return -1;
  range[0] = (uintptr_t)addr;
  range[1] = (uintptr_t)addr + sym->st_size;
  return 0;
}

int alloc_fail_spare(const char *function) {
  if (g_num_spared == MAX_SPARED || function_range(function, g_spared[g_num_spared])) return -1;
  g_num_spared++;
  return 0;
}

int alloc_fail_tolerate_leaks_in(const char *function) {
  if (g_num_leaky == MAX_SPARED || function_range(function, g_leaky[g_num_leaky])) return -1;
  g_num_leaky++;
  return 0;
}

static int in_function(uintptr_t (*ranges)[2], int count) {
  void *frames[64];
  int n = backtrace(frames, 64);
  for (int i = 0; i < n; i++)
    for (int s = 0; s < count; s++)
      if ((uintptr_t)frames[i] > ranges[s][0] && (uintptr_t)frames[i] <= ranges[s][1]) return 1;
  return 0;
}
static int in_spared_function(void) { return in_function(g_spared, g_num_spared); }

int alloc_fail_watch_live(void) {
  g_num_watched = 0;
  for (size_t i = 0; i < SLOTS && g_num_watched < MAX_WATCHED; i++)
    if (g_slots[i]) g_watched[g_num_watched++] = g_numbers[i];
  return g_num_watched;
}

int alloc_fail_watched_leaky(void) { return g_watched_leaky; }

int alloc_fail_spared(void) { return g_spared_hit; }

/* Counts one allocation; 1 when this one must fail. Called with the lock held. */
static long g_trap = -1;

static int should_fail(void) {
  if (!g_armed) return 0;
  if (++g_count == g_trap) raise(SIGTRAP);
  for (int i = 0; i < g_num_watched; i++)
    if (g_watched[i] == g_count && in_function(g_leaky, g_num_leaky)) g_watched_leaky++;
  if (g_count != g_fail_at) return 0;
  if (g_num_spared && in_spared_function()) {
    g_spared_hit = 1;
    return 0;
  }
  g_fired = 1;
  return 1;
}

static void *done(void *p) {
  if (p && g_armed) track(p);
  unlock();
  return p;
}

void *malloc(size_t size) {
  lock();
  if (should_fail()) return done(NULL), errno = ENOMEM, NULL;
  return done(__libc_malloc(size));
}

void *calloc(size_t n, size_t size) {
  lock();
  if (should_fail()) return done(NULL), errno = ENOMEM, NULL;
  return done(__libc_calloc(n, size));
}

void *realloc(void *p, size_t size) {
  if (!p) return malloc(size);
  lock();
  if (size && should_fail()) return done(NULL), errno = ENOMEM, NULL;
  untrack(p);
  void *q = __libc_realloc(p, size);
  if (!q && size) track(p); /* failed: the old block lives on */
  return done(q);
}

void free(void *p) {
  if (!p) return;
  lock();
  untrack(p);
  unlock();
  __libc_free(p);
}

static void *aligned(size_t align, size_t size) {
  lock();
  if (should_fail()) return done(NULL), errno = ENOMEM, NULL;
  return done(__libc_memalign(align, size));
}

int posix_memalign(void **out, size_t align, size_t size) {
  if (align < sizeof(void *) || (align & (align - 1))) return EINVAL;
  void *p = aligned(align, size);
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}

void *aligned_alloc(size_t align, size_t size) { return aligned(align, size); }
void *memalign(size_t align, size_t size) { return aligned(align, size); }
void *valloc(size_t size) { return aligned(4096, size); }

/* ---- control ---- */
void alloc_fail_arm(long fail_at) {
  if (g_trap < 0) {
    const char *trap = getenv("ALLOC_FAIL_TRAP");
    g_trap = trap ? atol(trap) : 0;
  }
  lock();
  memset(g_slots, 0, sizeof g_slots);
  g_live = 0;
  g_count = 0;
  g_fired = 0;
  g_spared_hit = 0;
  g_watched_leaky = 0;
  g_fail_at = fail_at;
  g_armed = 1;
  unlock();
}

long alloc_fail_disarm(void) {
  lock();
  g_armed = 0;
  long n = g_count;
  unlock();
  return n;
}

int alloc_fail_fired(void) { return g_fired; }
long alloc_fail_live(void) { return g_live; }

long alloc_fail_live_number(void) {
  long first = 0;
  for (size_t i = 0; i < SLOTS; i++)
    if (g_slots[i] && (!first || g_numbers[i] < first)) first = g_numbers[i];
  return first;
}

int alloc_fail_active(void) {
  void *(*volatile alloc)(size_t) = malloc;
  alloc_fail_arm(1);
  void *p = alloc(16);
  alloc_fail_disarm();
  free(p);
  return p == NULL;
}
