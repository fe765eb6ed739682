/*
 * file.c - the bounded file reader. Opens without blocking, refuses what
 * does not fit, reads through EINTR.
 */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dynbuf.h"
#include "error.h"

/* Bytes asked of read() at a time when the size is not known ahead. */
#define READ_CHUNK 16384

int vsp_file_read(const char *path, size_t max, const char *what, int flags,
		  char **out, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	vsp_buf b;
	char chunk[READ_CHUNK];
	ssize_t n;
	int fd, rv = VSP_E_IO;

	*out = NULL;
	*len = 0;
	/* One byte more than the cap (and the NUL): a file that grew since
	 * fstat() is still caught. */
	vsp_buf_init(&b, max + 2);
	/* O_NONBLOCK: opening a FIFO (or a device) for reading blocks until
	 * a writer comes; the file type is only known after open(). A
	 * regular file ignores the flag. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		return VSP_E_IO;
	}
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "cannot read: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		if (flags & VSP_FILE_REGULAR) {
			snprintf(err, errlen, "not a regular file");
			goto out;
		}
		/* Asked for (a pipe given as a path): wait for its bytes. */
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	} else if (st.st_size > (off_t)max) {
		snprintf(err, errlen,
			 "%lld bytes, more than the %zu %s may have",
			 (long long)st.st_size, max, what);
		rv = VSP_E_LIMIT;
		goto out;
	} else if (vsp_buf_grow(&b, (size_t)st.st_size + 2)) {
		snprintf(err, errlen, "out of memory");
		rv = VSP_E_NOMEM;
		goto out;
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "cannot read: %s",
				 strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if (vsp_buf_add(&b, chunk, (size_t)n) || b.len > max) {
			if (b.err == VSP_E_NOMEM) {
				snprintf(err, errlen, "out of memory");
				rv = VSP_E_NOMEM;
			} else {
				snprintf(err, errlen,
					 "more than the %zu bytes %s may have",
					 max, what);
				rv = VSP_E_LIMIT;
			}
			goto out;
		}
	}
	*out = vsp_buf_take(&b, len);
	rv = *out ? 0 : VSP_E_NOMEM;
	if (rv)
		snprintf(err, errlen, "out of memory");
out:
	vsp_buf_free(&b);
	close(fd);
	return rv;
}

int vsp_file_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t off = 0;

	while (off < len) {
		ssize_t n = write(fd, p + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ENOSPC;
			return -1;
		}
		off += (size_t)n;
	}
	return 0;
}
