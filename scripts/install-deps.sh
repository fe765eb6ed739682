#!/bin/sh
# Installs the Debian packages prober needs to build, test and run its demo.
# As root: installs what is missing. Otherwise: prints the exact apt-get line
# and fails, so `make check` never runs half-equipped.
set -eu

PKGS="make gcc pkg-config libcurl4-openssl-dev libavformat-dev libavcodec-dev
libavutil-dev libjansson-dev libcmocka-dev libxml2-dev ffmpeg nginx-light curl
ca-certificates procps openssl libmicrohttpd-dev zlib1g-dev icinga2-bin
clang libclang-rt-14-dev clang-format cppcheck valgrind"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "prober: missing Debian packages; install them with:" >&2
	echo "  sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "prober: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
