# Write the bytes of INPUT as a C array named NAME into OUTPUT.
# Usage: cmake -DINPUT=f -DOUTPUT=f.c -DNAME=sym -P embed.cmake
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hexlen)
math(EXPR len "${hexlen} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE "${OUTPUT}.tmp"
"/* Generated from ${INPUT} by cmake/embed.cmake: do not edit. */\n"
"#include <stddef.h>\n"
"extern const char ${NAME}[];\n"
"extern const size_t ${NAME}_len;\n"
"const char ${NAME}[] = {\n${bytes}\n0 };\n"
"const size_t ${NAME}_len = ${len};\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
