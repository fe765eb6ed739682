#!/bin/sh
# serve.sh - `prober serve` under a real Prometheus, beside a real
# blackbox_exporter, and `prober run --textfile/--shard/--vantage`.
#
# Called by `make integration` with PROBER and O (build folder holding
# tests/test_serve_integration and tests/blackhole). On 127.0.0.1 only:
# nginx serves an ffmpeg-made HLS ladder (healthy at /ts/, 503 at
# /master503/), the blackhole never answers; three `prober serve` run
# (two for Prometheus's hashmod sharding, one with --max-concurrent 1 for
# the overload, disconnect and malformed-query cases); Debian's prometheus
# runs contrib/prometheus/prometheus.yml with a 2 s interval and its own
# data folder. The cmocka driver asks Prometheus's HTTP API and talks raw
# HTTP to the servers; this script runs promtool and blackbox_exporter.
# Every server must exit 0 on SIGTERM: under ASan a leak fails it.
set -eu

: "${PROBER:?PROBER must name the prober binary}"
: "${O:=build}"
here=$(cd "$(dirname "$0")/../.." && pwd)
bin="$O/tests"
case $bin in
/*) ;;
*) bin="$here/$bin" ;;
esac
for f in "$PROBER" "$bin/test_serve_integration" "$bin/blackhole"; do
	[ -x "$f" ] || {
		echo "serve.sh: $f is not built" >&2
		exit 1
	}
done
for t in prometheus promtool prometheus-blackbox-exporter; do
	command -v $t >/dev/null || {
		echo "serve.sh: $t missing (scripts/install-deps.sh)" >&2
		exit 1
	}
done

# shellcheck source=../../scripts/origin.sh
. "$here/scripts/origin.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/prober-serve.XXXXXX")
pids=""
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null || :
	done
	origin_stop "$tmp/nginx" || :
	if [ "${KEEP:-0}" = 1 ]; then
		echo "serve.sh: kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
	echo "serve.sh: FAIL: $*" >&2
	exit 1
}

# wait_file FILE: until FILE is not empty, at most 10 s.
wait_file() {
	_i=0
	while [ ! -s "$1" ] && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ -s "$1" ]
}

# start_serve NAME ARGS...: a prober serve on a kernel-picked port; sets
# PORT and adds its pid to $pids (and to NAME.pid).
start_serve() {
	_n=$1
	shift
	"$PROBER" serve --listen 127.0.0.1:0 "$@" >"$tmp/$_n.out" \
		2>"$tmp/$_n.err" &
	echo $! >"$tmp/$_n.pid"
	pids="$pids $!"
	wait_file "$tmp/$_n.out" || fail "$_n did not start: $(cat "$tmp/$_n.err")"
	PORT=$(sed -n 's/^prober serve: listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' \
		"$tmp/$_n.out")
	[ -n "$PORT" ] || fail "$_n: no port in $(cat "$tmp/$_n.out")"
}

# start_free NAME PATH CMD...: CMD, with @PORT@ in its arguments replaced by
# a free port, in the background (output in NAME.log, pid in $pids), until
# http://127.0.0.1:PORT/PATH answers, 20 s at most. A port taken between
# the look-up and the bind (other suites run beside this one) makes CMD
# exit: then again with another, 5 times at most. Sets PORT.
start_free() {
	_n=$1
	_path=$2
	shift 2
	_try=0
	while [ $_try -lt 5 ]; do
		PORT=$(origin_dead_port)
		_cmd=""
		for _a in "$@"; do
			_cmd="$_cmd '$(printf '%s' "$_a" | sed "s/@PORT@/$PORT/g")'"
		done
		# exec: $! is the command itself, which cleanup and SIGTERM reach.
		eval "exec $_cmd" >"$tmp/$_n.log" 2>&1 &
		_pid=$!
		pids="$pids $_pid"
		_i=0
		while kill -0 $_pid 2>/dev/null && [ $_i -lt 200 ]; do
			curl -sf -o /dev/null --max-time 2 \
				"http://127.0.0.1:$PORT/$_path" && return 0
			sleep 0.1
			_i=$((_i + 1))
		done
		kill $_pid 2>/dev/null || :
		wait $_pid 2>/dev/null || :
		grep -q 'address already in use' "$tmp/$_n.log" ||
			fail "$_n did not start: $(cat "$tmp/$_n.log")"
		_try=$((_try + 1))
	done
	fail "$_n: no free port in 5 tries"
}

# stop_serve NAME: SIGTERM, and it must exit 0 (ASan reports leaks then).
stop_serve() {
	_pid=$(cat "$tmp/$1.pid")
	kill -TERM "$_pid"
	_rc=0
	wait "$_pid" || _rc=$?
	[ $_rc -eq 0 ] || fail "$1 exited $_rc after SIGTERM: $(cat "$tmp/$1.err")"
}

origin_media_ts "$tmp/www"
origin_start "$tmp/nginx" "$tmp/www"
origin="http://127.0.0.1:$ORIGIN_PORT"
dead=$(origin_dead_port)
"$bin/blackhole" >"$tmp/hole.port" &
pids="$pids $!"
wait_file "$tmp/hole.port" || fail "blackhole did not start"
hole=$(cat "$tmp/hole.port")

mkdir -p "$tmp/probes" "$tmp/probes3"
cat >"$tmp/probes/both.json" <<EOF
{ "origins": [ { "name": "ok", "url": "$origin/ts/master.m3u8" },
	       { "name": "bad", "url": "$origin/master503/master.m3u8" } ],
  "renditions": "lowest", "timeout_s": 10 }
EOF
cat >"$tmp/probes/healthy.json" <<EOF
{ "origins": [ { "name": "ok", "url": "$origin/ts/master.m3u8" } ],
  "renditions": "lowest", "timeout_s": 10 }
EOF
cat >"$tmp/probes3/slow.json" <<EOF
{ "origins": [ { "name": "hole", "url": "http://127.0.0.1:$hole/ts/master.m3u8" } ],
  "timeout_s": 3 }
EOF
cp "$tmp/probes/healthy.json" "$tmp/probes3/"

# A live stream for the live metrics the dashboard shows (edge lag,
# playlist age, origin lag): two origins of a sliding-window playlist over
# the ladder's lowest rendition, "b" one segment behind "a". Written once,
# they never change: prober finds them stale, as it must.
pdt=$(date -u -d "@$(($(date +%s) - 4))" +%Y-%m-%dT%H:%M:%S.000Z)
for o in a b; do
	n=4
	[ $o = a ] || n=3
	mkdir -p "$tmp/www/live/$o"
	{
		printf '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n'
		printf '#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PROGRAM-DATE-TIME:%s\n' "$pdt"
		i=0
		while [ $i -lt $n ]; do
			printf '#EXTINF:1.000000,\n/ts/v0/seg%d.ts\n' $i
			i=$((i + 1))
		done
	} >"$tmp/www/live/$o/index.m3u8"
done
cat >"$tmp/probes/live.json" <<EOF
{ "origins": [ { "name": "a", "url": "$origin/live/a/index.m3u8" },
	       { "name": "b", "url": "$origin/live/b/index.m3u8" } ],
  "timeout_s": 10 }
EOF

# ---- a bad probe file is exit 3, naming the file and the key ----
mkdir -p "$tmp/badprobes"
echo '{ "origins": [ { "name": "x", "url": "ftp://x" } ] }' \
	>"$tmp/badprobes/bad.json"
rc=0
"$PROBER" serve --listen 127.0.0.1:0 --probes "$tmp/badprobes" \
	>/dev/null 2>"$tmp/bad.err" || rc=$?
[ $rc -eq 3 ] || fail "bad probe file: exit $rc, expected 3"
grep -q 'bad.json: origins\[0\]\.url' "$tmp/bad.err" ||
	fail "bad probe file: message names no file and key: $(cat "$tmp/bad.err")"
echo "serve.sh: ok: bad probe file is exit 3: $(cat "$tmp/bad.err")" >&2

allow="http://127\\.0\\.0\\.1:$ORIGIN_PORT/.*"
start_serve s1 --probes "$tmp/probes" --allow-target "$allow" \
	--vantage it-eu --max-concurrent 4
p1=$PORT
start_serve s2 --probes "$tmp/probes" --vantage it-eu
p2=$PORT
start_serve s3 --probes "$tmp/probes3" --allow-target "$allow" \
	--max-concurrent 1
p3=$PORT
echo "serve.sh: servers on $p1 $p2 $p3, origin $origin" >&2

# ---- the exposition passes promtool's lint ----
curl -sf "http://127.0.0.1:$p1/probe?probe=both" >"$tmp/both.prom" ||
	fail "GET /probe?probe=both"
grep -q '^probe_video_origin_up{probe="both",vantage="it-eu",origin="bad"} 0$' \
	"$tmp/both.prom" || fail "no origin_up 0 for the 503 origin"
grep -q '^probe_video_origin_up{probe="both",vantage="it-eu",origin="ok"} 1$' \
	"$tmp/both.prom" || fail "no origin_up 1 for the healthy origin"
promtool check metrics <"$tmp/both.prom" ||
	fail "promtool check metrics rejects /probe"
curl -sf "http://127.0.0.1:$p1/metrics" | promtool check metrics ||
	fail "promtool check metrics rejects /metrics"
# No URL in any label: the origin's address must not appear.
if grep -q "127.0.0.1:$ORIGIN_PORT" "$tmp/both.prom"; then
	fail "a URL in the exposition"
fi
echo "serve.sh: ok: promtool check metrics" >&2

# ---- rules ----
promtool check rules "$here/contrib/prometheus/prober.rules.yml" >/dev/null ||
	fail "promtool check rules"
(cd "$here/contrib/prometheus" && promtool test rules prober.rules.test.yml) \
	>/dev/null || fail "promtool test rules"
echo "serve.sh: ok: promtool check rules, test rules" >&2

# ---- beside blackbox_exporter: the shared names have the same types ----
start_free bb -/healthy prometheus-blackbox-exporter \
	--config.file=/etc/prometheus/blackbox.yml \
	--web.listen-address=127.0.0.1:@PORT@
curl -sf -o "$tmp/bb.prom" \
	"http://127.0.0.1:$PORT/probe?module=http_2xx&target=$origin/ts/master.m3u8" ||
	fail "blackbox_exporter did not probe: $(cat "$tmp/bb.log")"
curl -sf -o "$tmp/ad.prom" \
	"http://127.0.0.1:$p1/probe?target=$origin/ts/master.m3u8" ||
	fail "ad-hoc target"
for m in probe_success probe_duration_seconds probe_http_duration_seconds \
	probe_http_status_code; do
	bt=$(sed -n "s/^# TYPE $m \(.*\)$/\1/p" "$tmp/bb.prom")
	pt=$(sed -n "s/^# TYPE $m \(.*\)$/\1/p" "$tmp/ad.prom")
	[ -n "$bt" ] || fail "blackbox_exporter has no $m"
	[ "$bt" = "$pt" ] || fail "$m: blackbox type '$bt', prober '$pt'"
done
grep -q '^probe_success 1$' "$tmp/bb.prom" || fail "blackbox: not a success"
grep -q '^probe_success{probe="target",vantage="it-eu"} 1$' "$tmp/ad.prom" ||
	fail "prober: healthy target not a success"
grep -q 'phase="resolve"' "$tmp/bb.prom" && grep -q 'phase="resolve"' "$tmp/ad.prom" ||
	fail "phase labels differ"
echo "serve.sh: ok: same names and types as blackbox_exporter" >&2

# ---- prober run: --textfile, --shard, --vantage ----
mkdir -p "$tmp/many" "$tmp/res"
for n in a b c d e f; do
	echo "{ \"origins\": [ { \"name\": \"o\", \"url\": \"http://127.0.0.1:$dead/x.m3u8\" } ], \"timeout_s\": 2 }" \
		>"$tmp/many/p$n.json"
done
for s in 0 1 2; do
	rc=0
	PROBER_VANTAGE=cron-eu "$PROBER" run --probes "$tmp/many" \
		--results "$tmp/res/$s" --force --shard "$s/3" \
		--textfile "$tmp/shard$s.prom" || rc=$?
	[ $rc -eq 2 ] || [ $rc -eq 0 ] || fail "run --shard $s/3: exit $rc"
	promtool check metrics <"$tmp/shard$s.prom" ||
		fail "promtool check metrics rejects the textfile"
done
got=$(cat "$tmp"/res/*/*.jsonl | sed -n 's/.*"probe":"\([^"]*\)".*/\1/p' | sort | tr '\n' ' ')
[ "$got" = "pa pb pc pd pe pf " ] ||
	fail "shards 0..2 of 3 ran '$got', expected each of pa..pf once"
