#!/bin/sh
# Pictures suite: a backup that declares the same stream (ladder, VOD
# duration, segment count) but shows other pictures is origin_mismatch
# ("picture"), and the same source encoded otherwise is not. The real
# prober binary against two fault origins on 127.0.0.1 ("two CDNs")
# serving one folder of ffmpeg-made media, 3 s of 1 s MPEG-TS segments:
#
#   main/     mandelbrot (textured, moving: a real-looking source), HLS
#             ladder 640x360 + 320x180, x264
#   reenc/    main's source, x264 ultrafast at a third of the rate
#   other/    testsrc2 (another episode by the same pipeline)
#   slate/    smptehdbars (a slate loop)
#   later/    main's source from 10 s on (a stale or other cut)
#             each with main's master.m3u8: the same declared ladder
#   m720/     media playlist only: main's source at 1280x720, x264 medium
#   m360hevc/ the same at 640x360 as HEVC
#   m360off1/ the same at 640x360 starting one frame later
#   n720/, n360hevc/  testsrc2 with moving noise, x264 720p / HEVC 360p
#   bars360/  smptehdbars at 640x360, media playlist only
#
# Called by `make integration` with PROBER and O (build folder holding
# tests/fault_origin and tests/test_pictures). Everything lives in one temp
# folder removed at exit (KEEP=1 keeps it); the origins are stopped on any
# exit. CASE=name runs one row.
set -eu

. "$(dirname "$0")/../../scripts/fault.sh"
fault_suite pictures test_pictures

MANDEL='mandelbrot=size=640x360:rate=25'
T=3

# ladder DIR SOURCE EXTRA...: 640x360 + 320x180 HLS VOD of SOURCE.
ladder() {
	d=$1
	src=$2
	shift 2
	mkdir -p "$tmp/www/$d"
	(cd "$tmp/www/$d" && ffmpeg -nostdin -v error -f lavfi -i "$src" \
		-t $T -filter_complex '[0:v]split=2[a][c];[c]scale=320:180[c2]' \
		-map '[a]' -map '[c2]' -c:v libx264 -pix_fmt yuv420p -g 25 \
		-keyint_min 25 -sc_threshold 0 "$@" -f hls -hls_time 1 \
		-hls_playlist_type vod -hls_segment_filename 'v%v/seg%d.ts' \
		-master_pl_name master.m3u8 -var_stream_map 'v:0 v:1' \
		'v%v/index.m3u8')
}

# media DIR SOURCE SIZE CODEC-OPTIONS...: one media playlist, no master.
media() {
	d=$1
	src=$2
	size=$3
	shift 3
	mkdir -p "$tmp/www/$d"
	(cd "$tmp/www/$d" && ffmpeg -nostdin -v error -f lavfi -i "$src" \
		-t $T -vf "scale=$size" -pix_fmt yuv420p -g 25 -keyint_min 25 \
		-sc_threshold 0 "$@" -f hls -hls_time 1 \
		-hls_playlist_type vod -hls_segment_filename 'seg%d.ts' \
		index.m3u8)
}

X265='-c:v libx265 -preset ultrafast -b:v 300k -x265-params log-level=error:keyint=25:min-keyint=25:scenecut=0'
echo "pictures.sh: generating media in $tmp/www" >&2
ladder main "$MANDEL" -preset veryfast -b:v:0 600k -b:v:1 200k &
ladder reenc "$MANDEL" -preset ultrafast -b:v:0 200k -b:v:1 70k &
wait
ladder other testsrc2=size=640x360:rate=25 -preset veryfast \
	-b:v:0 600k -b:v:1 200k &
ladder slate smptehdbars=size=640x360:rate=25 -preset veryfast \
	-b:v:0 600k -b:v:1 200k &
wait
ladder later "$MANDEL,trim=start=10,setpts=PTS-STARTPTS" -preset veryfast \
	-b:v:0 600k -b:v:1 200k &
media m720 mandelbrot=size=1280x720:rate=25 1280:720 -c:v libx264 \
	-preset medium -b:v 1500k &
wait
# shellcheck disable=SC2086
media m360hevc mandelbrot=size=1280x720:rate=25 640:360 $X265 &
media m360off1 \
	"mandelbrot=size=1280x720:rate=25,trim=start_frame=1,setpts=PTS-STARTPTS" \
	640:360 -c:v libx264 -preset ultrafast -b:v 200k &
wait
NOISE='testsrc2=size=1280x720:rate=25,noise=alls=40:allf=t+u'
media n720 "$NOISE" 1280:720 -c:v libx264 -preset veryfast -b:v 1500k &
# shellcheck disable=SC2086
media n360hevc "$NOISE" 640:360 $X265 &
wait
media bars360 smptehdbars=size=640x360:rate=25 640:360 -c:v libx264 \
	-preset veryfast -b:v 300k
for d in reenc other slate later; do
	cp "$tmp/www/main/master.m3u8" "$tmp/www/$d/master.m3u8"
done
for f in main/v1/seg2.ts reenc/v1/seg2.ts other/v1/seg2.ts slate/v1/seg2.ts \
	later/v1/seg2.ts m720/seg2.ts m360hevc/seg2.ts m360off1/seg2.ts \
	n720/seg2.ts n360hevc/seg2.ts bars360/seg2.ts; do
	[ -s "$tmp/www/$f" ] || {
		echo "pictures.sh: ffmpeg made no $f" >&2
		exit 1
	}
done

fault_start a -g 0
port_a=$PORT
fault_start b -g 0
port_b=$PORT
echo "pictures.sh: origins http://127.0.0.1:$port_a and :$port_b" >&2

PROBER="$PROBER" ORIGIN="http://127.0.0.1:$port_a" \
	ORIGIN2="http://127.0.0.1:$port_b" "$suite"
