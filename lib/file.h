/*
 * file.h - the one bounded file reader of the library and the program.
 *
 * A local file (probe file, manifest given as a path) is read whole, up to
 * a cap; a file over it is refused, never cut.
 */
#ifndef VSP_FILE_H
#define VSP_FILE_H

#include <stddef.h>

/* vsp_file_read() flags. */
/* Refuse anything but a regular file: a FIFO would block until a writer
 * came, a device might never end. */
#define VSP_FILE_REGULAR 1

/*
 * Reads the file at path, of at most max bytes, into *out (caller frees;
 * NUL-terminated, *len excludes the NUL). what names the file in a message
 * ("a probe file"). Returns 0, or with *out NULL and a message in err that
 * does not name the path (the caller does): VSP_E_IO (cannot open or read,
 * not a regular file), VSP_E_LIMIT (over max) or VSP_E_NOMEM.
 */
int vsp_file_read(const char *path, size_t max, const char *what, int flags,
		  char **out, size_t *len, char *err, size_t errlen);

/* Writes all len bytes of buf to fd, going on after EINTR and short
 * writes. Returns 0, or -1 with errno set (ENOSPC when the file stopped
 * growing: a regular file takes a short write only when out of room). */
int vsp_file_write_all(int fd, const void *buf, size_t len);

#endif