grep -c '"vantage":"cron-eu","host":"[^"]*","prober_version":"' \
	"$tmp"/res/*/*.jsonl >/dev/null || fail "records lack vantage/host/version"
n=$(cat "$tmp"/shard*.prom | grep -c '^probe_success{probe="p.",vantage="cron-eu"} 0$')
[ "$n" = 6 ] || fail "textfiles hold $n probe_success samples, expected 6"
# A second run with nothing due keeps the last values in the textfile.
"$PROBER" run --probes "$tmp/many" --results "$tmp/res/0" --shard 0/3 \
	--vantage cron-eu --textfile "$tmp/shard0.prom" || :
before=$(grep -c '^probe_success' "$tmp/shard0.prom")
[ "$before" -ge 1 ] || fail "nothing due emptied the textfile"
rc=0
"$PROBER" run --probes "$tmp/many" --shard 3/3 >/dev/null 2>&1 || rc=$?
[ $rc -eq 3 ] || fail "--shard 3/3 accepted (exit $rc)"
echo "serve.sh: ok: run --shard splits $got--textfile, --vantage" >&2

# ---- prober check --vantage: the same rules as run's ----
# where ARGS...: the record's "vantage" and "host" of a check of the healthy
# origin, as `VANTAGE HOST`.
where() {
	"$PROBER" check --json --renditions lowest --timeout 10 "$@" \
		"$origin/ts/master.m3u8" >"$tmp/check.json" ||
		fail "check $*: exit $? on a healthy origin"
	sed -n 's/.*"vantage":"\([^"]*\)","host":"\([^"]*\)","prober_version":"[^"]*".*/\1 \2/p' \
		"$tmp/check.json"
}
host=$(hostname)
[ "$(where --vantage chk-1)" = "chk-1 $host" ] ||
	fail "check --vantage chk-1: $(cat "$tmp/check.json")"
