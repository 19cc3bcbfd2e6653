/* The harness behind check.h: case lookup, the per-case temporary directory. */
#define _XOPEN_SOURCE 700
#include "check.h"

#include <errno.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

static char g_tmp_dir[4096];

void check_fail(void) {
  if (g_tmp_dir[0]) fprintf(stderr, "temporary files kept in %s\n", g_tmp_dir);
  fflush(stderr);
  exit(1);
}

void check_skip(const char *why, const char *file, int line) {
  fprintf(stderr, "%s:%d: SKIPPED: %s\n", file, line, why);
  fflush(stderr);
  exit(SKIP_CODE);
}

static const char *g_case_arg;
const char *case_arg(void) { return g_case_arg; }

const char *tmp_dir(void) { return g_tmp_dir; }

const char *tmp_path(const char *name) {
  static char ring[8][8192];
  static int next;
  char *p = ring[next++ % 8];
  snprintf(p, sizeof ring[0], "%s/%s", g_tmp_dir, name);
  return p;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  return remove(path);
}

static void remove_tree(const char *dir) { nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS); }

static int mkdir_p(const char *path) {
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", path);
  for (char *p = buf + 1; *p; p++) {
    if (*p == '/') {
      *p = 0;
      if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
      *p = '/';
    }
  }
  if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
  return 0;
}

int check_run(int argc, char **argv, const check_case *cases, size_t num_cases) {
  if (argc < 2 || strcmp(argv[1], "--list") == 0) {
    for (size_t i = 0; i < num_cases; i++) printf("%s\n", cases[i].name);
    return argc < 2 ? 2 : 0;
  }
  const check_case *c = NULL;
  for (size_t i = 0; i < num_cases; i++)
    if (strcmp(cases[i].name, argv[1]) == 0) c = &cases[i];
  if (!c) {
    fprintf(stderr, "unknown case %s\n", argv[1]);
    return 2;
  }
  g_case_arg = argc > 2 ? argv[2] : NULL;
  const char *base = getenv("POLYENC_TEST_TMP");
  if (!base || !*base) base = "polyenc-test-tmp";
  const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
  if (strlen(base) + strlen(prog) + strlen(c->name) + 3 > sizeof g_tmp_dir) {
    fprintf(stderr, "temporary directory path too long\n");
    return 1;
  }
  snprintf(g_tmp_dir, sizeof g_tmp_dir, "%s/%s-%s", base, prog, c->name);
  remove_tree(g_tmp_dir);
  if (mkdir_p(g_tmp_dir) != 0) {
    fprintf(stderr, "cannot create %s\n", g_tmp_dir);
    return 1;
  }
  c->fn();
  remove_tree(g_tmp_dir);
  g_tmp_dir[0] = 0;
  printf("%s: passed\n", c->name);
  return 0;
}
