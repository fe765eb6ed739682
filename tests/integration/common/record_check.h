/*
 * record_check.h - assertions on prober's JSON record for the integration
 * suites that check it field by field (test_integration.c,
 * test_live_integration.c).
 *
 * Each assertion names the key and what was seen, prefixed by `where` (the
 * path in the record the suite is looking at: "origins[0].renditions[1]"),
 * and on failure dumps the run under test once, whole: cmocka's own messages
 * are truncated, and the record is what one needs to see.
 *
 * Include after cmocka.h, jansson.h and child.h, with RUN_LIMIT_MS defined.
 * Everything is static inline: each suite uses a different part.
 */
#ifndef PROBER_RECORD_CHECK_H
#define PROBER_RECORD_CHECK_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A prober run; its doc is stdout parsed, NULL when not JSON. */
typedef child run;

static const run *current;
static int dumped;
static char where[160];

static inline void dump_current(void)
{
	if (current == NULL || dumped)
		return;
	dumped = 1;
	child_dump(current, "prober", SIZE_MAX, SIZE_MAX);
}

static inline void failf(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

static inline void failf(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	char msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	print_error("%s:%d: %s%s%s\n", file, line, where, *where ? ": " : "",
		    msg);
	dump_current();
	_fail(file, line);
	abort(); /* _fail longjmps; this only tells the compiler */
}

#define FAILF(...) failf(__FILE__, __LINE__, __VA_ARGS__)

/* Runs argv (argv[0] a path), stdout parsed into r->doc; kills it past
 * RUN_LIMIT_MS. A crash or a hang is never an acceptable verdict. */
static inline void run_argv(run *r, char *const argv[])
{
	int rc;

	dumped = 0;
	current = r;
	where[0] = '\0';
	rc = child_run(r, argv[0], argv, RUN_LIMIT_MS);
	if (rc != 0)
		FAILF("cannot start %s: %s", argv[0], strerror(rc));
	child_json(r);
	if (r->exit_status < 0)
		FAILF("prober died by signal %d after %.0f ms", r->term_signal,
		      r->wall_ms);
}

static inline void run_free(run *r)
{
	if (current == r)
		current = NULL;
	child_free(r);
}

static inline const json_t *obj_at(const char *file, int line,
				   const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_object(v))
		failf(file, line, "\"%s\" is not an object", key);
	return v;
}

static inline const json_t *arr_at(const char *file, int line,
				   const json_t *o, const char *key,
				   size_t want)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_array(v))
		failf(file, line, "\"%s\" is not an array", key);
	if (json_array_size(v) != want)
		failf(file, line, "\"%s\" has %zu elements, want %zu", key,
		      json_array_size(v), want);
	return v;
}

static inline void str_at(const char *file, int line, const json_t *o,
			  const char *key, const char *want)
{
	const json_t *v = json_object_get(o, key);

	if (json_is_string(v) && strcmp(json_string_value(v), want) == 0)
		return;
	failf(file, line, "\"%s\": want \"%s\", got %s", key, want,
	      json_is_string(v) ? json_string_value(v)
				: (v ? "(not a string)" : "(absent)"));
}

/* A string equal to one of two values (where the design allows both). */
static inline void str2_at(const char *file, int line, const json_t *o,
			   const char *key, const char *a, const char *b)
{
	const char *s = json_string_value(json_object_get(o, key));

	if (s != NULL && (strcmp(s, a) == 0 || strcmp(s, b) == 0))
		return;
	failf(file, line, "\"%s\": want \"%s\" or \"%s\", got %s", key, a, b,
	      s ? s : "(absent or not a string)");
}

/* Text that contains needle (want 1) or does not (want 0). */
static inline void contains_at(const char *file, int line, const json_t *o,
			       const char *key, const char *needle, int want)
{
	const char *s = json_string_value(json_object_get(o, key));

	if (s != NULL && (strstr(s, needle) != NULL) == want)
		return;
	failf(file, line, "\"%s\": want text %s \"%s\", got %s", key,
	      want ? "containing" : "without", needle,
	      s ? s : "(absent or not a string)");
}

