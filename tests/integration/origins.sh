#!/bin/sh
# Origins suite: the origins of one stream must serve the same stream
# (origin_mismatch). The real prober binary against two fault origins on
# 127.0.0.1 ("two CDNs") serving one folder of ffmpeg-made media:
#
#   hls3/      HLS, 3 renditions (320x180, 256x144, 160x90), 4 s of 1 s TS
#              segments; master-rev.m3u8 lists them in reverse order,
#              master-bw110.m3u8 with BANDWIDTH +10 %, master-bw200 doubled
#   hls2/      the same encode without 256x144: another ladder
#   hls2long/  hls2 from 8 s of the same source: another duration
#   dash2/     hls2's content as DASH (fMP4, SegmentTemplate)
#   od/        DASH on-demand (SegmentBase: one MP4 a Representation,
#              video and audio, its sidx the segment list), 6 s of 1 s
#              subsegments (scripts/ondemand.sh)
#   od2s/      od's source fragmented in 2 s subsegments: the same
#              duration, half the segments
#
# Called by `make integration` with PROBER (absolute path of the binary) and
# O (build folder holding tests/fault_origin and tests/test_origins). The
# cmocka table in tests/integration/test_origins.c starts PROBER once per row.
# Everything lives in one temp folder removed at exit; the origins are
# stopped on any exit. CASE=name runs one row; KEEP=1 keeps the folder.
set -eu

. "$(dirname "$0")/../../scripts/fault.sh"
fault_suite origins test_origins
. "$here/scripts/ondemand.sh"

# hls DIR SECONDS N: an HLS VOD ladder of N (2 or 3) renditions of one
# source, each encoded the same way whatever N, so the renditions two
# ladders share declare the same CODECS and about the same BANDWIDTH.
hls() {
	if [ "$3" = 3 ]; then
		fc='[0:v]split=3[a][b][c];[b]scale=256:144[b2];[c]scale=160:90[c2]'
		set -- "$1" "$2" -map '[a]' -map '[b2]' -map '[c2]' \
			-b:v:0 400k -b:v:1 250k -b:v:2 150k \
			-var_stream_map 'v:0 v:1 v:2'
	else
		fc='[0:v]split=2[a][c];[c]scale=160:90[c2]'
		set -- "$1" "$2" -map '[a]' -map '[c2]' \
			-b:v:0 400k -b:v:1 150k -var_stream_map 'v:0 v:1'
	fi
	d=$1
	t=$2
	shift 2
	mkdir -p "$tmp/www/$d"
	(
		cd "$tmp/www/$d"
		ffmpeg -nostdin -v error -f lavfi \
			-i testsrc2=size=320x180:rate=25 -t "$t" \
			-filter_complex "$fc" "$@" -c:v libx264 \
			-preset ultrafast -pix_fmt yuv420p -g 25 -keyint_min 25 \
			-sc_threshold 0 -f hls -hls_time 1 \
			-hls_playlist_type vod \
			-hls_segment_filename 'v%v/seg%03d.ts' \
			-master_pl_name master.m3u8 'v%v/index.m3u8'
	)
}

echo "origins.sh: generating media in $tmp/www" >&2
hls hls3 4 3
hls hls2 4 2
hls hls2long 8 2
mkdir -p "$tmp/www/dash2"
(
	cd "$tmp/www/dash2"
	ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x180:rate=25 \
		-t 4 -filter_complex '[0:v]split=2[a][c];[c]scale=160:90[c2]' \
		-map '[a]' -map '[c2]' -b:v:0 400k -b:v:1 150k -c:v libx264 \
		-preset ultrafast -pix_fmt yuv420p -g 25 -keyint_min 25 \
		-sc_threshold 0 -f dash -seg_duration 1 -use_template 1 \
		-use_timeline 0 manifest.mpd
)
od_media "$tmp/www/od" 6 1
od_media "$tmp/www/od2s" 6 2
for f in hls3/master.m3u8 hls3/v2/seg003.ts hls2/v1/seg003.ts \
	hls2long/v1/seg007.ts dash2/manifest.mpd; do
	[ -s "$tmp/www/$f" ] || {
		echo "origins.sh: ffmpeg made no $f" >&2
		exit 1
	}
done
# The same master, variants in reverse order; and with every BANDWIDTH
# scaled by a percentage (a packager that rounds or measures otherwise,
# or another encode).
awk '/^#EXT-X-STREAM-INF/ { inf = $0; next }
	inf != "" && !/^#/ && NF { v[n++] = inf "\n" $0; inf = ""; next }
	END { print "#EXTM3U"; for (i = n - 1; i >= 0; i--) print v[i] }' \
	"$tmp/www/hls3/master.m3u8" >"$tmp/www/hls3/master-rev.m3u8"
for pct in 110 200; do
	awk -v pct="$pct" '/^#EXT-X-STREAM-INF/ {
		match($0, /BANDWIDTH=[0-9]+/)
		bw = substr($0, RSTART + 10, RLENGTH - 10)
		$0 = substr($0, 1, RSTART - 1) "BANDWIDTH=" int(bw * pct / 100) \
			substr($0, RSTART + RLENGTH)
	} { print }' "$tmp/www/hls3/master.m3u8" \
		>"$tmp/www/hls3/master-bw$pct.m3u8"
done

fault_start a -g 0
port_a=$PORT
fault_start b -g 0
port_b=$PORT
echo "origins.sh: origins http://127.0.0.1:$port_a and :$port_b" >&2

PROBER="$PROBER" ORIGIN="http://127.0.0.1:$port_a" \
	ORIGIN2="http://127.0.0.1:$port_b" MEDIA="$tmp/www" "$suite"
