/* The polyenc command line: one function per subcommand. */
#ifndef POLYENC_CLI_H
#define POLYENC_CLI_H

#include "polyenc/polyenc.h"

int cli_demo(int argc, char **argv);
int cli_encode(int argc, char **argv);
int cli_info(int argc, char **argv);

/* Prints what a written file holds, read back with libavformat. 0 ok. */
int cli_print_streams(const char *path);
/* Prints "polyenc: <what>: <status>: <message>" to stderr and returns 1. */
int cli_fail(polyenc_encoder *enc, const char *what, polyenc_status st);

#endif
