#!/bin/sh
# serve.sh - `prober serve` under a Prometheus-like load (make bench).
#
# 50 probe files (one origin, the 3-rendition ladder of scripts/origin.sh
# behind nginx on 127.0.0.1), each scraped every 15 s with a 10 s scrape
# timeout, spread over the interval as Prometheus spreads its targets, for
# SERVE_STEADY_S seconds; then SERVE_SAT_S seconds of back-to-back scrapes
# from SERVE_CLIENTS clients to find the ceiling. Prints scrape latency
# percentiles, 503s, the server's peak RSS, and rendition checks per minute.
# Needs PROBER; nothing leaves 127.0.0.1.
set -eu

: "${PROBER:?PROBER must name the prober binary}"
: "${SERVE_PROBES:=50}"
: "${SERVE_INTERVAL_S:=15}"
: "${SERVE_STEADY_S:=60}"
: "${SERVE_SAT_S:=30}"
: "${SERVE_CLIENTS:=8}"
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../scripts/origin.sh
. "$here/scripts/origin.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/prober-bench-serve.XXXXXX")
spid=""
cleanup() {
	[ -n "$spid" ] && kill "$spid" 2>/dev/null || :
	origin_stop "$tmp/nginx" || :
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

origin_media_ts "$tmp/www"
origin_start "$tmp/nginx" "$tmp/www"
mkdir -p "$tmp/probes"
i=0
while [ $i -lt "$SERVE_PROBES" ]; do
	echo "{ \"origins\": [ { \"name\": \"o\", \"url\": \"http://127.0.0.1:$ORIGIN_PORT/ts/master.m3u8\" } ], \"timeout_s\": 10 }" \
		>"$tmp/probes/p$i.json"
	i=$((i + 1))
done
"$PROBER" serve --listen 127.0.0.1:0 --probes "$tmp/probes" \
	>"$tmp/serve.out" 2>"$tmp/serve.err" &
spid=$!
i=0
while [ ! -s "$tmp/serve.out" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$tmp/serve.out")
base="http://127.0.0.1:$port"
rends=$(curl -s "$base/probe?probe=p0" |
	sed -n 's/^probe_video_origin_renditions{.*} \([0-9]*\)$/\1/p')

scrape() { # NAME OUTFILE
	curl -s -o /dev/null -H 'X-Prometheus-Scrape-Timeout-Seconds: 10' \
		--max-time 11 -w '%{http_code} %{time_total}\n' \
		"$base/probe?probe=$1" >>"$2" || echo "000 11" >>"$2"
}

# percentiles FILE: of the second column, 200s only.
percentiles() {
	awk '$1 == 200 { print $2 }' "$1" | sort -n | awk '
		{ v[NR] = $1 }
		END {
			if (NR == 0) { print "no successful scrape"; exit }
			printf "p50 %.3f s, p90 %.3f s, p99 %.3f s, max %.3f s (%d scrapes)\n",
				v[int(NR * 0.5) + (NR * 0.5 > int(NR * 0.5))],
				v[int(NR * 0.9) + (NR * 0.9 > int(NR * 0.9))],
				v[int(NR * 0.99) + (NR * 0.99 > int(NR * 0.99))],
				v[NR], NR }'
}

echo "serve bench: $SERVE_PROBES probes x $rends renditions, every" \
	"${SERVE_INTERVAL_S} s, for ${SERVE_STEADY_S} s, on $(nproc) CPUs" \
	"(--max-concurrent $(nproc))"
# Steady: probe k starts at k * interval / probes within each round.
bg=""
gap=$(awk "BEGIN { print $SERVE_INTERVAL_S / $SERVE_PROBES }")
rounds=$((SERVE_STEADY_S / SERVE_INTERVAL_S))
r=0
while [ $r -lt $rounds ]; do
	k=0
	while [ $k -lt "$SERVE_PROBES" ]; do
		scrape "p$k" "$tmp/steady.txt" &
		bg="$bg $!"
		sleep "$gap"
		k=$((k + 1))
	done
	r=$((r + 1))
done
wait_scrapes() {
	for p in $bg; do
		wait "$p" 2>/dev/null || :
	done
	bg=""
}
wait_scrapes
ok=$(awk '$1 == 200' "$tmp/steady.txt" | wc -l)
busy=$(awk '$1 == 503' "$tmp/steady.txt" | wc -l)
echo "  steady: $(percentiles "$tmp/steady.txt"); $busy answered 503," \
	"$((ok * rends * 60 / SERVE_STEADY_S)) rendition checks/min"

# Saturation: clients scraping back to back.
end=$(($(date +%s) + SERVE_SAT_S))
c=0
while [ $c -lt "$SERVE_CLIENTS" ]; do
	(
		k=$c
		while [ "$(date +%s)" -lt $end ]; do
			scrape "p$((k % SERVE_PROBES))" "$tmp/sat$c.txt"
			k=$((k + SERVE_CLIENTS))
		done
	) &
	bg="$bg $!"
	c=$((c + 1))
done
wait_scrapes
cat "$tmp"/sat*.txt >"$tmp/sat.txt"
ok=$(awk '$1 == 200' "$tmp/sat.txt" | wc -l)
busy=$(awk '$1 == 503' "$tmp/sat.txt" | wc -l)
echo "  saturated ($SERVE_CLIENTS clients): $(percentiles "$tmp/sat.txt");" \
	"$busy answered 503; capacity $((ok * rends * 60 / SERVE_SAT_S))" \
	"rendition checks/min"
echo "  peak RSS of prober serve: $(sed -n 's/^VmHWM:[[:space:]]*//p' \
	"/proc/$spid/status")"
kill "$spid"
wait "$spid" || :
spid=""
