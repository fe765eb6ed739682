#!/bin/sh
# icinga_zones.sh - Debian's Icinga 2 validates the distributed setup
# (contrib/icinga2/distributed/) as the master and as each satellite loads
# it, with `icinga2 daemon -C` (check the config and exit: no daemon, no
# port, no API; nothing outside one temp folder is written).
#
# Called by `make integration` with PROBER (absolute path of the binary),
# linked as PluginDir/check_video_stream. Installs the tree as its comments
# say (zones.d/* and the CheckCommand, ../check_video_stream.conf, into
# global-templates) in a temporary config folder, then:
#   master      zones.conf + zones.d: both vantage hosts, the service on
#               each, no warning (a zones.d folder of an unknown zone is
#               only a warning: "Ignoring directory")
#   satellites  zones.conf + what the master syncs to that satellite (its
#               zone and the global zone, under DataDir/api/zones/ZONE/_etc,
#               where Icinga 2.13 keeps a synced zone): its own host and
#               service only
#   control     the master without the CheckCommand must fail: the services
#               and their check_command are really checked
# Skipped when icinga2 is not installed (Debian icinga2-bin). Separate from
# icinga.sh's instance: its own folders, and it binds nothing.
set -eu

: "${PROBER:?PROBER must name the prober binary}"
here=$(cd "$(dirname "$0")/../.." && pwd)
dist="$here/contrib/icinga2/distributed"
[ -x "$PROBER" ] || {
	echo "icinga_zones.sh: $PROBER is not executable" >&2
	exit 1
}
if ! command -v icinga2 >/dev/null 2>&1; then
	echo "icinga_zones.sh: SKIP: icinga2 not installed (Debian" \
		"icinga2-bin); the distributed setup was not validated" >&2
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/prober-icinga-zones.XXXXXX")
cleanup() {
	if [ "${KEEP:-0}" = 1 ]; then
		echo "icinga_zones.sh: kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
	echo "icinga_zones.sh: FAIL: $*" >&2
	exit 1
}

# The endpoint of each zone, from zones.conf itself.
endpoint_of() {
	sed -n "/^object Zone \"$1\"/,/^}/s/.*endpoints = \[ \"\([^\"]*\)\".*/\1/p" \
		"$dist/zones.conf"
}

# node NAME: a config folder NAME as a node would have it: icinga2.conf
# including the ITL and zones.conf, PluginDir with the plugin, and every
# folder Icinga writes to.
node() {
	_d="$tmp/$1"
	mkdir -p "$_d/plugins" "$_d/zones.d" "$_d/var" "$_d/log" \
		"$_d/cache" "$_d/spool" "$_d/run"
	ln -s "$PROBER" "$_d/plugins/check_video_stream"
	cp "$dist/zones.conf" "$_d/zones.conf"
	cat >"$_d/icinga2.conf" <<EOF
const PluginDir = "$_d/plugins"
include <itl>
include "zones.conf"
EOF
}

# validate NAME ENDPOINT ZONE: `icinga2 daemon -C` of node NAME as ENDPOINT
# in ZONE; its output in NAME.out, its exit status returned.
validate() {
	_d="$tmp/$1"
	_rc=0
	icinga2 daemon -C -c "$_d/icinga2.conf" \
		-DNodeName="$2" -DZoneName="$3" -DZonesDir="$_d/zones.d" \
		-DDataDir="$_d/var" -DLogDir="$_d/log" -DCacheDir="$_d/cache" \
		-DSpoolDir="$_d/spool" -DInitRunDir="$_d/run" \
		-DRunAsUser="$(id -un)" -DRunAsGroup="$(id -gn)" \
		>"$tmp/$1.out" 2>&1 || _rc=$?
	return $_rc
}

# expect NAME WHAT COUNT: node NAME's validation instantiated COUNT WHAT
# (Host, Service: Icinga says "1 Host.", "2 Hosts.").
expect() {
	grep -Eq "information/ConfigItem: Instantiated $3 $2s?\.\$" \
		"$tmp/$1.out" ||
		fail "$1: expected $3 $2(s): $(cat "$tmp/$1.out")"
}

# clean NAME: validation of NAME passed with no warning or error logged.
clean() {
	validate "$@" || fail "$1: icinga2 daemon -C failed: $(cat "$tmp/$1.out")"
	_bad=$(grep -E '(warning|critical)/' "$tmp/$1.out" || :)
	[ -z "$_bad" ] || fail "$1: Icinga warned: $_bad"
}

master=$(endpoint_of master)
[ -n "$master" ] || fail "no endpoint of zone master in zones.conf"

# ---- master: zones.d as installed ----
node master
cp -r "$dist/zones.d/." "$tmp/master/zones.d/"
cp "$here/contrib/icinga2/check_video_stream.conf" \
	"$tmp/master/zones.d/global-templates/"
clean master "$master" master
expect master Host 2
expect master Service 2
zones=""
for d in "$dist"/zones.d/*/; do
	z=$(basename "$d")
	[ "$z" = global-templates ] || zones="$zones $z"
done
echo "icinga_zones.sh: ok: master: vantage zones$zones" >&2

# ---- each satellite: zones.conf + its zone and the global zone ----
for z in $zones; do
	ep=$(endpoint_of "$z")
	[ -n "$ep" ] || fail "zones.d/$z: no Zone \"$z\" with an endpoint in zones.conf"
	node "sat-$z"
	for src in "$z" global-templates; do
		mkdir -p "$tmp/sat-$z/var/api/zones/$src/_etc"
		cp -r "$tmp/master/zones.d/$src/." \
			"$tmp/sat-$z/var/api/zones/$src/_etc/"
	done
	clean "sat-$z" "$ep" "$z"
	expect "sat-$z" Host 1
	expect "sat-$z" Service 1
	echo "icinga_zones.sh: ok: satellite $ep (zone $z)" >&2
done

# ---- control: without the CheckCommand, the services are rejected ----
node control
cp -r "$dist/zones.d/." "$tmp/control/zones.d/"
if validate control "$master" master; then
	fail "control: validated without the CheckCommand: nothing is checked"
fi
grep -q "Object 'video_stream' of type 'CheckCommand' does not exist" \
	"$tmp/control.out" ||
	fail "control: not the expected error: $(cat "$tmp/control.out")"

echo "icinga_zones.sh: ok: Icinga 2 validates contrib/icinga2/distributed" \
	"as the master and each satellite" >&2
