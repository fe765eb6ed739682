#!/bin/sh
# Interop integration tests: media made at test time by the ffmpeg CLI,
# manifests written the way each packager or encoder writes them (see the
# README's "Interop" table), served by nginx on 127.0.0.1 only. Healthy by
# construction: every one must `pass`; the lies at the end must not.
#
# Called by `make integration` with PROBER (absolute path of the binary) and O
# (build folder holding tests/test_interop_integration). Sets under the web
# root, each a short clip remuxed (-c copy) into HLS TS, HLS fMP4 and DASH:
#   sar/    854x480 scaled from 16:9, pixel aspect 1280:1281 (shown 853x480)
#   ana/    192x144 with pixel aspect 4:3 (anamorphic, shown 256x144)
#   ntsc/   320x180 at 30000/1001 fps, 2.002 s segments
#   early/  256x144, audio starting 60 ms before video
# Everything lives in one temp folder removed at exit; nginx is stopped on
# any exit.
set -eu

: "${PROBER:?PROBER must name the prober binary}"
: "${O:=build}"
here=$(cd "$(dirname "$0")/../.." && pwd)
suite="$O/tests/test_interop_integration"
case $suite in
/*) ;;
*) suite="$here/$suite" ;;
esac
[ -x "$PROBER" ] || {
	echo "interop.sh: $PROBER is not executable" >&2
	exit 1
}
[ -x "$suite" ] || {
	echo "interop.sh: $suite is not built" >&2
	exit 1
}

# shellcheck source=../../scripts/origin.sh
. "$here/scripts/origin.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/prober-interop.XXXXXX")
cleanup() {
	origin_stop "$tmp/nginx" || :
	if [ "${KEEP:-0}" = 1 ]; then
		echo "interop.sh: kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ff() {
	ffmpeg -nostdin -hide_banner -loglevel error -y "$@"
}

# clip OUT.mp4 FILTER RATE SECONDS GOP [VIDEO_OFFSET]: one H.264 + AAC clip.
clip() {
	ff ${6:+-itsoffset "$6"} \
		-f lavfi -i "testsrc2=size=320x180:rate=$3:duration=$4" \
		-f lavfi -i "sine=frequency=440:sample_rate=48000:duration=$4" \
		-vf "$2" -c:v libx264 -preset ultrafast -pix_fmt yuv420p \
		-g "$5" -keyint_min "$5" -sc_threshold 0 \
		-c:a aac -b:a 64k -ac 2 "$1"
}

# hls SRC DIR NAME TYPE SECONDS MAP...: remuxes SRC into DIR/NAME.m3u8.
hls() {
	_src=$1 _dir=$2 _name=$3 _type=$4 _t=$5
	shift 5
	mkdir -p "$_dir"
	if [ "$_type" = fmp4 ]; then
		set -- "$@" -hls_segment_type fmp4 \
			-hls_fmp4_init_filename "$_name-init.mp4" \
			-hls_segment_filename "$_dir/$_name-%d.m4s"
	else
		set -- "$@" -hls_segment_filename "$_dir/$_name-%d.ts"
	fi
	ff -i "$_src" "$@" -c copy -f hls -hls_time "$_t" \
		-hls_playlist_type vod "$_dir/$_name.m3u8"
}

# dash SRC DIR SECONDS: ffmpeg's own MPD (coded @width, @sar, @frameRate
# as a fraction), one AdaptationSet per kind.
dash() {
	mkdir -p "$2"
	ff -i "$1" -map 0:v -map 0:a -c copy -f dash -seg_duration "$3" \
		-use_template 1 -use_timeline 0 \
		-adaptation_sets "id=0,streams=v id=1,streams=a" \
		-init_seg_name 'init-$RepresentationID$.m4s' \
		-media_seg_name 'chunk-$RepresentationID$-$Number%05d$.m4s' \
		"$2/manifest.mpd"
}

# The video CODECS as the packager reads it from the SPS: ffmpeg's MPD.
video_codecs() {
	sed -n 's/.*mimeType="video\/mp4" codecs="\([^"]*\)".*/\1/p' "$1"
}

