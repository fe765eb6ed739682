/*
 * record_file.h - appending record lines to a file (RESULTS/YYYY-MM-DD.jsonl)
 * so that readers never see half a line, whoever else writes.
 */
#ifndef VSP_RECORD_FILE_H
#define VSP_RECORD_FILE_H

#include <stddef.h>

#include "error.h"

/* The library's error codes (error.h) vsp_record_append() returns. */
enum {
	VSP_RECORD_E_FILE = VSP_E_IO,	  /* cannot lock or write */
	VSP_RECORD_E_NOSPC = VSP_E_NOSPC, /* disk full, quota, file size */
	VSP_RECORD_E_NOMEM = VSP_E_NOMEM, /* out of memory */
};

/*
 * Appends line and a newline to the open (O_APPEND) file fd in one write()
 * under flock(LOCK_EX); on a short or failed write the file is cut back to
 * its size before, so no partial line stays. label names the file in err.
 * Returns 0, VSP_RECORD_E_NOSPC, VSP_RECORD_E_FILE or VSP_RECORD_E_NOMEM.
 */
int vsp_record_append(int fd, const char *label, const char *line, char *err,
		      size_t errlen);

#endif
