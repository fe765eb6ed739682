#!/bin/sh
# Live HLS integration tests: the real prober against live streams that the
# ffmpeg CLI encodes in real time (-re) and nginx serves on 127.0.0.1.
#
# Called by `make integration` with PROBER (absolute path of the binary) and O
# (build folder holding tests/test_live_integration). Starts:
#   - the "live" encoder: a 1 s sliding-window stream (6 segments, a master)
#     that runs for the whole suite;
#   - the "stop" encoder: the same on its own, which the suite kills (-9, so
#     no EXT-X-ENDLIST is written) to see a stopped encoder go warn, then fail;
#   - a delay line: a copy of the live playlist without its newest 3
#     segments, rewritten every 0.2 s: an origin that moves but lags behind;
# and one nginx with two ports:
#   PORT   /live/   the live stream          /stop/   the stop stream
#   PORT2  /frozen/ the live stream, but its index.m3u8 is a copy the suite
#                   takes once (a CDN serving an old cached playlist)
#          /lag/    the live stream, but its index.m3u8 is the delay line's
#          /slow/   the live stream with its segments throttled (limit_rate)
# Everything lives in one temp folder removed at exit; the encoders, the delay
# line and nginx are stopped on any exit, by the process ids started here.
set -eu

: "${PROBER:?PROBER must name the prober binary}"
: "${O:=build}"
here=$(cd "$(dirname "$0")/../.." && pwd)
suite="$O/tests/test_live_integration"
case $suite in
/*) ;;
*) suite="$here/$suite" ;;
esac
[ -x "$PROBER" ] || {
	echo "live.sh: $PROBER is not executable" >&2
	exit 1
}
[ -x "$suite" ] || {
	echo "live.sh: $suite is not built" >&2
	exit 1
}

# shellcheck source=../../scripts/origin.sh
. "$here/scripts/origin.sh"

# Segments ~100 KB per 1 s (800 kb/s), so that LIVE_RATE (bytes/s) makes a
# segment take 2-3 s: slower than real time, yet quick enough for the suite.
LIVE_FPS=25
LIVE_BITRATE=800k
LIVE_RATE=40k
# Segments the delay line holds back: 3 target durations, over the default
# origin_lagging threshold of 2.
LIVE_LAG_SEGMENTS=3

tmp=$(mktemp -d "${TMPDIR:-/tmp}/prober-live.XXXXXX")
live_pid=""
stop_pid=""
lag_pid=""

# live_kill PID: ends one process this script started, if it still runs.
live_kill() {
	[ -n "$1" ] || return 0
	kill -KILL "$1" 2>/dev/null || :
	wait "$1" 2>/dev/null || :
}

cleanup() {
	live_kill "$lag_pid"
	live_kill "$live_pid"
	live_kill "$stop_pid"
	origin_stop "$tmp/nginx" || :
	# KEEP=1 keeps media, playlists and logs to look at a failure.
	if [ "${KEEP:-0}" = 1 ]; then
		echo "live.sh: kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# live_encoder DIR: encodes a live stream into DIR in real time, in the
# background; sets enc_pid. A keyframe every second (-g = fps, no scene
# cuts) so every 1 s segment starts with an IDR: TARGETDURATION is 1.
# temp_file: the playlist is written aside and renamed, so nginx never serves
# half of one. delete_threshold keeps deleted-from-the-window segments on
# disk a while longer, as CDNs do, so the frozen copy's segments still play.
live_encoder() {
	mkdir -p "$1"
	(cd "$1" && exec ffmpeg -nostdin -hide_banner -loglevel error -y -re \
		-f lavfi -i "testsrc2=size=320x180:rate=$LIVE_FPS" \
		-c:v libx264 -preset ultrafast -pix_fmt yuv420p \
		-g "$LIVE_FPS" -keyint_min "$LIVE_FPS" -sc_threshold 0 \
		-b:v "$LIVE_BITRATE" -maxrate "$LIVE_BITRATE" -bufsize "$LIVE_BITRATE" \
		-f hls -hls_time 1 -hls_list_size 6 -hls_delete_threshold 10 \
		-hls_flags delete_segments+program_date_time+temp_file \
		-master_pl_name master.m3u8 index.m3u8) \
		>"$1.log" 2>&1 &
	enc_pid=$!
}

# live_wait_segments DIR N: until DIR/index.m3u8 lists N segments, 15 s at
# most.
live_wait_segments() {
	_i=0
	while [ $_i -lt 150 ]; do
		if [ -f "$1/index.m3u8" ] &&
			[ "$(grep -c '^#EXTINF' "$1/index.m3u8")" -ge "$2" ]; then
			return 0
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "live.sh: no live stream in $1:" >&2
	cat "$1.log" >&2
	return 1
}

# live_trim SRC DST N: DST becomes SRC without its newest N segments (the
# tags before each URI line go with it), written aside and renamed. What
# remains is what SRC said N segments ago, with the same media sequence.
live_trim() {
	cp "$1" "$2.snap" 2>/dev/null || return 0
	awk -v drop="$3" '
		NR == FNR { if ($0 !~ /^#/ && NF) n++; next }
		k >= n - drop { exit }
		{ print; if ($0 !~ /^#/ && NF) k++ }
	' "$2.snap" "$2.snap" >"$2.tmp" && mv "$2.tmp" "$2"
}

live_lag_loop() {
	while :; do
		live_trim "$1" "$2" "$LIVE_LAG_SEGMENTS"
		sleep 0.2
	done
}

# live_conf PREFIX WWW PORT PORT2: writes PREFIX/nginx.conf (see the top).
live_conf() {
	_pre=$1
	_www=$2
	{
		# As root, workers would run as nobody and could not read a
		# mktemp -d folder (mode 0700).
		[ "$(id -u)" -eq 0 ] && echo "user root root;"
		cat <<EOF
daemon on;
worker_processes 1;
pid $_pre/nginx.pid;
error_log $_pre/error.log warn;
events { worker_connections 256; }
http {
	access_log $_pre/access.log;
$(origin_temp_paths "$_pre" | sed 's/^/	/')
	types {
		application/vnd.apple.mpegurl m3u8;
		video/mp2t ts;
	}
	default_type application/octet-stream;
	sendfile on;
	keepalive_timeout 10;
	server {
		listen 127.0.0.1:$3;
		root $_www;
		location = /healthz { return 204; }
	}
	server {
		listen 127.0.0.1:$4;
		location = /healthz { return 204; }
		location = /frozen/index.m3u8 { alias $tmp/frozen/index.m3u8; }
		location /frozen/ { alias $_www/live/; }
		location = /lag/index.m3u8 { alias $tmp/lag/index.m3u8; }
		location /lag/ { alias $_www/live/; }
		location /slow/ {
			alias $_www/live/;
			location ~ \\.ts\$ { limit_rate $LIVE_RATE; }
		}
	}
}
EOF
	} >"$_pre/nginx.conf"
}

# live_origin_start PREFIX WWW: nginx on two free ports; sets ORIGIN_PORT
# and ORIGIN_PORT2. Ports are random; a collision is retried.
live_origin_start() {
	mkdir -p "$1/tmp"
	_try=0
	while :; do
		ORIGIN_PORT=$(origin_random_port)
		ORIGIN_PORT2=$(origin_random_port)
		[ "$ORIGIN_PORT2" != "$ORIGIN_PORT" ] || continue
		live_conf "$1" "$2" "$ORIGIN_PORT" "$ORIGIN_PORT2"
		: >"$1/error.log"
		if nginx -p "$1/" -c "$1/nginx.conf" -e "$1/error.log" \
			2>"$1/start.log"; then
			break
		fi
		_try=$((_try + 1))
		if ! grep -q 'Address already in use' "$1/start.log" \
			"$1/error.log" || [ $_try -ge 10 ]; then
			echo "live.sh: nginx did not start:" >&2
			cat "$1/start.log" "$1/error.log" >&2
			return 1
		fi
	done
	origin_wait "$ORIGIN_PORT" && origin_wait "$ORIGIN_PORT2"
}

mkdir -p "$tmp/www" "$tmp/frozen" "$tmp/lag"
t_start=$(date +%s)

# Start the live encoder at about .55 of a second. Its segments then end,
# and its playlist changes, late in a second (about .7-.9): the phase where
# a whole-second Last-Modified is furthest from the real time of the change,
# so that a probe reading the header as exact shows (false warn) every time
# rather than in some runs only.
_ns=$(date +%N)
_wait=$(((1550000000 - 1${_ns} + 1000000000) % 1000000000))
sleep "0.$(printf '%09d' "$_wait")"
live_encoder "$tmp/www/live"
live_pid=$enc_pid
live_encoder "$tmp/www/stop"
stop_pid=$enc_pid
live_origin_start "$tmp/nginx" "$tmp/www"
# Four segments: the delay line has one left after dropping three.
live_wait_segments "$tmp/www/live" 4
live_wait_segments "$tmp/www/stop" 3
live_trim "$tmp/www/live/index.m3u8" "$tmp/lag/index.m3u8" "$LIVE_LAG_SEGMENTS"
live_lag_loop "$tmp/www/live/index.m3u8" "$tmp/lag/index.m3u8" &
lag_pid=$!
echo "live.sh: live origins http://127.0.0.1:$ORIGIN_PORT and" \
	"http://127.0.0.1:$ORIGIN_PORT2 ready after $(($(date +%s) - t_start)) s" >&2

rc=0
PROBER="$PROBER" ORIGIN="http://127.0.0.1:$ORIGIN_PORT" \
	ORIGIN2="http://127.0.0.1:$ORIGIN_PORT2" MEDIA="$tmp/www" \
	FROZEN="$tmp/frozen/index.m3u8" STOP_PID="$stop_pid" \
	"$suite" || rc=$?
echo "live.sh: done in $(($(date +%s) - t_start)) s" >&2
exit $rc