# master OUT CODECS RESOLUTION EXTRA URI [AUDIO_URI]: one variant, with an
# audio group when AUDIO_URI is given (Shaka, Bento4, Unified write audio
# as its own rendition).
master() {
	{
		echo '#EXTM3U'
		echo '#EXT-X-VERSION:6'
		echo '#EXT-X-INDEPENDENT-SEGMENTS'
		if [ -n "${6:-}" ]; then
			echo "#EXT-X-MEDIA:TYPE=AUDIO,URI=\"$6\",GROUP-ID=\"audio\",LANGUAGE=\"en\",NAME=\"English\",DEFAULT=YES,AUTOSELECT=YES,CHANNELS=\"2\""
			echo "#EXT-X-STREAM-INF:BANDWIDTH=2200000,AVERAGE-BANDWIDTH=2000000,CODECS=\"$2\",RESOLUTION=$3$4,AUDIO=\"audio\",CLOSED-CAPTIONS=NONE"
		else
			echo "#EXT-X-STREAM-INF:BANDWIDTH=2200000,CODECS=\"$2\",RESOLUTION=$3$4"
		fi
		echo "$5"
	} >"$1"
}

www="$tmp/www"
mkdir -p "$www"
echo "interop.sh: generating media in $www" >&2

# --- sar: 854x480 from 16:9, what ffmpeg's scaler writes (1280:1281) ---
clip "$tmp/sar.mp4" scale=854:480 25 2 25
hls "$tmp/sar.mp4" "$www/sar" av ts 1 -map 0:v -map 0:a
hls "$tmp/sar.mp4" "$www/sar" v ts 1 -map 0:v
hls "$tmp/sar.mp4" "$www/sar" a ts 1 -map 0:a
hls "$tmp/sar.mp4" "$www/sar" fv fmp4 1 -map 0:v
hls "$tmp/sar.mp4" "$www/sar" fa fmp4 1 -map 0:a
dash "$tmp/sar.mp4" "$www/sar" 1
vc=$(video_codecs "$www/sar/manifest.mpd")
[ -n "$vc" ] || {
	echo "interop.sh: no video codecs in sar/manifest.mpd" >&2
	exit 1
}
grep -q 'sar="1280:1281"' "$www/sar/manifest.mpd" || {
	echo "interop.sh: sar/manifest.mpd: not the 1280:1281 case" >&2
	exit 1
}
lvl=$(printf '%d' "0x$(echo "$vc" | cut -c10-11)")
# Shaka Packager HLS (TS, fMP4 = CMAF): RESOLUTION is the display size
# (853.33 rounded down), FRAME-RATE with 3 decimals, audio apart.
master "$www/sar/shaka-ts.m3u8" "$vc,mp4a.40.2" 853x480 \
	",FRAME-RATE=25.000" v.m3u8 a.m3u8
master "$www/sar/shaka-fmp4.m3u8" "$vc,mp4a.40.2" 853x480 \
	",FRAME-RATE=25.000" fv.m3u8 fa.m3u8
# Display size rounded to the nearest, muxed TS (Elemental-style ladder).
master "$www/sar/nearest.m3u8" "$vc,mp4a.40.2" 853x480 "" av.m3u8
# ffmpeg hlsenc / coded size.
master "$www/sar/coded.m3u8" "$vc,mp4a.40.2" 854x480 "" av.m3u8
# Legacy decimal CODECS (avc1.PROFILE.LEVEL: old Apple examples, Wowza).
master "$www/sar/decimal.m3u8" "avc1.66.$lvl,mp4a.40.2" 854x480 "" av.m3u8
# One CODECS for the whole ladder: High 4.0 declared over Baseline media.
master "$www/sar/ladder-codecs.m3u8" "avc1.640028,mp4a.40.2" 854x480 "" \
	av.m3u8
# BANDWIDTH far below what is served: players take it as a hint only.
sed 's/BANDWIDTH=2200000/BANDWIDTH=50000/' "$www/sar/coded.m3u8" \
	>"$www/sar/low-bandwidth.m3u8"
# DASH with the display size on a square grid (tkhd presentation size).
sed -e 's/width="854"/width="853"/' -e 's/sar="1280:1281"/sar="1:1"/' \
	"$www/sar/manifest.mpd" >"$www/sar/display.mpd"
# DASH with common attributes on the AdaptationSet (codecs, size, sar),
# as Unified Streaming and Wowza write them.
sed -e "s|contentType=\"video\"|contentType=\"video\" mimeType=\"video/mp4\" codecs=\"$vc\" width=\"854\" height=\"480\" sar=\"1280:1281\"|" \
	-e "s|mimeType=\"video/mp4\" codecs=\"$vc\" \(bandwidth=\"[0-9]*\"\) width=\"854\" height=\"480\" sar=\"1280:1281\"|\1|" \
	"$www/sar/manifest.mpd" >"$www/sar/hoisted.mpd"
