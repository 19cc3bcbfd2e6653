/* A test-only allocator interposer (tests/fault/alloc_fail.c, linked into one test program,
 * never into the library): while armed it counts every allocation of the process (malloc,
 * calloc, realloc, posix_memalign, aligned_alloc, memalign, valloc: FFmpeg's av_malloc is
 * posix_memalign in Debian's build), makes the k-th one fail, and keeps the blocks allocated
 * while armed in a table until they are freed, so that leaks show without ASan or valgrind
 * (both replace the allocator: the program skips under them). */
#ifndef POLYENC_TESTS_ALLOC_FAIL_H
#define POLYENC_TESTS_ALLOC_FAIL_H

/* Starts counting from 0; allocation number fail_at (1-based) returns NULL, 0: none fails.
 * Forgets the blocks of an earlier arming. */
void alloc_fail_arm(long fail_at);
/* Stops counting; returns the number of allocations made while armed (the failed one included). */
long alloc_fail_disarm(void);
/* 1 once the armed failure was returned. */
int alloc_fail_fired(void);
/* Blocks allocated while armed and not freed since. */
long alloc_fail_live(void);
/* The allocation number (1-based, counted while armed) of the earliest block still live, 0: none.
 * Run the program under a debugger with ALLOC_FAIL_TRAP=<number> to stop at that allocation. */
long alloc_fail_live_number(void);
/* The armed failure is not made while `function` (an exported symbol of a loaded library) is on
 * the call stack: for FFmpeg functions that abort on their own out-of-memory path. Returns 0, or
 * -1 when the symbol is not found. The failure number is then skipped: see alloc_fail_spared. */
int alloc_fail_spare(const char *function);
/* Blocks left by a failure inside `function` (a library's own leak on its out-of-memory path)
 * can be told apart: alloc_fail_watch_live() notes the allocation numbers of the blocks live now;
 * in the next armed run (the same allocations in the same order), alloc_fail_watched_leaky()
 * counts those of them allocated with `function` on the call stack. */
int alloc_fail_tolerate_leaks_in(const char *function);
int alloc_fail_watch_live(void);
int alloc_fail_watched_leaky(void);
/* 1 when the armed failure fell inside a spared function and was not made. */
int alloc_fail_spared(void);
/* 1 when this process's allocator is the interposer (0 under valgrind, which replaces it). */
int alloc_fail_active(void);

#endif
