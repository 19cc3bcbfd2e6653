/* A tiny test harness: CHECK macros that print file:line and the values and
 * end the test with a non-zero exit status, and a case table driven main().
 *
 * Each test source defines its cases with an X-macro list:
 *
 *   #define CASES(X) X(width_zero, QUICK) X(big_encode, SLOW)
 *   CHECK_MAIN(CASES)
 *
 * and one function per case: `static void case_width_zero(void) { ... }`.
 * tests/CMakeLists.txt reads the same list (the `X(name, LABEL)` lines) and
 * registers one ctest test per case, labelled quick or slow.
 *
 * Every case gets its own empty temporary directory (tmp_path() builds paths
 * inside it) under $POLYENC_TEST_TMP (set by CMake to a folder of the build
 * tree); the directory is removed when the case passes and kept for
 * inspection when it fails. A case may call SKIP("why") (exit code 77).
 */
#ifndef POLYENC_TESTS_CHECK_H
#define POLYENC_TESTS_CHECK_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "polyenc/polyenc.h"

#define SKIP_CODE 77

void check_fail(void); /* exits with 1 */
void check_skip(const char *why, const char *file, int line);

#define CHECK(cond)                                                                \
  do {                                                                             \
    if (!(cond)) {                                                                 \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);     \
      check_fail();                                                                \
    }                                                                              \
  } while (0)

#define CHECK_MSG(cond, ...)                                                       \
  do {                                                                             \
    if (!(cond)) {                                                                 \
      fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);     \
      fprintf(stderr, __VA_ARGS__);                                                \
      fprintf(stderr, "\n");                                                       \
      check_fail();                                                                \
    }                                                                              \
  } while (0)

#define CHECK_EQ_INT(a, b)                                                         \
  do {                                                                             \
    long long check_a_ = (long long)(a), check_b_ = (long long)(b);                \
    if (check_a_ != check_b_) {                                                    \
      fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%lld vs %lld)\n", __FILE__,  \
              __LINE__, #a, #b, check_a_, check_b_);                               \
      check_fail();                                                                \
    }                                                                              \
  } while (0)

#define CHECK_NEAR(a, b, tol)                                                      \
  do {                                                                             \
    double check_a_ = (double)(a), check_b_ = (double)(b), check_t_ = (tol);       \
    if (!(fabs(check_a_ - check_b_) <= check_t_)) {                                \
      fprintf(stderr, "%s:%d: CHECK failed: |%s - %s| <= %g (%.9g vs %.9g)\n",     \
              __FILE__, __LINE__, #a, #b, check_t_, check_a_, check_b_);           \
      check_fail();                                                                \
    }                                                                              \
  } while (0)

#define CHECK_GT(a, b)                                                             \
  do {                                                                             \
    double check_a_ = (double)(a), check_b_ = (double)(b);                         \
    if (!(check_a_ > check_b_)) {                                                  \
      fprintf(stderr, "%s:%d: CHECK failed: %s > %s (%.9g vs %.9g)\n", __FILE__,   \
              __LINE__, #a, #b, check_a_, check_b_);                               \
      check_fail();                                                                \
    }                                                                              \
  } while (0)

#define CHECK_GE(a, b)                                                             \
  do {                                                                             \
    double check_a_ = (double)(a), check_b_ = (double)(b);                         \
    if (!(check_a_ >= check_b_)) {                                                 \
      fprintf(stderr, "%s:%d: CHECK failed: %s >= %s (%.9g vs %.9g)\n", __FILE__,  \
              __LINE__, #a, #b, check_a_, check_b_);                               \
      check_fail();                                                                \
    }                                                                              \
  } while (0)

#define CHECK_STREQ(a, b)                                                          \
  do {                                                                             \
    const char *check_a_ = (a), *check_b_ = (b);                                   \
    if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0) {               \
      fprintf(stderr, "%s:%d: CHECK failed: %s == %s (\"%s\" vs \"%s\")\n",        \
              __FILE__, __LINE__, #a, #b, check_a_ ? check_a_ : "(null)",          \
              check_b_ ? check_b_ : "(null)");                                     \
      check_fail();                                                                \
    }                                                                              \
  } while (0)

#define CHECK_CONTAINS(hay, needle)                                                \
  do {                                                                             \
    const char *check_h_ = (hay), *check_n_ = (needle);                            \
    if (!check_h_ || !strstr(check_h_, check_n_)) {                                \
      fprintf(stderr, "%s:%d: CHECK failed: \"%s\" should contain \"%s\"\n",       \
              __FILE__, __LINE__, check_h_ ? check_h_ : "(null)", check_n_);       \
      check_fail();                                                                \
    }                                                                              \
  } while (0)

/* A polyenc call that must succeed; prints the status and the message otherwise. */
#define CHECK_OK(enc, expr)                                                        \
  do {                                                                             \
    polyenc_status check_s_ = (expr);                                              \
    if (check_s_ != POLYENC_OK) {                                                  \
      fprintf(stderr, "%s:%d: %s returned %s: \"%s\"\n", __FILE__, __LINE__,       \
              #expr, polyenc_status_name(check_s_), polyenc_last_error(enc));      \
      check_fail();                                                                \
    }                                                                              \
  } while (0)

/* A polyenc call that must fail with this status. */
#define CHECK_STATUS(enc, expr, expected)                                          \
  do {                                                                             \
    polyenc_status check_s_ = (expr);                                              \
    if (check_s_ != (expected)) {                                                  \
      fprintf(stderr, "%s:%d: %s returned %s, expected %s (message: \"%s\")\n",    \
              __FILE__, __LINE__, #expr, polyenc_status_name(check_s_),            \
              polyenc_status_name(expected), polyenc_last_error(enc));             \
      check_fail();                                                                \
    }                                                                              \
  } while (0)

#define SKIP(why) check_skip((why), __FILE__, __LINE__)

/* The per-case temporary directory and a path inside it (a static buffer ring, 8 deep). */
const char *tmp_dir(void);
const char *tmp_path(const char *name);

/* The extra command-line argument after the case name (argv[2]), or NULL. */
const char *case_arg(void);

typedef struct check_case {
  const char *name;
  void (*fn)(void);
} check_case;

int check_run(int argc, char **argv, const check_case *cases, size_t num_cases);

#define CHECK_DECLARE_(name, label) static void case_##name(void);
#define CHECK_ENTRY_(name, label) {#name, case_##name},
#define CHECK_MAIN(CASES)                                                          \
  CASES(CHECK_DECLARE_)                                                            \
  static const check_case check_cases_[] = {CASES(CHECK_ENTRY_)};                  \
  int main(int argc, char **argv) {                                                \
    return check_run(argc, argv, check_cases_,                                     \
                     sizeof check_cases_ / sizeof check_cases_[0]);                \
  }

#endif
