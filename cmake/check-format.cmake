# Fail when a C file under lib/ milter/ test/ bench/ is not clang-format clean.
file(GLOB_RECURSE files
  ${SOURCE_DIR}/lib/*.[ch] ${SOURCE_DIR}/milter/*.[ch]
  ${SOURCE_DIR}/test/*.[ch] ${SOURCE_DIR}/bench/*.[ch])
set(bad "")
foreach(f IN LISTS files)
  execute_process(COMMAND ${CLANG_FORMAT} --dry-run -Werror ${f}
    RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
  if(NOT rc EQUAL 0)
    file(RELATIVE_PATH rel ${SOURCE_DIR} ${f})
    list(APPEND bad ${rel})
  endif()
endforeach()
list(LENGTH files n)
if(bad)
  list(JOIN bad "\n  " badtext)
  message(FATAL_ERROR "not clang-format clean (run clang-format -i on them):\n  ${badtext}")
endif()
message(STATUS "${n} files clang-format clean")
