#!/bin/sh
# icinga.sh - the real Icinga 2 runs the shipped CheckCommand
# (contrib/icinga2/check_video_stream.conf) against a local origin.
#
# Called by `make integration` with PROBER (absolute path of the binary).
# Serves the generated HLS ladder with nginx on 127.0.0.1
# (scripts/origin.sh) and starts `icinga2 daemon` in the foreground, as a
# child of this script, with a config of its own: the shipped CheckCommand,
# PluginDir holding a check_video_stream link to PROBER, one host and
#   healthy   one origin that plays                     -> OK
#   degraded  that origin and a refused one, 1 of 2     -> WARNING
#   pathstyle -u PATH with the host's -H name, -I address, -p -> OK
#   control   a command whose perfdata is "bad=U"       (see below)
# checked every second. Icinga's PerfdataWriter records each result's state
# and perfdata; an InfluxdbWriter (pointed at a refused port, flushing only
# at exit) runs every result's perfdata through Icinga's own parser, which
# logs "Ignoring invalid perfdata" for what it rejects: the control service
# proves that it does, and our services must not trigger it. No API
# listener: Icinga binds nothing. All of Icinga's paths (data, log, cache,
# spool, run) are in one temp folder removed at exit; Icinga and nginx are
# stopped on any exit. Skipped when icinga2 is not installed (Debian
# icinga2-bin).
set -eu

: "${PROBER:?PROBER must name the prober binary}"
here=$(cd "$(dirname "$0")/../.." && pwd)
[ -x "$PROBER" ] || {
	echo "icinga.sh: $PROBER is not executable" >&2
	exit 1
}
if ! command -v icinga2 >/dev/null 2>&1; then
	echo "icinga.sh: SKIP: icinga2 not installed (Debian icinga2-bin);" \
		"the CheckCommand was not run by Icinga" >&2
	exit 0
fi

# Bounds, seconds: for results of both services, for Icinga to stop.
: "${ICINGA_WAIT:=30}"
ICINGA_STOP_WAIT=10

# shellcheck source=../../scripts/origin.sh
. "$here/scripts/origin.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/prober-icinga.XXXXXX")
ic="$tmp/icinga"
icinga_pid=""

# icinga_descendants PID: the processes under PID (Icinga's umbrella
# process runs the daemon, which runs a process spawn helper and plugins).
icinga_descendants() {
	ps -eo pid=,ppid= | awk -v root="$1" '
		{ parent[$1] = $2 }
		END {
			for (p in parent) {
				q = parent[p]
				while (q != root && q in parent && q > 1)
					q = parent[q]
				if (q == root)
					print p
			}
		}'
}

# icinga_stop: SIGTERM to the daemon started here, which stops its own
# processes; SIGKILL to whichever of them (listed before) still runs after
# ICINGA_STOP_WAIT.
icinga_stop() {
	[ -n "$icinga_pid" ] || return 0
	_procs="$icinga_pid $(icinga_descendants "$icinga_pid" | tr '\n' ' ')"
	kill -TERM "$icinga_pid" 2>/dev/null || :
	_i=0
	while :; do
		_alive=""
		for _p in $_procs; do
			kill -0 "$_p" 2>/dev/null && _alive="$_alive $_p"
		done
		[ -n "$_alive" ] || break
		[ $_i -lt $((ICINGA_STOP_WAIT * 10)) ] || break
		sleep 0.1 2>/dev/null || sleep 1
		_i=$((_i + 1))
	done
	for _p in $_alive; do
		kill -KILL "$_p" 2>/dev/null || :
	done
	wait "$icinga_pid" 2>/dev/null || :
	icinga_pid=""
}

cleanup() {
	icinga_stop || :
	origin_stop "$tmp/nginx" || :
	if [ "${KEEP:-0}" = 1 ]; then
		echo "icinga.sh: kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
	echo "icinga.sh: FAIL: $*" >&2
	for _f in "$ic/daemon.out" "$ic/log/icinga2.log"; do
		[ -s "$_f" ] || continue
		echo "---- $_f (last 40 lines)" >&2
		tail -n 40 "$_f" >&2
	done
	exit 1
}

# ---- origin ----

