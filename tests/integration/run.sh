#!/bin/sh
# Integration tests: the real prober binary against a real local origin.
#
# Called by `make integration` with PROBER (absolute path of the binary) and O
# (build folder holding tests/test_integration). Makes the media, serves it
# with nginx on 127.0.0.1, and runs the cmocka suite, which starts PROBER as
# a subprocess per case. Everything lives in one temp folder removed at exit,
# and nginx is stopped on any exit, so a failed run leaves nothing behind.
set -eu

: "${PROBER:?PROBER must name the prober binary}"
: "${O:=build}"
here=$(cd "$(dirname "$0")/../.." && pwd)
suite="$O/tests/test_integration"
case $suite in
/*) ;;
*) suite="$here/$suite" ;;
esac
[ -x "$PROBER" ] || {
	echo "run.sh: $PROBER is not executable" >&2
	exit 1
}
[ -x "$suite" ] || {
	echo "run.sh: $suite is not built" >&2
	exit 1
}

# shellcheck source=../../scripts/origin.sh
. "$here/scripts/origin.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/prober-it.XXXXXX")
cleanup() {
	origin_stop "$tmp/nginx" || :
	# KEEP=1 keeps media and nginx logs to look at a failure.
	if [ "${KEEP:-0}" = 1 ]; then
		echo "run.sh: kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "run.sh: generating media in $tmp/www" >&2
origin_media_all "$tmp/www"
origin_start "$tmp/nginx" "$tmp/www"
dead=$(origin_dead_port)
echo "run.sh: origin http://127.0.0.1:$ORIGIN_PORT, dead port $dead" >&2

# MEDIA lets the suite read what the origin serves (declared attributes, file
# sizes) instead of hard-coding what one ffmpeg version writes.
# TLS_PORT and CERT: nginx's https server for "cdn.test" (pinned to 127.0.0.1
# with --resolve) and its self-signed certificate; empty without openssl.
PROBER="$PROBER" ORIGIN="http://127.0.0.1:$ORIGIN_PORT" \
	DEAD="http://127.0.0.1:$dead" MEDIA="$tmp/www" \
	TLS_PORT="${ORIGIN_TLS_PORT:-}" CERT="$tmp/nginx/cdn.test.pem" "$suite"
