#!/bin/sh
# nomem.sh - out of memory is an error (exit 3), never a verdict (issue 12).
#
# Called by `make integration` with PROBER (absolute path of the binary) and
# O (build folder holding tests/fault_origin and tests/failalloc.so). Makes
# three one-segment HLS streams with the ffmpeg CLI (1080p in a small
# segment, 1080p in a segment of several MB, 160x90), serves them from a
# fault origin on 127.0.0.1, and runs prober with every allocation of 1 MB
# or more refused: tests/preload/failalloc.c preloaded, or, in an ASan
# build (whose allocator cannot be interposed), ASan's own
# max_allocation_size_mb. A 1080p picture, or the heavy body, cannot be
# had; the small stream never needs such a block, so it must still pass
# (and every stream passes with memory). Every face
# must say the check could not run: `prober check` exit 3 and a message on
# stderr, no record; the plugin UNKNOWN; `prober run` exit 3, no record for
# that probe, the other probe's record written; `prober serve` a 500.
set -eu

. "$(dirname "$0")/../../scripts/fault.sh"
# failalloc.so stands where fault_suite expects a suite driver.
fault_suite nomem failalloc.so

fail() {
	echo "nomem.sh: FAIL: $*" >&2
	exit 1
}

echo "nomem.sh: generating media in $tmp/www" >&2
mkdir -p "$tmp/www/hd" "$tmp/www/small" "$tmp/www/heavy"
# heavy: a 1080p segment of several MB, whose body cannot be held.
for s in hd:1920x1080:300k small:160x90:300k heavy:1920x1080:30000k; do
	(
		d=${s%%:*}
		r=${s#*:}
		cd "$tmp/www/$d"
		ffmpeg -nostdin -v error -f lavfi \
			-i "testsrc2=size=${r%%:*}:rate=25" -t 1 -c:v libx264 \
			-preset ultrafast -b:v "${r#*:}" -pix_fmt yuv420p \
			-g 25 -f hls -hls_time 1 -hls_playlist_type vod \
			index.m3u8
	)
done
[ -s "$tmp/www/hd/index0.ts" ] && [ -s "$tmp/www/small/index0.ts" ] ||
	fail "ffmpeg made no stream"
[ "$(wc -c <"$tmp/www/heavy/index0.ts")" -gt 2000000 ] ||
	fail "the heavy segment is not over 2 MB"
# The segment itself stays under the limit: what fails is the decoder's
# picture, not the body.
[ "$(wc -c <"$tmp/www/hd/index0.ts")" -lt 1000000 ] ||
	fail "the 1080p segment is over 1 MB"

fault_start origin -g 0
hd="http://127.0.0.1:$PORT/hd/index.m3u8"
small="http://127.0.0.1:$PORT/small/index.m3u8"
heavy="http://127.0.0.1:$PORT/heavy/index.m3u8"

# lowmem runs "$@" with allocations of 1 MB or more refused, bounded in
# time (a test must never hang).
if ldd "$PROBER" 2>/dev/null | grep -q libasan; then
	echo "nomem.sh: ASan build: ASAN_OPTIONS max_allocation_size_mb=1" >&2
	lowvar="ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}max_allocation_size_mb=1:allocator_may_return_null=1"
	lowvar2="FAILALLOC_OVER="
else
	lowvar="LD_PRELOAD=$bdir/tests/failalloc.so"
	lowvar2="FAILALLOC_OVER=1048576"
fi
lowmem() {
	timeout -k 5 60 env "$lowvar" "$lowvar2" "$@"
}

bounded() {
	timeout -k 5 60 "$@"
}

# With plenty of memory both streams pass: the failure below is the
# allocator's, not the media's.
for u in "$hd" "$small" "$heavy"; do
	bounded "$PROBER" check --json "$u" >"$tmp/ok.json" ||
		fail "$u does not pass with memory: $(cat "$tmp/ok.json")"
done

# 1. prober check: exit 3, a message naming out of memory, no record.
# check_nomem NAME URL WHAT: `prober check` of URL under the allocation
# limit exits 3 with an out-of-memory message and prints no record.
check_nomem() {
	rc=0
	lowmem "$PROBER" check --json "$2" >"$tmp/$1.out" \
		2>"$tmp/$1.err" || rc=$?
	[ "$rc" = 3 ] || fail "$3: exit $rc, expected 3: $(cat "$tmp/$1.out" "$tmp/$1.err")"
	grep -q 'out of memory' "$tmp/$1.err" ||
		fail "$3: no out-of-memory message: $(cat "$tmp/$1.err")"
	[ ! -s "$tmp/$1.out" ] || fail "$3: printed a record: $(cat "$tmp/$1.out")"
	echo "nomem.sh: ok: $3 exit 3: $(cat "$tmp/$1.err")" >&2
}
check_nomem check "$hd" "check"
# A body that cannot be held is out of memory too, not a network error.
check_nomem heavy "$heavy" "check of a heavy body"
# The small stream needs no large block: still a pass under the same limit.
lowmem "$PROBER" check --json "$small" >"$tmp/small.json" ||
	fail "check: the small stream does not pass: $(cat "$tmp/small.json")"

# 2. The plugin: UNKNOWN, exit 3, never CRITICAL.
rc=0
lowmem "$PROBER" nagios -u "$hd" -t 30 >"$tmp/nagios.out" \
	2>"$tmp/nagios.err" || rc=$?
[ "$rc" = 3 ] || fail "nagios: exit $rc, expected 3: $(cat "$tmp/nagios.out")"
grep -q '^VIDEO UNKNOWN' "$tmp/nagios.out" ||
	fail "nagios: not UNKNOWN: $(cat "$tmp/nagios.out")"
grep -q 'out of memory' "$tmp/nagios.out" ||
	fail "nagios: no out-of-memory message: $(cat "$tmp/nagios.out")"
echo "nomem.sh: ok: plugin: $(head -1 "$tmp/nagios.out")" >&2

# 3. prober run: exit 3, no record for the 1080p probe, the small one's
# record written.
mkdir -p "$tmp/probes" "$tmp/results"
printf '{"name": "hd", "origins": [{"name": "o", "url": "%s"}]}\n' "$hd" \
	>"$tmp/probes/hd.json"
printf '{"name": "small", "origins": [{"name": "o", "url": "%s"}]}\n' \
	"$small" >"$tmp/probes/small.json"
rc=0
lowmem "$PROBER" run --probes "$tmp/probes" --results "$tmp/results" \
	--jobs 1 >"$tmp/run.out" 2>"$tmp/run.err" || rc=$?
[ "$rc" = 3 ] || fail "run: exit $rc, expected 3: $(cat "$tmp/run.err")"
grep -q 'out of memory' "$tmp/run.err" ||
	fail "run: no out-of-memory message: $(cat "$tmp/run.err")"
cat "$tmp/results/"*.jsonl >"$tmp/records" 2>/dev/null || :
grep -q '"probe":"small".*"status":"pass"' "$tmp/records" ||
	grep -q '"probe": *"small"' "$tmp/records" ||
	fail "run: no record of the small probe: $(cat "$tmp/records")"
! grep -q '"probe": *"hd"' "$tmp/records" ||
	fail "run: a record of the probe that could not run: $(cat "$tmp/records")"
echo "nomem.sh: ok: run exit 3: $(cat "$tmp/run.err")" >&2

# 4. prober serve: the scrape answers 500, no probe_success 0.
# env execs prober: $! is the server itself, which SIGTERM must reach.
env "$lowvar" "$lowvar2" "$PROBER" serve --listen 127.0.0.1:0 --probes "$tmp/probes" \
	>"$tmp/serve.out" 2>"$tmp/serve.err" &
spid=$!
fault_pids="$fault_pids $spid"
sport=""
for _ in $(seq 1 100); do
	sport=$(sed -n 's/^prober serve: listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' \
		"$tmp/serve.out")
	[ -n "$sport" ] && break
	sleep 0.1
done
[ -n "$sport" ] || fail "serve did not start: $(cat "$tmp/serve.err")"
code=$(curl -s -o "$tmp/scrape" -w '%{http_code}' --max-time 30 \
	"http://127.0.0.1:$sport/probe?probe=hd") || :
[ "$code" = 500 ] || fail "serve: HTTP $code, expected 500: $(cat "$tmp/scrape")"
! grep -q 'probe_success' "$tmp/scrape" ||
	fail "serve: metrics for a check that could not run: $(cat "$tmp/scrape")"
code=$(curl -s -o "$tmp/scrape2" -w '%{http_code}' --max-time 30 \
	"http://127.0.0.1:$sport/probe?probe=small") || :
[ "$code" = 200 ] && grep -q '^probe_success{.*} 1$' "$tmp/scrape2" ||
	fail "serve: the small probe: HTTP $code: $(cat "$tmp/scrape2")"
echo "nomem.sh: ok: serve 500: $(cat "$tmp/scrape")" >&2
kill "$spid"
rc=0
wait "$spid" || rc=$?
fault_pids=$(echo "$fault_pids" | sed "s/ $spid//")
[ "$rc" = 0 ] || fail "serve: exit $rc after SIGTERM: $(cat "$tmp/serve.err")"
echo "nomem.sh: all ok" >&2
