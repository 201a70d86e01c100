/*
 * fileio.h - read a whole file into memory
 *
 * Ownership: *out is malloc'ed, NUL-terminated (not counted in *len), and
 * freed by the caller.  Errors are returned as text ("path: reason").
 *
 * Thread safety: reentrant.
 */
#ifndef BMX_FILEIO_H
#define BMX_FILEIO_H

#include <stdbool.h>
#include <stddef.h>

/** Largest file accepted (bytes). */
#define BMX_FILE_MAX ((size_t)512 << 20)

/**
 * Read a regular file.
 * @param path file name
 * @param out receives the contents, NUL-terminated; caller frees
 * @param len receives the length without the NUL
 * @param err receives "path: reason" on failure
 * @return true on success
 */
bool bmx_file_read(
    const char *path, char **out, size_t *len, char *err, size_t errlen);

#endif