echo "icinga.sh: generating media in $tmp/www" >&2
origin_media_ts "$tmp/www"
origin_start "$tmp/nginx" "$tmp/www"
dead=$(origin_dead_port)
# The InfluxdbWriter's port: refused too, and only tried at exit.
influx=$(origin_dead_port)
good="http://127.0.0.1:$ORIGIN_PORT/ts/master.m3u8"
bad="http://127.0.0.1:$dead/ts/master.m3u8"
echo "icinga.sh: origin $good, dead port $dead" >&2

# ---- Icinga 2 ----

mkdir -p "$ic/plugins" "$ic/var" "$ic/log" "$ic/cache" "$ic/spool/tmp" \
	"$ic/run"
ln -s "$PROBER" "$ic/plugins/check_video_stream"
cat >"$ic/icinga2.conf" <<EOF
const PluginDir = "$ic/plugins"
include <itl>
include "$here/contrib/icinga2/check_video_stream.conf"

object FileLogger "main-log" {
	severity = "notice"
	path = "$ic/log/icinga2.log"
}
object FileLogger "debug-log" {
	severity = "debug"
	path = "$ic/log/debug.log"
}
object CheckerComponent "checker" { }
object PerfdataWriter "perfdata" {
	host_perfdata_path = "$ic/spool/host-perfdata"
	service_perfdata_path = "$ic/spool/service-perfdata"
	host_temp_path = "$ic/spool/tmp/host-perfdata"
	service_temp_path = "$ic/spool/tmp/service-perfdata"
	service_format_template = "SERVICE::\$service.name\$\tSTATE::\$service.state\$\tPERFDATA::\$service.perfdata\$"
	rotation_interval = 1s
}
object InfluxdbWriter "influxdb" {
	host = "127.0.0.1"
	port = $influx
	database = "icinga"
	flush_threshold = 1000000
	flush_interval = 1h
}

object CheckCommand "perf_control" {
	command = [ "/bin/echo", "CONTROL OK | bad=U" ]
}

object Host "origin" {
	address = "127.0.0.1"
	check_command = "dummy"
	check_interval = 1h
}
template Service "video" {
	host_name = "origin"
	check_command = "video_stream"
	check_interval = 1s
	retry_interval = 1s
	max_check_attempts = 1
	check_timeout = 20s
	vars.video_stream_timeout = "10"
	vars.video_stream_renditions = "lowest"
	vars.video_stream_name = name
}
object Service "healthy" {
	import "video"
	vars.video_stream_url = [ "$good" ]
}
object Service "degraded" {
	import "video"
	vars.video_stream_url = [ "$good", "$bad" ]
	vars.video_stream_origin_name = [ "good", "bad" ]
}
// check_curl style: a path joined with the host's name (-H origin) and
// address (-I 127.0.0.1, pinned to that name) and -p.
object Service "pathstyle" {
	import "video"
	vars.video_stream_url = "/ts/master.m3u8"
	vars.video_stream_port = $ORIGIN_PORT
}
object Service "control" {
	host_name = "origin"
	check_command = "perf_control"
	check_interval = 1s
	retry_interval = 1s
	max_check_attempts = 1
}
EOF

icinga2 daemon -c "$ic/icinga2.conf" \
	-DDataDir="$ic/var" -DLogDir="$ic/log" -DCacheDir="$ic/cache" \
	-DSpoolDir="$ic/spool" -DInitRunDir="$ic/run" \
	-DRunAsUser="$(id -un)" -DRunAsGroup="$(id -gn)" \
	>"$ic/daemon.out" 2>&1 &
icinga_pid=$!
echo "icinga.sh: icinga2 daemon started (pid $icinga_pid)" >&2

# The PerfdataWriter rotates its file out every second, named after the
# second: one rotated in the same second as the previous one (at exit)
# replaces it. So every poll gathers what is there into $tmp/recorded.
collect() {
	cat "$tmp/recorded" "$ic/spool/service-perfdata".* 2>/dev/null |
		sort -u >"$tmp/recorded.new" || :
	mv "$tmp/recorded.new" "$tmp/recorded"
}

# results SERVICE: the lines recorded for SERVICE, one per check result.
results() {
	grep "^SERVICE::$1	" "$tmp/recorded" 2>/dev/null || :
}

