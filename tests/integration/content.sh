#!/bin/sh
# content.sh - the content checks (issue 13) against a real origin: black
# (color=black), a still picture, silence (anullsrc) and a slowly panning
# picture, each an HLS stream of 4 s MPEG-TS segments beside a healthy
# control (testsrc2 and a sine), VOD and live (fault_origin's `live`), and
# --thumbnails; and a spec violation (spec_violation) in a check.
#
# Called by `make integration` with PROBER (absolute path of the binary) and
# O (build folder holding tests/fault_origin and
# tests/test_content_integration). Everything lives in one temp folder
# removed at exit (KEEP=1 keeps it); the origin is stopped on exit.
set -eu

. "$(dirname "$0")/../../scripts/fault.sh"
fault_suite content test_content_integration

echo "content.sh: generating media in $tmp/www" >&2
STILL='testsrc2=size=640x360:rate=25,select=eq(n\,0),loop=loop=-1:size=1,setpts=N/25/TB'
PAN='testsrc2=size=1280x720:rate=25,select=eq(n\,0),loop=loop=-1:size=1,setpts=N/25/TB,crop=640:360:x=t*6:y=t*3'
# name video audio
make_stream() {
	mkdir -p "$tmp/www/$1"
	(cd "$tmp/www/$1" && ffmpeg -nostdin -v error -f lavfi -i "$2" \
		-f lavfi -i "$3" -t 12 -c:v libx264 -preset veryfast \
		-pix_fmt yuv420p -g 100 -keyint_min 100 -sc_threshold 0 \
		-b:v 400k -maxrate 400k -bufsize 800k -c:a aac -b:a 64k \
		-f hls -hls_time 4 -hls_playlist_type vod \
		-hls_segment_filename 'seg%d.ts' index.m3u8)
	[ -s "$tmp/www/$1/seg2.ts" ] || {
		echo "content.sh: ffmpeg made no $1" >&2
		exit 1
	}
}
make_stream moving testsrc2=size=640x360:rate=25 sine=frequency=440 &
make_stream black color=black:size=640x360:rate=25 sine=frequency=440 &
wait
make_stream still "$STILL" sine=frequency=440 &
make_stream pan "$PAN" sine=frequency=440 &
wait
make_stream silent testsrc2=size=640x360:rate=25 \
	anullsrc=channel_layout=stereo:sample_rate=48000

# Conformance: the healthy stream with EXT-X-TARGETDURATION under its 4 s
# segments (RFC 8216 4.3.3.1).
mkdir -p "$tmp/www/spec"
cp "$tmp/www/moving/"*.ts "$tmp/www/spec/"
sed 's/^#EXT-X-TARGETDURATION:.*/#EXT-X-TARGETDURATION:3/' \
	"$tmp/www/moving/index.m3u8" >"$tmp/www/spec/index.m3u8"

fault_start origin -g 0
echo "content.sh: origin http://127.0.0.1:$PORT" >&2
TMPDIR="$tmp" PROBER="$PROBER" ORIGIN="http://127.0.0.1:$PORT" "$suite"
