#!/bin/sh
# install.sh - `make install` into a DESTDIR, then `make uninstall` back to
# a tree with no file left; the man pages render without a warning.
#
# Called by `make integration` with PROBER and O. Installs with a PREFIX
# of its own and a PLUGINDIR, runs what it installed (prober --version,
# the plugin link's -V), checks that the contrib files name the install's
# paths, and that `man -l` (groff with warnings on) finds nothing to say
# about each page, while it does about a broken copy.
set -eu

: "${PROBER:?PROBER must name the prober binary}"
: "${O:=build}"
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prober-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() {
	echo "install.sh: FAIL: $*" >&2
	exit 1
}

# ---- man pages ----
command -v man >/dev/null 2>&1 || fail "man (Debian man-db) is not installed"
# manwarn PAGE: groff's warnings about PAGE (empty when none).
manwarn() {
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$1" 2>&1 \
		>/dev/null || echo "man failed on $1"
}
for page in "$here"/man/*.[15]; do
	w=$(manwarn "$page")
	[ -z "$w" ] || fail "$page: $w"
	LC_ALL=C.UTF-8 MANWIDTH=80 man -E UTF-8 -l "$page" 2>/dev/null |
		grep -q "SEE ALSO" || fail "$page renders no SEE ALSO section"
done
# The check can fail: a page with an unknown macro warns.
sed 's/^\.SH DESCRIPTION/.BOGUS\n.SH DESCRIPTION/' "$here/man/prober.1" \
	>"$tmp/broken.1"
[ -n "$(manwarn "$tmp/broken.1")" ] ||
	fail "man -l has no warning for a broken page: the check proves nothing"

# ---- install ----
dest="$tmp/root"
prefix=/opt/prober-test
plugins=/usr/lib/nagios/plugins
make -s -C "$here" install O="$O" PROBER="$PROBER" DESTDIR="$dest" \
	PREFIX="$prefix" PLUGINDIR="$plugins" >"$tmp/install.log" 2>&1 || {
	cat "$tmp/install.log" >&2
	fail "make install"
}
for f in bin/prober bin/check_video_stream share/man/man1/prober.1 \
	share/man/man1/check_video_stream.1 share/man/man5/prober-probe.5 \
	share/doc/prober/README.md share/doc/prober/examples/news-live.json \
	share/prober/contrib/systemd/prober.service \
	share/prober/contrib/systemd/prober.timer \
	share/prober/contrib/cron/prober.crontab \
	share/prober/contrib/icinga2/check_video_stream.conf \
	share/prober/contrib/nagios/check_video_stream.cfg \
	share/bash-completion/completions/prober; do
	[ -e "$dest$prefix/$f" ] || fail "not installed: $prefix/$f"
done
"$dest$prefix/bin/prober" --version | grep -q '^prober [0-9]' ||
	fail "the installed prober has no --version"
# The links name the installed binary (without DESTDIR, as it will run).
[ "$(readlink "$dest$plugins/check_video_stream")" = "$prefix/bin/prober" ] ||
	fail "PLUGINDIR link: $(readlink "$dest$plugins/check_video_stream")"
set +e
"$dest$prefix/bin/check_video_stream" -V >"$tmp/v.out"
rc=$?
set -e
[ $rc -eq 3 ] && grep -q '^check_video_stream (prober) ' "$tmp/v.out" ||
	fail "check_video_stream -V: exit $rc, $(cat "$tmp/v.out")"
unit="$dest$prefix/share/prober/contrib/systemd/prober.service"
grep -q "^ExecStart=$prefix/bin/prober run --probes /etc/prober/probes --results /var/lib/prober/results" "$unit" ||
	fail "prober.service does not run $prefix/bin/prober on the common paths"
grep -q "file://$prefix/share/doc/prober/README.md" "$unit" ||
	fail "prober.service's Documentation= is not the installed README"
grep -q '^RandomizedDelaySec=' "$dest$prefix/share/prober/contrib/systemd/prober.timer" ||
	fail "prober.timer has no RandomizedDelaySec"
bash -n "$dest$prefix/share/bash-completion/completions/prober" ||
	fail "the bash completion does not parse"
# The installed page is the one man finds by name.
LC_ALL=C.UTF-8 MANPATH="$dest$prefix/share/man" man -w prober-probe \
	>/dev/null 2>&1 || fail "man does not find the installed prober-probe(5)"

# ---- uninstall ----
make -s -C "$here" uninstall O="$O" PROBER="$PROBER" DESTDIR="$dest" \
	PREFIX="$prefix" PLUGINDIR="$plugins" >"$tmp/uninstall.log" 2>&1 || {
	cat "$tmp/uninstall.log" >&2
	fail "make uninstall"
}
left=$(find "$dest" ! -type d)
[ -z "$left" ] || fail "left after uninstall: $left"
[ ! -d "$dest$prefix/share/prober" ] && [ ! -d "$dest$prefix/share/doc/prober" ] ||
	fail "prober's own folders left after uninstall"
echo "install.sh: ok: install into DESTDIR, man pages without warnings," \
	"uninstall to an empty tree" >&2
