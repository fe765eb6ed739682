#!/bin/sh
# DASH integration tests: the real prober binary against DASH made at test
# time by the ffmpeg CLI and served by nginx on 127.0.0.1 only.
#
# Called by `make integration` with PROBER (absolute path of the binary) and O
# (build folder holding tests/test_dash_integration). Sets under the web root:
#   num/      SegmentTemplate with $Number%05d$ (-use_timeline 0): 2 video
#             representations + 1 audio, 4 s of 1 s segments; also served as
#             num/manifest (no extension: detection is by content)
#   time/     SegmentTemplate with SegmentTimeline and $Time$
#   seg404/   num with the first segment of representation 1 deleted
#   allgone/  num with every media segment deleted
#   live/     num's files under a type="dynamic" MPD whose
#             availabilityStartTime is "4 s ago": a live stream
#   od/       the on-demand profile: one MP4 a Representation (video, audio)
#             with a sidx (-single_file 1 -global_sidx 1), 6 s of 1 s
#             subsegments; ffmpeg's MPD lists them as a SegmentList, so it
#             is rewritten to SegmentBase@indexRange as on-demand packagers
#             (MP4Box, shaka-packager) write it
#   odhalf/   od with the video file cut to half its bytes
#   odlast/   od with the first bytes of the video's last subsegment (its
#             moof) overwritten
# Everything lives in one temp folder removed at exit; nginx is stopped on
# any exit.
set -eu

: "${PROBER:?PROBER must name the prober binary}"
: "${O:=build}"
here=$(cd "$(dirname "$0")/../.." && pwd)
suite="$O/tests/test_dash_integration"
case $suite in
/*) ;;
*) suite="$here/$suite" ;;
esac
[ -x "$PROBER" ] || {
	echo "dash.sh: $PROBER is not executable" >&2
	exit 1
}
[ -x "$suite" ] || {
	echo "dash.sh: $suite is not built" >&2
	exit 1
}

# Only origin_start / origin_stop are used: nginx on 127.0.0.1 serving a
# folder, everything it writes under one prefix.
# shellcheck source=../../scripts/origin.sh
. "$here/scripts/origin.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/prober-dash.XXXXXX")
cleanup() {
	origin_stop "$tmp/nginx" || :
	if [ "${KEEP:-0}" = 1 ]; then
		echo "dash.sh: kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# dash_media OUTDIR SEGNAME TIMELINE: 2 video representations (256x144,
# 426x240) and one audio, 4 s, 1 s segments with a keyframe each.
# -avoid_negative_ts make_zero: without it the AAC priming delay makes the
# muxer name the first audio segment with a negative $Time$ that its own
# MPD does not list.
dash_media() {
	mkdir -p "$1"
	(cd "$1" && ffmpeg -nostdin -hide_banner -loglevel error -y \
		-f lavfi -i "testsrc2=size=640x360:rate=25:duration=4" \
		-f lavfi -i "sine=frequency=440:sample_rate=48000:duration=4" \
		-filter_complex "[0:v]split=2[a][b];[a]scale=256:144[o0];[b]scale=426:240[o1]" \
		-map "[o0]" -map "[o1]" -map 1:a \
		-c:v libx264 -preset ultrafast -pix_fmt yuv420p \
		-g 25 -keyint_min 25 -sc_threshold 0 \
		-b:v:0 150k -b:v:1 300k -c:a aac -b:a 64k -ac 2 \
		-avoid_negative_ts make_zero \
		-f dash -seg_duration 1 -use_template 1 -use_timeline "$3" \
		-adaptation_sets "id=0,streams=v id=1,streams=a" \
		-init_seg_name 'init-$RepresentationID$.m4s' \
		-media_seg_name "$2" manifest.mpd)
}

www="$tmp/www"
echo "dash.sh: generating media in $www" >&2
dash_media "$www/num" 'chunk-$RepresentationID$-$Number%05d$.m4s' 0
dash_media "$www/time" 'chunk-$RepresentationID$-$Time$.m4s' 1
grep -q 'SegmentTimeline' "$www/time/manifest.mpd" || {
	echo "dash.sh: time/manifest.mpd has no SegmentTimeline" >&2
	exit 1
}
cp "$www/num/manifest.mpd" "$www/num/manifest"
cp -R "$www/num" "$www/seg404"
rm -f "$www/seg404/chunk-1-00001.m4s"
cp -R "$www/num" "$www/allgone"
rm -f "$www"/allgone/chunk-*.m4s
cp -R "$www/num" "$www/live"
ast=$(date -u -d "@$(($(date +%s) - 4))" +%Y-%m-%dT%H:%M:%SZ)
# mediaPresentationDuration stays: the live period then ends with the
# media, so however slow the run, the edge never passes the last segment.
sed -e "s/type=\"static\"/type=\"dynamic\" availabilityStartTime=\"$ast\" timeShiftBufferDepth=\"PT30S\"/" \
	"$www/num/manifest.mpd" >"$www/live/manifest.mpd"

# A live DASH stream encoded in real time (SegmentTimeline, 1 s segments,
# the MPD rewritten at each segment), for the staleness cases: the suite
# kills the encoder (LIVE_PID) to freeze the MPD.
mkdir -p "$www/rt"
(cd "$www/rt" && exec ffmpeg -nostdin -hide_banner -loglevel error -y -re \
	-f lavfi -i "testsrc2=size=320x180:rate=25" -t 300 \
	-c:v libx264 -preset ultrafast -pix_fmt yuv420p \
	-g 25 -keyint_min 25 -sc_threshold 0 \
	-f dash -seg_duration 1 -window_size 6 -use_timeline 1 \
	-use_template 1 live.mpd) >"$tmp/rt.log" 2>&1 &
live_pid=$!
cleanup_live() {
	kill -KILL "$live_pid" 2>/dev/null || :
	wait "$live_pid" 2>/dev/null || :
	cleanup
}
trap cleanup_live EXIT
i=0
until [ -f "$www/rt/chunk-stream0-00003.m4s" ]; do
	i=$((i + 1))
	if [ $i -gt 150 ]; then
		echo "dash.sh: the live encoder made no segment:" >&2
		cat "$tmp/rt.log" >&2
		exit 1
	fi
	sleep 0.1
done

# The on-demand asset (SegmentBase with a real sidx), as the fault-origin
# suites make it: 6 s in 1 s subsegments.
# shellcheck source=../../scripts/ondemand.sh
. "$here/scripts/ondemand.sh"
od_media "$www/od" 6 1
odv="ffmpeg-stream0.mp4"
cp -R "$www/od" "$www/odhalf"
size=$(wc -c <"$www/od/$odv")
head -c $((size / 2)) "$www/od/$odv" >"$www/odhalf/$odv"
# The video's last subsegment: the last reference of its sidx (12 bytes a
# reference, referenced_size in the low 31 bits of the first 4) ends the
# file.
cp -R "$www/od" "$www/odlast"
set -- $(od_sidx_at "$www/od/$odv")
last=$(($(od_u32 "$www/od/$odv" $(($2 - 11))) % 2147483648))
printf 'NOTMEDIA' | dd of="$www/odlast/$odv" bs=1 seek=$((size - last)) \
	conv=notrunc 2>/dev/null
set --

origin_start "$tmp/nginx" "$www"
echo "dash.sh: origin http://127.0.0.1:$ORIGIN_PORT" >&2

PROBER="$PROBER" ORIGIN="http://127.0.0.1:$ORIGIN_PORT" MEDIA="$www" \
	LIVE_PID="$live_pid" "$suite"
