#!/bin/sh
# Demo: one stream, two origins, one of them broken.
#
# Called by `make demo` with PROBER (absolute path of the binary). Makes a
# 3-rendition HLS ladder, serves it from two local origins on 127.0.0.1 (A
# healthy; B serves the playlists but answers 404 for every segment, like a
# CDN that lost its origin), and checks the stream from both. The expected
# verdict is warn (exit 1): viewers still play from A, but the redundancy is
# gone. Exits 0 when prober says exactly that, nonzero otherwise.
set -eu

: "${PROBER:?PROBER must name the prober binary}"
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=origin.sh
. "$here/scripts/origin.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/prober-demo.XXXXXX")
cleanup() {
	origin_stop "$tmp/nginx" || :
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "== making a 4 s HLS ladder (256x144, 426x240, 640x360) with ffmpeg"
origin_media_ts "$tmp/www"
origin_start "$tmp/nginx" "$tmp/www" 2
a="http://127.0.0.1:$ORIGIN_PORT/ts/master.m3u8"
b="http://127.0.0.1:$ORIGIN_PORT2/ts/master.m3u8"
echo "== origin A (healthy):        $a"
echo "== origin B (segments 404):   $b"
echo

echo "\$ prober check A B"
rc=0
"$PROBER" check "$a" "$b" || rc=$?
echo
echo "(exit status $rc)"
echo

echo "\$ prober check --json A B"
jrc=0
"$PROBER" check --json "$a" "$b" >"$tmp/record.json" || jrc=$?
# The record is one long line; the top of it says what scripts act on.
if command -v jq >/dev/null 2>&1; then
	jq '{status, reason, message, origins: [.origins[] |
		{url, status, reason, stage}]}' "$tmp/record.json"
else
	cut -c 1-400 "$tmp/record.json"
	echo "... ($(wc -c <"$tmp/record.json") bytes of JSON in all)"
fi
echo "(exit status $jrc)"
echo

cat <<'EOF'
The stream is "warn", not "pass" and not "fail": origin A plays every
rendition, so viewers are fine right now, but origin B serves playlists whose
segments all answer 404, so B would fail every viewer sent to it. The backup
path is broken while nobody watches it: redundancy is lost. That is the
failure real-user analytics cannot see and this prober exists to catch.
EOF

if [ "$rc" -ne 1 ] || [ "$jrc" -ne 1 ]; then
	echo "demo: expected exit status 1 (warn) from both runs," \
		"got $rc and $jrc" >&2
	exit 1
fi
