#!/bin/sh
# history.sh - the history index's figures (issue 17): insert time and
# bytes per check, and `prober report`'s computation over a million
# checks once indexed. Called by `make bench` with HISTORY (bench/history.c
# built). HISTORY_CHECKS and HISTORY_JSONL_CHECKS change the sizes.
# Never part of `make check`.
set -eu
: "${HISTORY:?}"
top=$(cd "$(dirname "$0")/.." && pwd)
CHECKS=${HISTORY_CHECKS:-1000000}
JSONL=${HISTORY_JSONL_CHECKS:-20000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

out=$("$HISTORY" "$work/index.sqlite" "$CHECKS" "$JSONL")
echo "history: $out"
# The report again from a new process: SQLite's own cache cold, as for
# an operator's `prober report`.
cold=$("$HISTORY" "$work/index.sqlite" 0 0)
echo "history, report in a new process: $cold"
out="$out
$cold"
mkdir -p "$top/bench/results"
printf '%s\n' "$out" >"$top/bench/results/history-latest.json"
# The issue's targets: a report over 1M checks under 1 s, an insert under
# 1 ms per check, under 1 KB of index per check.
echo "$out" | awk -F'[:,}]' '
NR == 1 {
	for (i = 1; i < NF; i++) v[$i] = $(i + 1)
	ok = v["\"report_s\""] < 1 && v["\"insert_us_per_check\""] < 1000 &&
	     v["\"import_us_per_check\""] < 1000 &&
	     v["\"store_bytes_per_check\""] < 1024
}
NR == 2 { for (i = 1; i < NF; i++) if ($i == "\"report_s\"") ok = ok && $(i + 1) < 1 }
END {
	print ok ? "history: within targets" : "history: OVER a target"
	exit !ok
}'
