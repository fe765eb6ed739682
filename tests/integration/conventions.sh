#!/bin/sh
# conventions.sh - what every face promises its user, against a fault
# origin that logs every request it gets (fault_origin -v):
#
#   1. every usage error of every face (check, manifest, the plugin as
#      `prober nagios` and as check_video_stream, run) exits 3, before any
#      request reaches the origin; a valid command line afterwards does
#      reach it (the count is real);
#   2. headers_command and url_command: a small script signs an expiring
#      HMAC token that the origin checks (fault_origin's token behaviour):
#      fresh token pass, expired or missing 403, a failing program is the
#      origin's command_failed with its exit status and stderr, and the
#      token never appears in what prober writes.
#
# Called by `make integration` with PROBER and O (fault_origin built).
set -eu

# shellcheck source=../../scripts/fault.sh
. "$(cd "$(dirname "$0")/../.." && pwd)/scripts/fault.sh"
# No cmocka driver of its own: the origin is the only tool it needs.
fault_suite conventions.sh fault_origin
# shellcheck source=../../scripts/origin.sh
. "$here/scripts/origin.sh"

fail() {
	echo "conventions.sh: FAIL: $*" >&2
	exit 1
}

key="k-$$-secret"
printf '%s' "$key" >"$tmp/key"
mkdir -p "$tmp/www"
echo "conventions.sh: generating media" >&2
origin_ffmpeg_ladder "$tmp/www/ts" 1 -hls_segment_filename 'v%v/seg%d.ts'
fault_start fo -v -k "$key"
base="http://127.0.0.1:$PORT"
u="$base/ts/master.m3u8"
log="$tmp/fo.log"

requests() {
	grep -c '^fault_origin: GET ' "$log" 2>/dev/null || :
}

# ---- 1. usage errors: exit 3, no request ----

# A bad probe file: valid JSON, an impossible pin.
cat >"$tmp/bad.json" <<EOF
{ "origins": [ { "name": "a", "url": "$u",
  "resolve": [ "garbage" ] } ] }
EOF
cat >"$tmp/badcmd.json" <<EOF
{ "origins": [ { "name": "a", "url": "$u",
  "headers_command": [ "$tmp/no-such-program" ] } ] }
EOF
ln -s "$PROBER" "$tmp/check_video_stream"
nl='
'
ctl=$(printf '\001')
n=0
# usage_error ARGS...: the command must exit 3 (stdout and stderr kept).
usage_error() {
	n=$((n + 1))
	set +e
	"$@" >"$tmp/u.out" 2>"$tmp/u.err"
	rc=$?
	set -e
	[ $rc -eq 3 ] || {
		cat "$tmp/u.out" "$tmp/u.err" >&2
		fail "exit $rc, expected 3: $*"
	}
}
# usage_said WORDS: the last usage error's message named them.
usage_said() {
	grep -qF -- "$1" "$tmp/u.out" "$tmp/u.err" ||
		fail "message does not say '$1': $(cat "$tmp/u.out" "$tmp/u.err")"
}