grep -q "<Representation id=\"0\" bandwidth" "$www/sar/hoisted.mpd" || {
	echo "interop.sh: sar/hoisted.mpd: attributes not moved" >&2
	exit 1
}
# Lies, which must not pass.
master "$www/sar/lie-size.m3u8" "$vc,mp4a.40.2" 1280x720 "" av.m3u8
master "$www/sar/lie-codec.m3u8" "hvc1.1.6.L93.B0,mp4a.40.2" 854x480 "" \
	av.m3u8
sed -e 's/width="854"/width="1280"/' -e 's/height="480"/height="720"/' \
	"$www/sar/manifest.mpd" >"$www/sar/lie-size.mpd"

# --- ana: anamorphic 192x144, pixel aspect 4:3, shown 256x144 ---
clip "$tmp/ana.mp4" scale=192:144,setsar=4/3 25 2 25
hls "$tmp/ana.mp4" "$www/ana" av ts 1 -map 0:v -map 0:a
hls "$tmp/ana.mp4" "$www/ana" fv fmp4 1 -map 0:v
hls "$tmp/ana.mp4" "$www/ana" fa fmp4 1 -map 0:a
dash "$tmp/ana.mp4" "$www/ana" 1
vc=$(video_codecs "$www/ana/manifest.mpd")
master "$www/ana/shown-ts.m3u8" "$vc,mp4a.40.2" 256x144 "" av.m3u8
master "$www/ana/shown-fmp4.m3u8" "$vc,mp4a.40.2" 256x144 \
	",FRAME-RATE=25.000" fv.m3u8 fa.m3u8
master "$www/ana/coded.m3u8" "$vc,mp4a.40.2" 192x144 "" av.m3u8
master "$www/ana/lie.m3u8" "$vc,mp4a.40.2" 256x192 "" av.m3u8

# --- ntsc: 29.97 fps, 2.002 s segments under TARGETDURATION:2 ---
clip "$tmp/ntsc.mp4" scale=320:180 30000/1001 4.004 60
hls "$tmp/ntsc.mp4" "$www/ntsc" av ts 2 -map 0:v -map 0:a
dash "$tmp/ntsc.mp4" "$www/ntsc" 2
grep -q '#EXTINF:2.002' "$www/ntsc/av.m3u8" || {
	echo "interop.sh: ntsc/av.m3u8: segments are not 2.002 s" >&2
	exit 1
}
# RFC 8216 4.3.3.1: EXTINF rounded to the nearest integer <= TARGETDURATION.
sed -i 's/^#EXT-X-TARGETDURATION:.*/#EXT-X-TARGETDURATION:2/' \
	"$www/ntsc/av.m3u8"
vc=$(video_codecs "$www/ntsc/manifest.mpd")
master "$www/ntsc/shaka.m3u8" "$vc,mp4a.40.2" 320x180 ",FRAME-RATE=29.970" \
	av.m3u8
master "$www/ntsc/rounded.m3u8" "$vc,mp4a.40.2" 320x180 ",FRAME-RATE=30" \
	av.m3u8
grep -q 'frameRate="30000/1001"' "$www/ntsc/manifest.mpd" || {
	echo "interop.sh: ntsc/manifest.mpd: no 30000/1001 frameRate" >&2
	exit 1
}
sed 's|frameRate="30000/1001"|frameRate="2997/100"|' \
	"$www/ntsc/manifest.mpd" >"$www/ntsc/fraction.mpd"
sed 's|frameRate="30000/1001"|frameRate="29.97"|' \
	"$www/ntsc/manifest.mpd" >"$www/ntsc/decimal.mpd"

# --- early: audio 60 ms ahead of video ---
clip "$tmp/early.mp4" scale=256:144 25 2 25 0.06
hls "$tmp/early.mp4" "$www/early" av ts 1 -map 0:v -map 0:a
hls "$tmp/early.mp4" "$www/early" fv fmp4 1 -map 0:v
hls "$tmp/early.mp4" "$www/early" fa fmp4 1 -map 0:a
dash "$tmp/early.mp4" "$www/early" 1
vc=$(video_codecs "$www/early/manifest.mpd")
master "$www/early/muxed.m3u8" "$vc,mp4a.40.2" 256x144 "" av.m3u8
master "$www/early/split.m3u8" "$vc,mp4a.40.2" 256x144 "" fv.m3u8 fa.m3u8

origin_start "$tmp/nginx" "$www"
echo "interop.sh: origin http://127.0.0.1:$ORIGIN_PORT" >&2

PROBER="$PROBER" ORIGIN="http://127.0.0.1:$ORIGIN_PORT" "$suite"
