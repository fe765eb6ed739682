/*
 * record_file.c - one record line appended to a record file, whole or not
 * at all (record_file.h). Builds nothing: the line comes from record.c.
 */
#include "record_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static int is_nospc(int e)
{
	return e == ENOSPC || e == EDQUOT || e == EFBIG;
}

static int lock_wait(int fd)
{
	int rc;

	do
		rc = flock(fd, LOCK_EX);
	while (rc != 0 && errno == EINTR);
	return rc;
}

int vsp_record_append(int fd, const char *label, const char *line, char *err,
		      size_t errlen)
{
	size_t len = strlen(line);
	char *buf = malloc(len + 1);
	struct stat st;
	ssize_t n;
	int rv = 0, e;

	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", label);
		return VSP_RECORD_E_NOMEM;
	}
	memcpy(buf, line, len);
	buf[len] = '\n';
	/* The lock is not for O_APPEND's sake: it makes the size read below
	 * ours until the write ends, so cutting back a short write can never
	 * cut another process's line. */
	if (lock_wait(fd) != 0) {
		snprintf(err, errlen, "%s: cannot lock: %s", label,
			 strerror(errno));
		free(buf);
		return VSP_RECORD_E_FILE;
	}
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s: %s", label, strerror(errno));
		rv = VSP_RECORD_E_FILE;
		goto out;
	}
	n = write(fd, buf, len + 1);
	e = errno;
	if (n == (ssize_t)(len + 1))
		goto out;
	/* Never a partial line: cut the file back to where it was. */
	if (n > 0 && ftruncate(fd, st.st_size) != 0) {
		snprintf(err, errlen,
			 "%s: wrote %zd of %zu bytes and could not remove "
			 "them (%s): the last line is partial",
			 label, n, len + 1, strerror(errno));
		rv = VSP_RECORD_E_FILE;
		goto out;
	}
	if (n >= 0) {
		/* A regular file takes a short write only when it is out of
		 * room (disk, quota or file size limit). */
		snprintf(err, errlen,
			 "%s: disk full: wrote %zd of %zu bytes of a record "
			 "(removed again)",
			 label, n, len + 1);
		rv = VSP_RECORD_E_NOSPC;
	} else if (is_nospc(e)) {
		snprintf(err, errlen, "%s: disk full: %s", label, strerror(e));
		rv = VSP_RECORD_E_NOSPC;
	} else {
		snprintf(err, errlen, "%s: cannot write: %s", label,
			 strerror(e));
		rv = VSP_RECORD_E_FILE;
	}
out:
	flock(fd, LOCK_UN);
	free(buf);
	return rv;
}
