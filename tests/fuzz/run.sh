#!/bin/sh
# Runs every libFuzzer target for a bounded time; `make fuzz` calls it.
#
#   FUZZ_SECONDS=60 O=build sh tests/fuzz/run.sh
#
# Each target first replays its saved crashing inputs (tests/fuzz/regress/
# TARGET/), then fuzzes from a fresh copy of its seeds (tests/corpus,
# or the probe examples for the config loader, or for the decoder small
# TS and fMP4 segments and for the sidx reader an on-demand MP4 the ffmpeg
# CLI makes here) so the shared corpus is
# never written to. Any crash, leak, timeout or sanitizer report fails the run;
# the input that did it is left in $O/fuzz/artifacts/TARGET/ to be moved to
# tests/fuzz/regress/TARGET/.
set -eu

: "${O:=build}"
: "${FUZZ_SECONDS:=60}"
here=$(cd "$(dirname "$0")/../.." && pwd)
corpus="${CORPUS:-$here/tests/corpus}"
case $O in
/*) bdir=$O ;;
*) bdir="$here/$O" ;;
esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/prober-fuzz.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Every report is fatal; leaks are checked at the end of each input.
ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:${ASAN_OPTIONS:-}"
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
export ASAN_OPTIONS UBSAN_OPTIONS

# decode_seeds DIR: tiny muxed segments as fuzz_decode inputs: two bytes
# (little endian) of init length, the init, the segment.
decode_seeds() {
	d=$1
	mkdir -p "$d/mk"
	(
		cd "$d/mk"
		av="-f lavfi -i testsrc2=size=64x64:rate=25 -f lavfi -i
		sine=sample_rate=48000 -t 0.4 -c:v libx264 -preset ultrafast
		-pix_fmt yuv420p -g 5 -c:a aac -b:a 32k"
		# shellcheck disable=SC2086
		ffmpeg -nostdin -v error $av -f mpegts seg.ts &&
			ffmpeg -nostdin -v error $av -f hls -hls_time 10 \
				-hls_segment_type fmp4 -hls_fmp4_init_filename \
				init.mp4 -hls_segment_filename 'f%d.m4s' f.m3u8 &&
			ffmpeg -nostdin -v error $av -c:v libx265 \
				-x265-params log-level=error -f mpegts hevc.ts
	) || {
		echo "fuzz: decode: ffmpeg could not make the seeds" >&2
		exit 1
	}
	for s in seg hevc; do
		{ printf '\000\000'; cat "$d/mk/$s.ts"; } >"$d/$s.seed"
	done
	n=$(wc -c <"$d/mk/init.mp4")
	{
		printf "\\$(printf %o $((n & 255)))\\$(printf %o $((n >> 8)))"
		cat "$d/mk/init.mp4" "$d/mk/f0.m4s"
	} >"$d/fmp4.seed"
	rm -rf "$d/mk"
}

# sidx_seeds DIR: on-demand MP4s (ftyp, moov, sidx, fragments) as
# fuzz_sidx inputs, behind 8 bytes of indexRange offset 0: the reader
# skips to the sidx as it does in a real indexRange.
sidx_seeds() {
	d=$1
	mkdir -p "$d/mk"
	(
		cd "$d/mk" && ffmpeg -nostdin -v error -f lavfi \
			-i testsrc2=size=64x64:rate=25 -t 2 -c:v libx264 \
			-preset ultrafast -pix_fmt yuv420p -g 5 -f dash \
			-seg_duration 0.2 -single_file 1 -global_sidx 1 od.mpd
	) || {
		echo "fuzz: sidx: ffmpeg could not make the seeds" >&2
		exit 1
	}
	{
		printf '\000\000\000\000\000\000\000\000'
		cat "$d"/mk/od-stream0.mp4
	} >"$d/od.seed"
	rm -rf "$d/mk"
}

status=0
for t in hls mpd config decode sidx; do
	bin="$bdir/fuzz/fuzz_$t"
	[ -x "$bin" ] || {
		echo "fuzz: $bin is not built" >&2
		exit 1
	}
	seeds="$tmp/$t"
	mkdir -p "$seeds" "$bdir/fuzz/artifacts/$t"
	case $t in
	hls) src="$corpus/hls" ;;
	mpd) src="$corpus/dash" ;;
	config) src="$here/probes/examples" ;;
	decode)
		src=""
		decode_seeds "$seeds"
		;;
	sidx)
		src=""
		sidx_seeds "$seeds"
		;;
	esac
	if [ -n "$src" ] && [ -d "$src" ]; then
		cp "$src"/* "$seeds"/ 2>/dev/null || :
	fi
	reg="$here/tests/fuzz/regress/$t"
	if [ -d "$reg" ] && [ -n "$(ls -A "$reg" 2>/dev/null)" ]; then
		echo "fuzz: $t: replaying $(ls "$reg" | wc -l) regression input(s)"
		"$bin" -runs=1 "$reg"/* >"$tmp/$t.replay.log" 2>&1 || {
			tail -n 60 "$tmp/$t.replay.log" >&2
			echo "fuzz: $t: a regression input fails again" >&2
			status=1
			continue
		}
		cp "$reg"/* "$seeds"/
	fi
	dict=""
	[ -f "$here/tests/fuzz/$t.dict" ] && dict="-dict=$here/tests/fuzz/$t.dict"
	echo "fuzz: $t: $FUZZ_SECONDS s from $(ls "$seeds" | wc -l) seeds"
	# shellcheck disable=SC2086
	if ! "$bin" $dict -max_total_time="$FUZZ_SECONDS" -timeout=10 \
		-rss_limit_mb=2048 -max_len=1048576 -print_final_stats=1 \
		-artifact_prefix="$bdir/fuzz/artifacts/$t/" "$seeds" \
		>"$tmp/$t.log" 2>&1; then
		tail -n 80 "$tmp/$t.log" >&2
		echo "fuzz: $t: FAILED; input in $bdir/fuzz/artifacts/$t/" >&2
		status=1
	else
		grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' \
			"$tmp/$t.log" | sed "s/^/fuzz: $t: /"
	fi
done
exit $status
