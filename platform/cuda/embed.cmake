# Turns a binary file into a C source holding it as an array (the fatbin of kernels.cu).
#   cmake -DIN=file.fatbin -DOUT=file.c -DNAME=symbol -P embed.cmake
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" length)
math(EXPR size "${length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){16})" "\\1\n  " bytes "${bytes}")
file(WRITE "${OUT}" "/* Generated from ${IN} by platform/cuda/embed.cmake: do not edit. */\n"
  "#include <stddef.h>\n"
  "__attribute__((aligned(64))) const unsigned char ${NAME}[] = {\n  ${bytes}\n};\n"
  "const size_t ${NAME}_size = ${size};\n")
