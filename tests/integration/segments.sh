#!/bin/sh
# segments.sh - which segments a check touches (issue 11): the VOD sample
# (first decoded, middle and last sniffed), --segments all, the rotation of
# `prober run`, the live start segment, a segment removed from a live
# window, and the segment EXT-X-START names (VOD and live).
#
# Called by `make integration` with PROBER (absolute path of the binary) and
# O (build folder holding tests/fault_origin and
# tests/test_segments_integration). Makes a 6-segment HLS ladder (MPEG-TS;
# the first rendition's segments over the 64 KiB sniff limit) and the same
# as DASH (fMP4) with the ffmpeg CLI, copies of them with a segment deleted
# (the last of every rendition; the middle of one), serves them from a fault
# origin on 127.0.0.1 (whose `live`, `nostart` and `dropold` behaviours make
# the live cases), and runs the cmocka suite. Everything lives in one temp
# folder removed at exit (KEEP=1 keeps it); the origin is stopped on exit.
# Byte ranges through the origin: od/, DASH on-demand (SegmentBase, 6 s of
# 1 s subsegments, scripts/ondemand.sh), and hls-br/, HLS with every
# segment a byte range of one file (EXT-X-BYTERANGE, -hls_flags
# single_file), cut short by the origin's own behaviours (half, truncate,
# nosize).
set -eu

. "$(dirname "$0")/../../scripts/fault.sh"
fault_suite segments test_segments_integration
. "$here/scripts/ondemand.sh"

echo "segments.sh: generating media in $tmp/www" >&2
mkdir -p "$tmp/www/hls" "$tmp/www/dash"
(
	cd "$tmp/www/hls"
	ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x180:rate=25 \
		-t 6 -filter_complex '[0:v]split=2[a][b];[b]scale=160:90[b2]' \
		-map '[a]' -map '[b2]' -c:v libx264 -preset ultrafast \
		-pix_fmt yuv420p -g 25 -keyint_min 25 -sc_threshold 0 \
		-b:v:0 2000k -minrate:v:0 2000k -maxrate:v:0 2000k \
		-bufsize:v:0 2000k -b:v:1 150k -f hls -hls_time 1 \
		-hls_playlist_type vod -hls_segment_filename 'v%v/seg%03d.ts' \
		-master_pl_name master.m3u8 -var_stream_map 'v:0 v:1' \
		'v%v/index.m3u8'
)
(
	cd "$tmp/www/dash"
	ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x180:rate=25 \
		-t 6 -filter_complex '[0:v]split=2[a][b];[b]scale=160:90[b2]' \
		-map '[a]' -map '[b2]' -c:v libx264 -preset ultrafast \
		-pix_fmt yuv420p -g 25 -keyint_min 25 -sc_threshold 0 \
		-b:v:0 400k -b:v:1 150k -f dash -seg_duration 1 \
		-use_template 1 -use_timeline 0 \
		-init_seg_name 'init-$RepresentationID$.m4s' \
		-media_seg_name 'seg-$RepresentationID$-$Number%03d$.m4s' \
		manifest.mpd
)
od_media "$tmp/www/od" 6 1
mkdir -p "$tmp/www/hls-br"
(
	cd "$tmp/www/hls-br"
	ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x180:rate=25 \
		-t 6 -c:v libx264 -preset ultrafast -pix_fmt yuv420p -g 25 \
		-keyint_min 25 -sc_threshold 0 -b:v 300k -f hls -hls_time 1 \
		-hls_playlist_type vod -hls_flags single_file index.m3u8
)
grep -q '^#EXT-X-BYTERANGE:' "$tmp/www/hls-br/index.m3u8" || {
	echo "segments.sh: hls-br/index.m3u8 has no EXT-X-BYTERANGE" >&2
	exit 1
}
[ -s "$tmp/www/hls/v1/seg005.ts" ] && [ -s "$tmp/www/dash/seg-1-006.m4s" ] || {
	echo "segments.sh: ffmpeg made no stream" >&2
	exit 1
}
# A partial replication: the last segment of every rendition missing; the
# middle one (position 3 of 6) of one rendition missing.
cp -r "$tmp/www/hls" "$tmp/www/hls-lastgone"
rm "$tmp/www/hls-lastgone/v0/seg005.ts" "$tmp/www/hls-lastgone/v1/seg005.ts"
cp -r "$tmp/www/hls" "$tmp/www/hls-midgone"
rm "$tmp/www/hls-midgone/v1/seg003.ts"
cp -r "$tmp/www/dash" "$tmp/www/dash-midgone"
rm "$tmp/www/dash-midgone/seg-1-004.m4s"

# EXT-X-START (1 s segments, 6 of them): the master's names segment 2
# (2.5 s), the media playlist's of v0 segment 4 (1.5 s before the end; made
# live by the origin: the newest but one). hls-startgone misses what they
# name: segment 2 of v1 (the master's) and segment 4 of v0 (its own, which
# the master's overrides in a check of the master).
cp -r "$tmp/www/hls" "$tmp/www/hls-start"
sed -i '1a #EXT-X-START:TIME-OFFSET=2.5' "$tmp/www/hls-start/master.m3u8"
sed -i '1a #EXT-X-START:TIME-OFFSET=-1.5,PRECISE=YES' \
	"$tmp/www/hls-start/v0/index.m3u8"
cp -r "$tmp/www/hls-start" "$tmp/www/hls-startgone"
rm "$tmp/www/hls-startgone/v1/seg002.ts" "$tmp/www/hls-startgone/v0/seg004.ts"

fault_start origin -g 0
port=$PORT
echo "segments.sh: origin http://127.0.0.1:$port" >&2

TMPDIR="$tmp" PROBER="$PROBER" ORIGIN="http://127.0.0.1:$port" "$suite"