static inline void nonempty_at(const char *file, int line, const json_t *o,
			       const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	if (s == NULL || *s == '\0')
		failf(file, line, "\"%s\": want a non-empty string", key);
}

/* Reason, stage or message of a verdict that passed: null, "" or absent. */
static inline void blank_at(const char *file, int line, const json_t *o,
			    const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (v == NULL || json_is_null(v) ||
	    (json_is_string(v) && *json_string_value(v) == '\0'))
		return;
	failf(file, line, "\"%s\": want null or \"\" on a pass, got %s", key,
	      json_is_string(v) ? json_string_value(v) : "(not a string)");
}

static inline json_int_t int_of(const char *file, int line, const json_t *o,
				const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		failf(file, line, "\"%s\" is not an integer", key);
	return json_integer_value(v);
}

static inline void int_at(const char *file, int line, const json_t *o,
			  const char *key, json_int_t want)
{
	json_int_t got = int_of(file, line, o, key);

	if (got != want)
		failf(file, line, "\"%s\": want %lld, got %lld", key,
		      (long long)want, (long long)got);
}

static inline double num_of(const char *file, int line, const json_t *o,
			    const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_number(v))
		failf(file, line, "\"%s\" is not a number", key);
	return json_number_value(v);
}

/* A number (integer or real) above min. */
static inline double num_gt_at(const char *file, int line, const json_t *o,
			       const char *key, double min)
{
	double d = num_of(file, line, o, key);

	if (!(d > min))
		failf(file, line, "\"%s\": want > %g, got %g", key, min, d);
	return d;
}

/* A number in [lo, hi]. */
static inline double num_in_at(const char *file, int line, const json_t *o,
			       const char *key, double lo, double hi)
{
	double d = num_of(file, line, o, key);

	if (!(d >= lo && d <= hi))
		failf(file, line, "\"%s\": want in [%g, %g], got %g", key, lo,
		      hi, d);
	return d;
}

/* A step that was not made, a value not known: absent or null. */
static inline void absent_at(const char *file, int line, const json_t *o,
			     const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (v != NULL && !json_is_null(v))
		failf(file, line, "\"%s\": want absent or null", key);
}

static inline void bool_at(const char *file, int line, const json_t *o,
			   const char *key, int want)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_boolean(v) || json_is_true(v) != want)
		failf(file, line, "\"%s\": want %s", key,
		      want ? "true" : "false");
}

#define OBJ(o, k) obj_at(__FILE__, __LINE__, o, k)
#define ARR(o, k, n) arr_at(__FILE__, __LINE__, o, k, n)
#define STR(o, k, w) str_at(__FILE__, __LINE__, o, k, w)
#define STR2(o, k, a, b) str2_at(__FILE__, __LINE__, o, k, a, b)
#define CONTAINS(o, k, w) contains_at(__FILE__, __LINE__, o, k, w, 1)
#define LACKS(o, k, w) contains_at(__FILE__, __LINE__, o, k, w, 0)
#define NONEMPTY(o, k) nonempty_at(__FILE__, __LINE__, o, k)
#define BLANK(o, k) blank_at(__FILE__, __LINE__, o, k)
#define INT(o, k, w) int_at(__FILE__, __LINE__, o, k, w)
#define INT_OF(o, k) int_of(__FILE__, __LINE__, o, k)
#define NUM(o, k) num_of(__FILE__, __LINE__, o, k)
#define NUM_GT(o, k, m) num_gt_at(__FILE__, __LINE__, o, k, m)
#define NUM_IN(o, k, lo, hi) num_in_at(__FILE__, __LINE__, o, k, lo, hi)
#define ABSENT(o, k) absent_at(__FILE__, __LINE__, o, k)
#define NUL(o, k) absent_at(__FILE__, __LINE__, o, k)
#define BOOL(o, k, w) bool_at(__FILE__, __LINE__, o, k, w)

#endif
