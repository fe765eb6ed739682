#!/bin/sh
# Scenario suite: the real prober binary against a hostile origin.
#
# Called by `make integration` with PROBER (absolute path of the binary) and O
# (build folder holding tests/fault_origin and tests/test_scenarios). Makes a
# small HLS stream (MPEG-TS, 2 renditions, 4 s of 1 s segments) and the same
# as DASH (fMP4), plus muxed video+audio of 2 s segments (HLS TS, HLS fMP4,
# DASH) with the ffmpeg CLI, serves it from two fault origins on 127.0.0.1 (the second is
# the target of cross-origin redirects), and runs the cmocka table, which
# starts PROBER once per row. Everything lives in one temp folder removed at
# exit; the origins are stopped on any exit (and stop by themselves when
# this shell dies). SCENARIO=name runs one row; KEEP=1 keeps the folder.
set -eu

. "$(dirname "$0")/../../scripts/fault.sh"
fault_suite scenarios test_scenarios

echo "scenarios.sh: generating media in $tmp/www" >&2
mkdir -p "$tmp/www/hls"
(
	cd "$tmp/www/hls"
	ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x180:rate=25 \
		-t 4 -filter_complex '[0:v]split=2[a][b];[b]scale=160:90[b2]' \
		-map '[a]' -map '[b2]' -c:v libx264 -preset ultrafast \
		-pix_fmt yuv420p -g 25 -keyint_min 25 -sc_threshold 0 \
		-b:v:0 400k -b:v:1 150k -f hls -hls_time 1 \
		-hls_playlist_type vod -hls_segment_filename 'v%v/seg%03d.ts' \
		-master_pl_name master.m3u8 -var_stream_map 'v:0 v:1' \
		'v%v/index.m3u8'
)
# The same picture as DASH (fMP4, templates): init-N.m4s, seg-N-NNN.m4s.
mkdir -p "$tmp/www/dash"
(
	cd "$tmp/www/dash"
	ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x180:rate=25 \
		-t 4 -filter_complex '[0:v]split=2[a][b];[b]scale=160:90[b2]' \
		-map '[a]' -map '[b2]' -c:v libx264 -preset ultrafast \
		-pix_fmt yuv420p -g 25 -keyint_min 25 -sc_threshold 0 \
		-b:v:0 400k -b:v:1 150k -f dash -seg_duration 1 \
		-use_template 1 -use_timeline 0 \
		-init_seg_name 'init-$RepresentationID$.m4s' \
		-media_seg_name 'seg-$RepresentationID$-$Number%03d$.m4s' \
		manifest.mpd
)
# Muxed video+audio with 2 s segments, so that half a segment (1.0 s of
# 2.0 s) is short by more than the 0.5 s / 20 % a segmenter may be off by:
# HLS TS (hlsa/), HLS fMP4 (hlsf/) and DASH (dasha/, audio apart).
av_in="-f lavfi -i testsrc2=size=320x180:rate=25 -f lavfi -i
	sine=frequency=440:sample_rate=48000 -t 6 -map 0:v -map 1:a -c:v libx264
	-preset ultrafast -pix_fmt yuv420p -g 25 -keyint_min 25 -sc_threshold 0
	-b:v 400k -c:a aac -b:a 64k"
for kind in hlsa hlsf dasha; do
	mkdir -p "$tmp/www/$kind"
	(
		cd "$tmp/www/$kind"
		# shellcheck disable=SC2086
		case $kind in
		hlsa) ffmpeg -nostdin -v error $av_in -f hls -hls_time 2 \
			-hls_playlist_type vod -hls_segment_filename \
			'v%v/seg%03d.ts' -master_pl_name master.m3u8 \
			-var_stream_map 'v:0,a:0' 'v%v/index.m3u8' ;;
		hlsf) ffmpeg -nostdin -v error $av_in -f hls -hls_time 2 \
			-hls_playlist_type vod -hls_segment_type fmp4 \
			-hls_fmp4_init_filename init.mp4 -hls_segment_filename \
			'v%v/seg%03d.m4s' -master_pl_name master.m3u8 \
			-var_stream_map 'v:0,a:0' 'v%v/index.m3u8' ;;
		dasha) ffmpeg -nostdin -v error $av_in -f dash -seg_duration 2 \
			-use_template 1 -use_timeline 0 \
			-init_seg_name 'init-$RepresentationID$.m4s' \
			-media_seg_name 'seg-$RepresentationID$-$Number%03d$.m4s' \
			manifest.mpd ;;
		esac
	)
done
[ -s "$tmp/www/hlsa/v0/seg002.ts" ] && [ -s "$tmp/www/hlsf/v0/seg002.m4s" ] &&
	[ -s "$tmp/www/dasha/seg-1-001.m4s" ] || {
	echo "scenarios.sh: ffmpeg made no muxed stream" >&2
	exit 1
}
[ -s "$tmp/www/hls/master.m3u8" ] && [ -s "$tmp/www/hls/v1/seg003.ts" ] &&
	[ -s "$tmp/www/dash/manifest.mpd" ] || {
	echo "scenarios.sh: ffmpeg made no stream" >&2
	exit 1
}

fault_start a -v -g 1024
port_a=$PORT
fault_start b -v -g 0
port_b=$PORT
echo "scenarios.sh: origins http://127.0.0.1:$port_a and :$port_b" >&2

PROBER="$PROBER" ORIGIN="http://127.0.0.1:$port_a" \
	ORIGIN2="http://127.0.0.1:$port_b" MEDIA="$tmp/www" "$suite"