P=$PROBER
usage_error "$P" check --resolve garbage "$u"
usage_said "--resolve: expected HOST:PORT:ADDRESS"
usage_error "$P" check --cacert "$tmp/missing.pem" "$u"
usage_said "--cacert: expected a readable CA certificate file"
usage_error "$P" check -H "no colon" "$u"
usage_said "--header: expected 'Name: value'"
usage_error "$P" check -H "Bad Name: x" "$u"
usage_error "$P" check --user-agent "a${ctl}b" "$u"
usage_said "--user-agent"
usage_error "$P" check --frames 0 "$u"
usage_error "$P" check --timeout abc "$u"
usage_error "$P" check --renditions sideways "$u"
usage_error "$P" check --segments 0 "$u"
usage_error "$P" check --decode some "$u"
usage_error "$P" check --min-healthy 2 "$u"
usage_error "$P" check --name "two words" "$u"
usage_error "$P" check --bogus "$u"
usage_error "$P" check "ftp://127.0.0.1:$PORT/x"
usage_error "$P" check
usage_error "$P" check --probe "$tmp/missing.json"
usage_said "missing.json"
usage_error "$P" check --probe "$tmp/bad.json"
usage_said "origins[0].resolve[0]"
usage_error "$P" check --probe "$tmp/badcmd.json"
usage_said "origins[0].headers_command"
usage_error "$P" check --probe "$tmp/bad.json" "$u"
usage_error "$P" manifest --resolve garbage "$u"
usage_said "--resolve"
usage_error "$P" manifest --cacert "$tmp/missing.pem" "$u"
usage_error "$P" manifest -H "nocolon" "$u"
usage_error "$P" manifest --timeout 0 "$u"
usage_error "$P" manifest --base "not a url" "$u"
usage_error "$P" manifest --bogus "$u"
usage_error "$P" manifest "$u" "$u"
for plugin in "$P nagios" "$tmp/check_video_stream"; do
	# shellcheck disable=SC2086
	set -- $plugin
	usage_error "$@" -u "$u" --resolve garbage
	usage_said "VIDEO UNKNOWN - --resolve: expected"
	usage_error "$@" -u "$u" --ca-cert "$tmp/missing.pem"
	usage_said "VIDEO UNKNOWN - --ca-cert"
	usage_error "$@" -u "$u" -k "nocolon"
	usage_error "$@" -u "$u" -A "a${nl}b"
	usage_error "$@" -u "$u" -w 10:5
	usage_error "$@" -u "$u" --lag-critical x
	usage_error "$@" -u "$u" --age-warning 5:1
	usage_error "$@" -u "$u" --stale-warn-factor 0
	usage_error "$@" -u "$u" -t 0
	usage_error "$@" -u "$u" --min-healthy 2
	usage_error "$@" -u /ts/master.m3u8
	usage_said "give -H or -I"
	usage_error "$@" -H 127.0.0.1 -p 0 -u /ts/master.m3u8
	usage_error "$@" -H cdn.example -I "not an ip!" -u /ts/master.m3u8
	usage_error "$@" -u "$u" -u "$u" --origin-name a
	usage_error "$@" -u "$u" -u "$u" --origin-name a --origin-name a
	usage_error "$@" -u "$u" --origin-name "a b"
	usage_error "$@" -P "$tmp/missing.json"
	usage_error "$@" -P "$tmp/bad.json"
	usage_error "$@" -P "$tmp/bad.json" -H 127.0.0.1
	usage_error "$@" -u "$u" --bogus
	usage_error "$@"
done
usage_error "$P" run --jobs 0 --probes "$tmp" --results "$tmp/res"
usage_error "$P" run --probes "$tmp/no-such-dir" --results "$tmp/res"
usage_error "$P" run --bogus
usage_error "$P" nosuchcommand
usage_error "$P" help nosuchcommand
got=$(requests)
[ "$got" -eq 0 ] || fail "$got request(s) reached the origin during $n usage errors"
echo "conventions.sh: ok: $n usage errors, all exit 3, no request" >&2

# The count is real: a valid command line does reach the origin.
"$P" check --renditions lowest "$u" >/dev/null
[ "$(requests)" -gt 0 ] || fail "a valid check made no request: the count proves nothing"

# ---- 2. expiring tokens: headers_command and url_command ----

# sign.sh MODE TTL KEYFILE: an X-Token header (MODE header) or the
# origin's URL signed in its query (MODE url), valid TTL seconds from now,
# EXP.HMAC-SHA256(KEY, EXP) as CDNs' tokens are made.
cat >"$tmp/sign.sh" <<'EOF'
#!/bin/sh
set -eu
exp=$(($(date +%s) + $2))
sig=$(printf '%s' "$exp" | openssl dgst -sha256 -hmac "$(cat "$3")" |
	sed 's/^.*= *//')
case $1 in
header) echo "X-Token: $exp.$sig" ;;
url) echo "$PROBER_URL?token=$exp.$sig" ;;
*) echo "sign.sh: no key for mode $1" >&2; exit 4 ;;
esac
EOF
chmod +x "$tmp/sign.sh"

