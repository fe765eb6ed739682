# fault.sh - the set-up every fault-origin integration suite shares.
#
# Sourced (POSIX sh) by tests/integration/{scenarios,origins,segments}.sh,
# which `make integration` calls with PROBER (absolute path of the binary)
# and O (the build folder).
#
#   fault_suite WHO SUITE  checks that PROBER, the fault origin and the
#                          suite's cmocka driver O/tests/SUITE are built;
#                          sets here, bdir, fo, suite and tmp (a temp folder
#                          removed at exit, kept with KEEP=1); on any exit
#                          stops every origin fault_start started
#   fault_start NAME ARGS...  starts tests/server/fault_origin (with ARGS)
#                          serving $tmp/www on a port of its choice; sets
#                          PORT once it has said it listens
#
# WHO names the suite in messages. The origins only ever listen on
# 127.0.0.1 (fault_origin's own rule).

fault_suite() {
	who=$1
	: "${PROBER:?PROBER must name the prober binary}"
	: "${O:=build}"
	here=$(cd "$(dirname "$0")/../.." && pwd)
	case $O in
	/*) bdir=$O ;;
	*) bdir="$here/$O" ;;
	esac
	fo="$bdir/tests/fault_origin"
	suite="$bdir/tests/$2"
	for f in "$PROBER" "$fo" "$suite"; do
		[ -x "$f" ] || {
			echo "$who: $f is not built" >&2
			exit 1
		}
	done
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/prober-$who.XXXXXX")
	fault_pids=""
	trap fault_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

fault_cleanup() {
	for p in $fault_pids; do
		kill "$p" 2>/dev/null || :
	done
	for p in $fault_pids; do
		wait "$p" 2>/dev/null || :
	done
	if [ "${KEEP:-0}" = 1 ]; then
		echo "$who: kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}

fault_start() {
	fname=$1
	shift
	"$fo" "$@" "$tmp/www" >"$tmp/$fname.port" 2>"$tmp/$fname.log" &
	fpid=$!
	fault_pids="$fault_pids $fpid"
	i=0
	# A gzip bomb (-g) is built before the port is printed: a few seconds.
	while [ ! -s "$tmp/$fname.port" ]; do
		kill -0 "$fpid" 2>/dev/null || {
			echo "$who: origin $fname died:" >&2
			cat "$tmp/$fname.log" >&2
			exit 1
		}
		i=$((i + 1))
		[ $i -lt 600 ] || {
			echo "$who: origin $fname did not start" >&2
			exit 1
		}
		sleep 0.1
	done
	PORT=$(head -n 1 "$tmp/$fname.port")
}
