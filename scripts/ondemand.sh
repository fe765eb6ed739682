# ondemand.sh - a DASH on-demand asset (SegmentBase) made by the ffmpeg CLI,
# for the suites that serve one: segments.sh and origins.sh (the fault
# origin), dash.sh (nginx).
#
# Sourced (POSIX sh). Needs $tmp (a scratch folder).
#
#   od_media DIR SECONDS SEG_S  one MP4 a Representation (320x180 video,
#                          ffmpeg-stream0.mp4; AAC audio, ffmpeg-stream1.mp4)
#                          with a sidx of SECONDS / SEG_S subsegments
#                          (-single_file 1 -global_sidx 1), and
#                          DIR/manifest.mpd naming it by SegmentBase:
#                          ffmpeg's MPD lists the subsegments as a
#                          SegmentList, rewritten to SegmentBase@indexRange
#                          (Initialization up to the sidx) as on-demand
#                          packagers (MP4Box, shaka-packager) write it
#
# The same source whatever SEG_S, so two calls differing only by SEG_S make
# one stream fragmented two ways.

# od_u32 FILE OFFSET: the big-endian 32-bit number at OFFSET.
od_u32() {
	od -An -tu1 -j "$2" -N4 "$1" |
		awk '{ print ((($1 * 256 + $2) * 256 + $3) * 256 + $4) }'
}

# od_sidx_at FILE: "START END" of the first sidx box (end inclusive).
od_sidx_at() {
	_at=$(LC_ALL=C grep -obUa sidx "$1" | head -n 1 | cut -d: -f1)
	[ -n "$_at" ] || {
		echo "ondemand.sh: $1 has no sidx" >&2
		exit 1
	}
	_at=$((_at - 4))
	echo "$_at $((_at + $(od_u32 "$1" "$_at") - 1))"
}

od_media() {
	mkdir -p "$1"
	(cd "$1" && ffmpeg -nostdin -hide_banner -loglevel error -y \
		-f lavfi -i "testsrc2=size=320x180:rate=25:duration=$2" \
		-f lavfi -i "sine=frequency=440:sample_rate=48000:duration=$2" \
		-map 0:v -map 1:a -c:v libx264 -preset ultrafast \
		-pix_fmt yuv420p -g 25 -keyint_min 25 -sc_threshold 0 \
		-b:v 150k -c:a aac -b:a 64k -ac 2 -avoid_negative_ts make_zero \
		-f dash -seg_duration "$3" -single_file 1 -global_sidx 1 \
		-adaptation_sets "id=0,streams=v id=1,streams=a" ffmpeg.mpd)
	for _f in "$1"/*.mp4; do
		echo "$(basename "$_f") $(od_sidx_at "$_f")"
	done >"$tmp/od.sidx"
	awk -v idx="$tmp/od.sidx" '
		BEGIN { while ((getline l < idx) > 0) { split(l, a, " ");
			s[a[1]] = a[2]; e[a[1]] = a[3] } }
		/<BaseURL>/ { f = $0; sub(/.*<BaseURL>/, "", f)
			sub(/<.*/, "", f) }
		/<SegmentList/ { skip = 1
			printf "<SegmentBase indexRange=\"%d-%d\">", s[f], e[f]
			printf "<Initialization range=\"0-%d\"/></SegmentBase>\n",
				s[f] - 1 }
		!skip { print }
		/<\/SegmentList>/ { skip = 0 }' "$1/ffmpeg.mpd" >"$1/manifest.mpd"
	grep -q '<SegmentBase indexRange="[0-9]*-[0-9]*">' "$1/manifest.mpd" || {
		echo "ondemand.sh: $1/manifest.mpd has no SegmentBase" >&2
		exit 1
	}
}