# parsed SERVICE: the metrics Icinga's parser made of SERVICE's perfdata
# (the InfluxdbWriter's debug lines "adds to metric list").
parsed() {
	grep "Checkable 'origin!$1' adds to metric list:" "$ic/log/debug.log" \
		2>/dev/null || :
}

# Icinga rejects the control's perfdata, in the InfluxdbWriter.
rejected="Ignoring invalid perfdata for checkable 'origin!control'"

# Until every service has a result and Icinga's parser has seen them.
i=0
while :; do
	kill -0 "$icinga_pid" 2>/dev/null || fail "icinga2 exited"
	collect
	if [ -n "$(results healthy)" ] && [ -n "$(results degraded)" ] &&
		[ -n "$(results pathstyle)" ] && [ -n "$(parsed pathstyle)" ] &&
		[ -n "$(results control)" ] &&
		[ -n "$(parsed healthy)" ] && [ -n "$(parsed degraded)" ] &&
		grep -q "$rejected" "$ic/log/icinga2.log" 2>/dev/null; then
		break
	fi
	[ $i -lt $((ICINGA_WAIT * 10)) ] ||
		fail "no result of every service within $ICINGA_WAIT s"
	sleep 0.1 2>/dev/null || sleep 1
	i=$((i + 1))
done
echo "icinga.sh: results after $((i / 10)) s" >&2
icinga_stop

# ---- what Icinga recorded ----

# expect SERVICE STATE: every result Icinga recorded for SERVICE is STATE,
# with a time to first frame in seconds (ttff_LABEL=VALUEs) in its
# perfdata, which Icinga's parser read with its unit. ($service.output$
# is left out of the record: it holds the long output's newlines.)
expect() {
	results "$1" >"$tmp/$1.results"
	[ -s "$tmp/$1.results" ] || fail "$1: no result recorded"
	echo "icinga.sh: $1: $(wc -l <"$tmp/$1.results") result(s), e.g.:" >&2
	head -n 1 "$tmp/$1.results" >&2
	_other=$(grep -v "	STATE::$2	" "$tmp/$1.results" || :)
	[ -z "$_other" ] ||
		fail "$1: expected state $2, Icinga recorded: $_other"
	_nottf=$(grep -Ev "	PERFDATA::(.* )?'?ttff_[^=]*=[0-9][0-9.]*s(;| |\$)" \
		"$tmp/$1.results" || :)
	[ -z "$_nottf" ] ||
		fail "$1: no ttff_ metric in seconds in the perfdata: $_nottf"
	parsed "$1" | grep -q "metric=ttff_[^ ]* unit=\"seconds\",value=" ||
		fail "$1: Icinga's parser did not read ttff_ in seconds:" \
			"$(parsed "$1")"
}
expect healthy OK
expect degraded WARNING
expect pathstyle OK
# --origin-name gives the labels.
grep -q "PERFDATA::.*ttff_good=" "$tmp/degraded.results" ||
	fail "degraded: no ttff_good label: $(head -n 1 "$tmp/degraded.results")"

log="$ic/log/icinga2.log"
# The check is real: Icinga's parser does reject invalid perfdata ("U").
grep -q "$rejected" "$log" ||
	fail "Icinga accepted the control's 'bad=U': the perfdata check proves nothing"
# Nothing else went wrong: no warning or error, but the control's and the
# InfluxdbWriter's own at exit (its port is refused on purpose).
bad_lines=$(grep -E '^\[[^]]*\] (warning|critical)/' "$log" |
	grep -v "$rejected" |
	grep -Ev "warning/InfluxdbWriter: (Can't connect to InfluxDB|Flush failed, cannot connect to InfluxDB)" ||
	:)
[ -z "$bad_lines" ] || fail "Icinga logged: $bad_lines"
# No "Cannot ..." for our command or plugin, whatever its severity.
bad_lines=$(grep -iE "cannot|can't|invalid|ignoring" "$log" \
	"$ic/log/debug.log" |
	grep -E "video_stream|origin!(healthy|degraded|pathstyle)|$ic/plugins" || :)
[ -z "$bad_lines" ] || fail "Icinga logged: $bad_lines"

echo "icinga.sh: ok: Icinga 2 ran check_video_stream: healthy OK," \
	"degraded WARNING, check_curl-style path OK, perfdata accepted" >&2