# probe NAME URL KEY VALUE: a probe file of one origin.
probe() {
	cat >"$tmp/$1.json" <<EOF
{ "name": "$1", "renditions": "lowest", "timeout_s": 20,
  "origins": [ { "name": "cdn", "url": "$2" $3 } ] }
EOF
}
tok="$base/token/ts/master.m3u8"
probe fresh "$tok" ", \"headers_command\": [ \"$tmp/sign.sh\", \"header\", \"300\", \"$tmp/key\" ]"
probe expired "$tok" ", \"headers_command\": [ \"$tmp/sign.sh\", \"header\", \"-60\", \"$tmp/key\" ]"
probe missing "$tok" ""
probe signed "$base/token@master/ts/master.m3u8" ", \"url_command\": [ \"$tmp/sign.sh\", \"url\", \"300\", \"$tmp/key\" ]"
probe broken "$tok" ", \"headers_command\": [ \"$tmp/sign.sh\", \"nope\", \"300\", \"$tmp/key\" ]"

# check NAME STATUS: prober check --json on the probe exits STATUS; the
# record is in $tmp/NAME.out.
check() {
	set +e
	"$P" check --json --probe "$tmp/$1.json" >"$tmp/$1.out" 2>"$tmp/$1.err"
	rc=$?
	set -e
	[ $rc -eq "$2" ] || {
		cat "$tmp/$1.out" "$tmp/$1.err" >&2
		fail "$1: exit $rc, expected $2"
	}
}
check fresh 0
check expired 2
grep -q '"http_status":403' "$tmp/expired.out" ||
	fail "expired: no 403 in the record: $(cat "$tmp/expired.out")"
check missing 2
grep -q '"http_status":403' "$tmp/missing.out" || fail "missing: no 403"
check signed 0
check broken 2
grep -q '"command_failed"' "$tmp/broken.out" ||
	fail "broken: no command_failed: $(cat "$tmp/broken.out")"
grep -q "exit status 4: sign.sh: no key for mode nope" "$tmp/broken.out" ||
	fail "broken: the message lacks the exit status and stderr"
# The tokens the origin accepted are nowhere in what prober wrote.
for f in fresh signed; do
	sigs=$(grep -o '[0-9]\{10\}\.[0-9a-f]\{64\}' "$tmp/$f.out" || :)
	[ -z "$sigs" ] || fail "$f: a token in the record: $sigs"
done
grep -q "REDACTED" "$tmp/signed.out" ||
	fail "signed: the signed URL's query is not redacted"
echo "conventions.sh: ok: headers_command and url_command tokens" >&2

# ---- 3. prober run: a bad file is named, the valid ones run; --results - ----

mkdir -p "$tmp/fleet" "$tmp/t"
cp "$tmp/fresh.json" "$tmp/signed.json" "$tmp/fleet/"
cp "$tmp/bad.json" "$tmp/fleet/typo.json"
set +e
TMPDIR="$tmp/t" "$P" run --probes "$tmp/fleet" --results - \
	>"$tmp/run.out" 2>"$tmp/run.err"
rc=$?
set -e
[ $rc -eq 3 ] || fail "run with a bad file: exit $rc, expected 3"
grep -q "typo.json: origins\[0\].resolve\[0\]: expected HOST:PORT:ADDRESS" \
	"$tmp/run.err" || fail "run: the bad file and key not named: $(cat "$tmp/run.err")"
[ "$(wc -l <"$tmp/run.out")" -eq 2 ] ||
	fail "run --results -: expected 2 records on stdout: $(cat "$tmp/run.out")"
for p in fresh signed; do
	grep -q "\"probe\":\"$p\"" "$tmp/run.out" ||
		fail "run --results -: no record of $p"
done
[ -z "$(ls -A "$tmp/t")" ] || fail "run --results - left $(ls -A "$tmp/t")"
echo "conventions.sh: ok: run names the bad file, runs the rest, --results -" >&2
