#!/bin/sh
# prober_run.sh - `prober run` and `prober report` against a local origin.
#
# Called by `make integration` with PROBER (absolute path of the binary) and
# O (build folder holding tests/test_run_integration). Makes a small HLS set
# with scripts/origin.sh (ffmpeg CLI), serves it with nginx on 127.0.0.1,
# finds a dead port, and runs the cmocka suite, which writes its own probe
# files and starts PROBER with fork/exec. Everything lives in one temp folder
# removed at exit (KEEP=1 keeps it); nginx is stopped on any exit.
set -eu

: "${PROBER:?PROBER must name the prober binary}"
: "${O:=build}"
here=$(cd "$(dirname "$0")/../.." && pwd)
suite="$O/tests/test_run_integration"
case $suite in
/*) ;;
*) suite="$here/$suite" ;;
esac
[ -x "$PROBER" ] || {
	echo "prober_run.sh: $PROBER is not executable" >&2
	exit 1
}
[ -x "$suite" ] || {
	echo "prober_run.sh: $suite is not built" >&2
	exit 1
}

# shellcheck source=../../scripts/origin.sh
. "$here/scripts/origin.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/prober-run.XXXXXX")
cleanup() {
	origin_stop "$tmp/nginx" || :
	if [ "${KEEP:-0}" = 1 ]; then
		echo "prober_run.sh: kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Only the plain MPEG-TS ladder: the run tests need a healthy stream, and
# the mirror/ alias of it, not the broken sets.
origin_media_ts "$tmp/www"
origin_start "$tmp/nginx" "$tmp/www"
dead=$(origin_dead_port)
echo "prober_run.sh: origin http://127.0.0.1:$ORIGIN_PORT, dead port $dead" >&2

TMPDIR="$tmp" PROBER="$PROBER" ORIGIN="http://127.0.0.1:$ORIGIN_PORT" \
	DEAD="http://127.0.0.1:$dead" "$suite"