[ "$(PROBER_VANTAGE=chk-env where)" = "chk-env $host" ] ||
	fail "check with PROBER_VANTAGE: $(cat "$tmp/check.json")"
[ "$(PROBER_VANTAGE=chk-env where --vantage chk-opt)" = "chk-opt $host" ] ||
	fail "check: --vantage does not win over PROBER_VANTAGE"
[ "$(where)" = "$host $host" ] ||
	fail "check without a vantage: $(cat "$tmp/check.json")"
for bad in 'two words' 'a/b' ''; do
	rc=0
	"$PROBER" check --vantage "$bad" --json "$origin/ts/master.m3u8" \
		>"$tmp/check.out" 2>"$tmp/check.err" || rc=$?
	if [ -z "$bad" ]; then
		# Empty, as PROBER_VANTAGE="": the host name (as run).
		[ $rc -eq 0 ] || fail "check --vantage '': exit $rc"
		continue
	fi
	if [ $rc -ne 3 ] || [ -s "$tmp/check.out" ] ||
		! grep -q "vantage '$bad'" "$tmp/check.err"; then
		fail "check --vantage '$bad': exit $rc: $(cat "$tmp/check.err")"
	fi
done
echo "serve.sh: ok: check --vantage, PROBER_VANTAGE, host name, bad names" >&2

