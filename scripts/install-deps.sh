#!/bin/sh
# Installs the Debian packages prober needs to build, test and run its demo.
# As root: installs what is missing. Otherwise: prints the exact commands
# and fails, so `make check` never runs half-equipped.
set -eu

PKGS="make gcc pkg-config libcurl4-openssl-dev libavformat-dev libavcodec-dev
libavutil-dev libswscale-dev libjansson-dev libcmocka-dev libxml2-dev ffmpeg nginx-light curl
ca-certificates procps openssl libmicrohttpd-dev zlib1g-dev icinga2-bin
clang libclang-rt-14-dev clang-format cppcheck valgrind locales
libmicrohttpd12 prometheus prometheus-blackbox-exporter man-db groff-base
libsqlite3-dev sqlite3 chromium"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
# A locale whose decimal separator is a comma: the test that perfdata never
# prints one (Icinga 2 rejects "0,5s") needs it.
has_locale() {
	locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\{0,1\}8$'
}
[ -z "$missing" ] && has_locale && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "prober: missing Debian packages or the de_DE.UTF-8 locale; as root:" >&2
	[ -n "$missing" ] && echo "  apt-get install -y$missing" >&2
	has_locale || echo "  localedef -i de_DE -f UTF-8 de_DE.UTF-8" >&2
	exit 1
fi
if [ -n "$missing" ]; then
	echo "prober: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
has_locale || localedef -i de_DE -f UTF-8 de_DE.UTF-8
