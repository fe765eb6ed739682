#!/bin/sh
# history.sh - the history index, `prober report`'s formats, the vantage
# merge, the HTML page in headless Chromium, and `prober watch` through a
# pseudo-terminal, against a local nginx origin (ffmpeg-made HLS).
#
# Called by `make integration` with PROBER (absolute path of the binary).
# Everything lives in one temp folder removed at exit (KEEP=1 keeps it).
# Chromium only opens a file:// page, with every host mapped to nowhere.
set -eu

: "${PROBER:?PROBER must name the prober binary}"
here=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../../scripts/origin.sh
. "$here/scripts/origin.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/prober-history.XXXXXX")
bgpid=""
cleanup() {
	[ -z "$bgpid" ] || kill "$bgpid" 2>/dev/null || :
	origin_stop "$tmp/nginx" || :
	if [ "${KEEP:-0}" = 1 ]; then
		echo "history.sh: kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

passed=0
failed=0
ok() {
	passed=$((passed + 1))
	echo "ok - $1"
}
bad() {
	failed=$((failed + 1))
	echo "not ok - $1" >&2
}
check() { # check NAME COMMAND...
	_n=$1
	shift
	if "$@"; then ok "$_n"; else bad "$_n"; fi
}

origin_media_ts "$tmp/www"
origin_start "$tmp/nginx" "$tmp/www"
dead=$(origin_dead_port)
base="http://127.0.0.1:$ORIGIN_PORT/ts/master.m3u8"
mkdir -p "$tmp/probes" "$tmp/results"
cat >"$tmp/probes/news.json" <<EOF
{ "name": "news", "interval_s": 30, "slo": 99.5, "renditions": "lowest",
  "origins": [ { "name": "main", "url": "$base" },
               { "name": "backup", "url": "http://127.0.0.1:$dead/m.m3u8" } ] }
EOF
R="$tmp/results"
db="$R/index.sqlite"
count() { sqlite3 "$db" 'SELECT count(*) FROM checks'; }

# 1. prober run appends the record, then indexes it.
rc=0
"$PROBER" run --probes "$tmp/probes" --results "$R" --force || rc=$?
check "run: warn (backup down) exits 1" [ "$rc" = 1 ]
check "run: the index holds the check" [ "$(count)" = 1 ]
check "run: origins and renditions indexed" \
	[ "$(sqlite3 "$db" 'SELECT count(*) FROM origins')" = 2 ]

# 2. The index cannot be written: the record is still written, the exit
# status is the verdict's, and `prober index` catches up.
mv "$db" "$tmp/db.bak"
rm -f "$db-wal" "$db-shm"
mkdir "$db"
rc=0
"$PROBER" run --probes "$tmp/probes" --results "$R" --force \
	2>"$tmp/run.err" || rc=$?
check "run with a broken index: still exits 1" [ "$rc" = 1 ]
check "run with a broken index: says the records are kept" \
	grep -q "records are kept" "$tmp/run.err"
check "run with a broken index: two records on disk" \
	[ "$(cat "$R"/*.jsonl | wc -l)" = 2 ]
rmdir "$db"
mv "$tmp/db.bak" "$db"
"$PROBER" index --results "$R" >"$tmp/index.out"
check "index: catches up the missed record" [ "$(count)" = 2 ]
"$PROBER" index --results "$R" >"$tmp/index.out"
check "index: idempotent" grep -q "indexed 0 new records" "$tmp/index.out"
check "index: still 2" [ "$(count)" = 2 ]

# 3. report: formats, windows, errors.
"$PROBER" report --results "$R" --probes "$tmp/probes" --format json \
	>"$tmp/r.json"
check "report json: 2 checks" grep -q '"records": 2' "$tmp/r.json"
check "report json: SLO and budget" grep -q '"slo_pct": 99.5' "$tmp/r.json"
check "report json: the interval of the probe file" \
	grep -q '"interval_s": 30' "$tmp/r.json"
check "report json: backup down, stream up" \
	grep -q '"availability_pct": 100' "$tmp/r.json"
"$PROBER" report --results "$R" --probes "$tmp/probes" --format csv \
	>"$tmp/r.csv"
check "report csv: header + stream + 2 origins" [ "$(wc -l <"$tmp/r.csv")" = 4 ]
check "report csv: backup never up" \
	grep -q '^"news","\*","backup",2,0,0,0.000,' "$tmp/r.csv"
"$PROBER" report --results "$R" --probes "$tmp/probes" >"$tmp/r.txt"
check "report table: SLO line" grep -q "SLO 99.5%" "$tmp/r.txt"
rc=0
"$PROBER" report --results "$R" --probe nosuch 2>"$tmp/e" || rc=$?
check "report --probe unknown: exit 3" [ "$rc" = 3 ]
check "report --probe unknown: says so" grep -q "no probe named 'nosuch'" "$tmp/e"
rc=0
"$PROBER" report --results "$R" --since yesterday 2>/dev/null || rc=$?
check "report --since bad: exit 3" [ "$rc" = 3 ]
"$PROBER" report --results "$R" --since 2000-01-01T00:00:00+01:00 \
	--until 2000-01-02 >"$tmp/old.txt"
check "report: an old window has no records" \
	grep -q "no records in this window" "$tmp/old.txt"

# 4. Vantage merge: the same records imported as vantage "eu".
cp "$R"/*.jsonl "$tmp/eu.jsonl"
"$PROBER" index --results "$R" --import "$tmp/eu.jsonl" --vantage eu \
	>/dev/null
check "import: 2 more checks, under vantage eu" \
	[ "$(sqlite3 "$db" "SELECT count(*) FROM checks c JOIN names n ON n.id = c.vantage WHERE n.s = 'eu'")" = 2 ]
"$PROBER" report --results "$R" --probes "$tmp/probes" --format json \
	>"$tmp/v.json"
check "report: per-vantage figures" grep -q '"vantage": "eu"' "$tmp/v.json"
"$PROBER" report --results "$R" --probes "$tmp/probes" >"$tmp/v.txt"
check "report table: the combined view" grep -q "all 2 vantages combined" "$tmp/v.txt"

# 5. The HTML page in headless Chromium: loads with no console error and
# shows the report's numbers.
"$PROBER" report --results "$R" --probes "$tmp/probes" --format html \
	>"$tmp/r.html"
check "html: no external resource" sh -c "! grep -Eq '<script|<link|https?://[^\"]*\\.(css|js|woff)' '$tmp/r.html'"
if command -v chromium >/dev/null 2>&1; then
	timeout 60 chromium --headless --no-sandbox --disable-gpu \
		--disable-background-networking --disable-component-update \
		--disable-sync --no-first-run --user-data-dir="$tmp/chrome" \
		--host-resolver-rules="MAP * ~NOTFOUND" \
		--enable-logging=stderr --v=0 \
		--dump-dom "file://$tmp/r.html" >"$tmp/dom.html" \
		2>"$tmp/chrome.log" || :
	check "chromium: page rendered" grep -q "prober report" "$tmp/dom.html"
	check "chromium: no console error" \
		sh -c "! grep -Eq 'CONSOLE|Uncaught' '$tmp/chrome.log'"
	# The combined availability of the backup (never up) and the checks.
	check "chromium: shows the backup's 0.000%" \
		grep -q 'data-scope="backup">0.000%' "$tmp/dom.html"
	check "chromium: shows the 4 records" \
		grep -q '<span id="records">4</span>' "$tmp/dom.html"
	check "chromium: the timeline strips" \
		[ "$(grep -o 'class="strip"' "$tmp/dom.html" | wc -l)" -ge 3 ]
else
	bad "chromium is not installed (scripts/install-deps.sh)"
fi

# 6. prober watch through a pseudo-terminal: redrawn in place, colour,
# and Ctrl-C gives the terminal back.

# reap PID WHAT: wait at most 10 s for PID to end after its signal; a
# program that does not end is a failure and is killed, never a hung suite.
reap() {
	_j=0
	while kill -0 "$1" 2>/dev/null && [ $_j -lt 100 ]; do
		sleep 0.1
		_j=$((_j + 1))
	done
	if kill -0 "$1" 2>/dev/null; then
		bad "$2: still running 10 s after Ctrl-C"
		pkill -KILL -P "$1" 2>/dev/null || :
		kill -KILL "$1" 2>/dev/null || :
	fi
	wait "$1" || :
}

watch_pty() { # watch_pty LOG [ENV...]
	_log=$1
	shift
	# script runs the command with $SHELL -c (dash when SHELL is unset, as
	# in CI), which forks rather than execs: exec makes prober itself the
	# child that gets the Ctrl-C.
	env "$@" script -qfec "exec $PROBER watch --probes $tmp/probes --interval 1" \
		"$_log" >/dev/null 2>&1 </dev/null &
	bgpid=$!
	_i=0
	while [ $_i -lt 100 ] && ! grep -q "backup" "$_log" 2>/dev/null; do
		sleep 0.1
		_i=$((_i + 1))
	done
	sleep 1
	# Ctrl-C: SIGINT to the program on the terminal (script's child).
	_child=$(pgrep -P "$bgpid" | head -n 1)
	if [ -n "$_child" ]; then
		kill -INT "$_child"
	else
		bad "watch tty: no prober under script"
		kill "$bgpid" 2>/dev/null || :
	fi
	reap "$bgpid" "watch tty"
	bgpid=""
}
watch_pty "$tmp/watch.log" TERM=xterm
check "watch tty: a line per stream and origin" \
	sh -c "grep -q '(stream)' '$tmp/watch.log' && grep -q 'main' '$tmp/watch.log' && grep -q 'backup' '$tmp/watch.log'"
check "watch tty: the backup's failure reason" grep -q "connect" "$tmp/watch.log"
esc=$(printf '\033')
check "watch tty: colour" grep -q "${esc}\[32m" "$tmp/watch.log"
check "watch tty: cursor shown again, alternate screen left last" \
	sh -c "grep -q '?25h${esc}\[?1049l' '$tmp/watch.log' && [ \"\$(grep -o '?1049[hl]' '$tmp/watch.log' | tail -n 1)\" = '?1049l' ]"
watch_pty "$tmp/watch-nc.log" TERM=xterm NO_COLOR=1
check "watch NO_COLOR: no colour" sh -c "! grep -q '${esc}\[3[123]m' '$tmp/watch-nc.log'"
check "watch NO_COLOR: still drawn" grep -q "(stream)" "$tmp/watch-nc.log"
# Not a terminal: one plain line per change.
"$PROBER" watch --probes "$tmp/probes" --interval 1 >"$tmp/plain.log" 2>&1 &
bgpid=$!
_i=0
while [ $_i -lt 100 ] && ! grep -q backup "$tmp/plain.log"; do
	sleep 0.1
	_i=$((_i + 1))
done
sleep 2
kill -INT "$bgpid"
reap "$bgpid" "watch plain"
bgpid=""
check "watch plain: no escape codes" sh -c "! grep -q '$esc' '$tmp/plain.log'"
check "watch plain: the backup went to fail once" \
	[ "$(grep -c ' news backup - -> fail connect' "$tmp/plain.log")" = 1 ]

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