# ---- Prometheus with the contrib configuration ----
mkdir -p "$tmp/prom/targets" "$tmp/prom/data"
sed -e 's/scrape_interval: 15s/scrape_interval: 2s/' \
	-e 's/evaluation_interval: 15s/evaluation_interval: 2s/' \
	-e 's/scrape_timeout: 10s/scrape_timeout: 2s/' \
	-e "s/127\\.0\\.0\\.1:9733/127.0.0.1:$p1/" \
	-e "s/127\\.0\\.0\\.1:9734/127.0.0.1:$p2/" \
	"$here/contrib/prometheus/prometheus.yml" >"$tmp/prom/prometheus.yml"
cp "$here/contrib/prometheus/prober.rules.yml" "$tmp/prom/"
cat >"$tmp/prom/targets/probes.yml" <<EOF
- targets: ['both', 'healthy', 'live']
EOF
cat >"$tmp/prom/targets/sharded.yml" <<EOF
- targets: ['both', 'healthy']
EOF
cat >"$tmp/prom/targets/streams.yml" <<EOF
- targets: ['$origin/ts/master.m3u8']
  labels: { stream: healthy }
- targets: ['$origin/master503/master.m3u8']
  labels: { stream: broken }
EOF
grep -q "127.0.0.1:$p1" "$tmp/prom/prometheus.yml" || fail "config not rewritten"
start_free prom -/ready prometheus --config.file="$tmp/prom/prometheus.yml" \
	--storage.tsdb.path="$tmp/prom/data" \
	--web.listen-address=127.0.0.1:@PORT@
pport=$PORT
echo "serve.sh: prometheus on $pport" >&2

rc=0
PROM="http://127.0.0.1:$pport" S1="http://127.0.0.1:$p1" \
	S2="http://127.0.0.1:$p2" S3_PORT="$p3" \
	TARGET_OK="$origin/ts/master.m3u8" \
	DASHBOARD="$here/contrib/prometheus/grafana-dashboard.json" \
	"$bin/test_serve_integration" || rc=$?
if [ $rc -ne 0 ]; then
	tail -20 "$tmp/prom.log" >&2
	fail "test_serve_integration"
fi

for s in s1 s2 s3; do
	stop_serve $s
done
echo "serve.sh: ok: every server exited 0 on SIGTERM" >&2
