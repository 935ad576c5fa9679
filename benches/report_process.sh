#!/usr/bin/env bash
# The termly report with its PDF as a user runs it, process start to exit, on sample-data:
# `cohort report termly-impact --format html,pdf`, with and without the run history, and as the
# first report after a `cohort run` (a history holding that one run), by two builds run in
# turn (so both see the same load), with each build's median wall and CPU time and the ratio
# of the second build's to the first's.
#
#   benches/report_process.sh BEFORE_BINARY AFTER_BINARY [RUNS]
#
# e.g. benches/report_process.sh /tmp/cohort-main target/release/cohort 9
# Run from the project folder (it reads ./queries, ./report-templates and ./sample-data).
# The first run of each build fills the validated-data and result caches and is not counted.
set -euo pipefail
before="${1:?usage: $0 BEFORE_BINARY AFTER_BINARY [RUNS]}"
after="${2:?usage: $0 BEFORE_BINARY AFTER_BINARY [RUNS]}"
runs="${3:-7}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# One timed run: prints "wall cpu" in seconds.
timed() {
  /usr/bin/time -f "%e %U %S" -o "$scratch/time" "$@" >/dev/null 2>"$scratch/err" || {
    cat "$scratch/err" >&2
    exit 1
  }
  awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$scratch/time"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for variant in no-history history after-run; do
  flags=(report termly-impact --format html,pdf)
  for b in before after; do
    # Each build keeps a history of its own in the scratch folder.
    if [ "$variant" = no-history ]; then
      declare -a "flags_$b=(--no-history --out $scratch/out-$b)"
    elif [ "$variant" = after-run ]; then
      declare -a "flags_$b=(--history $scratch/$b-run.duckdb --out $scratch/out-$b)"
    else
      declare -a "flags_$b=(--history $scratch/$b.duckdb --out $scratch/out-$b)"
    fi
  done
  "$before" "${flags[@]}" "${flags_before[@]}" >/dev/null
  "$after" "${flags[@]}" "${flags_after[@]}" >/dev/null
  : >"$scratch/before.txt"
  : >"$scratch/after.txt"
  for _ in $(seq "$runs"); do
    if [ "$variant" = after-run ]; then
      # A history holding one `cohort run` of the same data, untimed.
      rm -f "$scratch"/before-run.duckdb* "$scratch"/after-run.duckdb*
      "$before" run --history "$scratch/before-run.duckdb" --out "$scratch/run-before" >/dev/null 2>&1
      "$after" run --history "$scratch/after-run.duckdb" --out "$scratch/run-after" >/dev/null 2>&1
    fi
    timed "$before" "${flags[@]}" "${flags_before[@]}" >>"$scratch/before.txt"
    timed "$after" "${flags[@]}" "${flags_after[@]}" >>"$scratch/after.txt"
  done
  bw=$(cut -d' ' -f1 "$scratch/before.txt" | median)
  bc=$(cut -d' ' -f2 "$scratch/before.txt" | median)
  aw=$(cut -d' ' -f1 "$scratch/after.txt" | median)
  ac=$(cut -d' ' -f2 "$scratch/after.txt" | median)
  awk -v v="$variant" -v n="$runs" -v bw="$bw" -v bc="$bc" -v aw="$aw" -v ac="$ac" 'BEGIN {
    printf "%-10s median of %d: before %.3f s wall, %.3f s cpu; after %.3f s wall, %.3f s cpu; after/before wall %.2f, cpu %.2f\n",
      v, n, bw, bc, aw, ac, aw / bw, ac / bc }'
  if ! diff -r -q "$scratch/out-before/termly-impact" "$scratch/out-after/termly-impact" >/dev/null; then
    echo "warning: the two builds' results or metrics.csv differ" >&2
  fi
done
