#!/bin/sh
# nagios.sh - the monitoring plugin (prober nagios / check_video_stream)
# against real local origins, and the shipped Icinga 2 CheckCommand
# against the real Icinga 2 config checker.
#
# Called by `make integration` with PROBER (absolute path of the binary) and
# O (build folder holding tests/test_nagios_integration and
# tests/blackhole). Serves a generated HLS ladder with nginx on 127.0.0.1
# (scripts/origin.sh), finds a refused port, starts a listener that never
# answers, and runs the cmocka suite, which starts the plugin as a
# subprocess per case. Everything lives in one temp folder removed at exit;
# nginx and the listener are stopped on any exit.
set -eu

: "${PROBER:?PROBER must name the prober binary}"
: "${O:=build}"
here=$(cd "$(dirname "$0")/../.." && pwd)
case $O in
/*) bin="$O/tests" ;;
*) bin="$here/$O/tests" ;;
esac
for f in "$PROBER" "$bin/test_nagios_integration" "$bin/blackhole"; do
	[ -x "$f" ] || {
		echo "nagios.sh: $f is not built" >&2
		exit 1
	}
done

# shellcheck source=../../scripts/origin.sh
. "$here/scripts/origin.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/prober-nagios.XXXXXX")
hole_pid=""
cleanup() {
	origin_stop "$tmp/nginx" || :
	[ -n "$hole_pid" ] && kill "$hole_pid" 2>/dev/null || :
	if [ "${KEEP:-0}" = 1 ]; then
		echo "nagios.sh: kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- Icinga 2: the shipped CheckCommand must pass `icinga2 daemon -C` ----

# icinga2_conf DIR COMMAND_FILE: a throwaway main config that loads only
# the command under test, with a service using every argument.
icinga2_conf() {
	mkdir -p "$1/plugins" "$1/var" "$1/log" "$1/cache" "$1/spool" \
		"$1/run"
	cat >"$1/icinga2.conf" <<EOF2
const PluginDir = "$1/plugins"
include "$2"
object CheckCommand "nagios_sh_dummy" { command = [ "/bin/true" ] }
object Host "localhost" {
	check_command = "nagios_sh_dummy"
	address = "127.0.0.1"
}
object Service "video" {
	host_name = "localhost"
	check_command = "video_stream"
	vars.video_stream_url = [ "http://127.0.0.1:1/a.m3u8",
				  "http://127.0.0.1:2/b.m3u8" ]
	vars.video_stream_warning = "2"
	vars.video_stream_critical = "~:5"
	vars.video_stream_min_healthy = 1
	vars.video_stream_timeout = "8:unknown"
	vars.video_stream_frames = 3
	vars.video_stream_renditions = "lowest"
	vars.video_stream_header = [ "X-A: 1", "X-B: 2" ]
	vars.video_stream_resolve = [ "a.example:443:127.0.0.1" ]
	vars.video_stream_insecure = true
	vars.video_stream_name = "news-live"
	vars.video_stream_verbose = 2
	vars.video_stream_origin_name = [ "cdn-a", "cdn-b" ]
	vars.video_stream_lag_warning = "10"
	vars.video_stream_lag_critical = "30"
	vars.video_stream_age_warning = "6"
	vars.video_stream_age_critical = "20"
	vars.video_stream_user_agent = "monitoring"
}
object Service "video-path" {
	host_name = "localhost"
	check_command = "video_stream"
	vars.video_stream_url = "/live/master.m3u8"
	vars.video_stream_port = 8443
	vars.video_stream_ssl = true
}
EOF2
}

# icinga2_check DIR: `icinga2 daemon -C` on DIR/icinga2.conf with every
# path of its own under DIR, as root or not.
icinga2_check() {
	icinga2 daemon -C -c "$1/icinga2.conf" \
		-DDataDir="$1/var" -DLogDir="$1/log" -DCacheDir="$1/cache" \
		-DSpoolDir="$1/spool" -DInitRunDir="$1/run" \
		-DRunAsUser="$(id -un)" -DRunAsGroup="$(id -gn)" \
		>"$1/check.log" 2>&1
}

conf="$here/contrib/icinga2/check_video_stream.conf"
if command -v icinga2 >/dev/null 2>&1; then
	icinga2_conf "$tmp/icinga" "$conf"
	if ! icinga2_check "$tmp/icinga"; then
		cat "$tmp/icinga/check.log" >&2
		echo "nagios.sh: FAIL: icinga2 daemon -C rejects $conf" >&2
		exit 1
	fi
	# The checker really reads the file: a broken copy must fail.
	sed 's/object CheckCommand/object CheckCommandd/' "$conf" \
		>"$tmp/broken.conf"
	icinga2_conf "$tmp/icinga-broken" "$tmp/broken.conf"
	if icinga2_check "$tmp/icinga-broken"; then
		echo "nagios.sh: FAIL: icinga2 daemon -C accepts a broken" \
			"config: the check proves nothing" >&2
		exit 1
	fi
	echo "nagios.sh: ok: icinga2 daemon -C accepts $conf" >&2
else
	echo "nagios.sh: SKIP: icinga2 not installed (Debian icinga2-bin);" \
		"CheckCommand not validated" >&2
fi

# ---- origins ----

echo "nagios.sh: generating media in $tmp/www" >&2
origin_media_ts "$tmp/www"
origin_start "$tmp/nginx" "$tmp/www"
dead=$(origin_dead_port)

"$bin/blackhole" >"$tmp/hole.port" &
hole_pid=$!
i=0
while [ ! -s "$tmp/hole.port" ] && [ $i -lt 50 ]; do
	sleep 0.1 2>/dev/null || sleep 1
	i=$((i + 1))
done
hole=$(cat "$tmp/hole.port")
[ -n "$hole" ] || {
	echo "nagios.sh: blackhole did not start" >&2
	exit 1
}
echo "nagios.sh: origin http://127.0.0.1:$ORIGIN_PORT, dead port $dead," \
	"blackhole port $hole" >&2

mkdir -p "$tmp/work"
PROBER="$PROBER" ORIGIN="http://127.0.0.1:$ORIGIN_PORT" \
	DEAD="http://127.0.0.1:$dead/ts/master.m3u8" \
	BLACKHOLE="http://127.0.0.1:$hole/ts/master.m3u8" \
	WORK="$tmp/work" "$bin/test_nagios_integration"
