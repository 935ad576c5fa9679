#!/usr/bin/env bash
# The first run over new files (issue 34 §2): `cohort check` with an empty validated-data
# cache reads and checks every file and streams the large ones (attendance) into the cache.
# Two binaries run the same command on the same files, interleaved, each in a fresh folder
# (so each starts with an empty cache), under /usr/bin/time: user+sys cpu seconds, wall
# seconds, cpu/wall (how busy the cores were) and peak memory. On a shared machine the wall
# seconds move with the load; compare cpu seconds and the ratios within one run of this
# script. Every run's cached attendance file is hashed: the two binaries must write
# byte-identical entries.
#
#   benches/first_run.sh [DATA] [NEW] [BASE] [ROUNDS]
#
# DATA   the data folder (default /tmp/natproj/data: 82,000 children x 5 years)
# NEW    the binary under test (default $CARGO_TARGET_DIR/release/cohort, else target/release/cohort)
# BASE   the baseline (default /tmp/cohort-bin/cohort, built from main before the change)
# ROUNDS rounds of (base, new) (default 2)
# MODE=run (in the environment) measures `cohort run --only attendance/absence_by_term`
# instead of `cohort check`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="$(realpath "${1:-/tmp/natproj/data}")"
new="$(realpath "${2:-${CARGO_TARGET_DIR:-$root/target}/release/cohort}")"
base="$(realpath "${3:-/tmp/cohort-bin/cohort}")"
rounds="${4:-2}"
mode="${MODE:-check}"
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
for b in "$new" "$base"; do [ -x "$b" ] || { echo "no binary at $b" >&2; exit 2; }; done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# One measured first run of binary $2 labelled $1; prints a row and the cached file's hash.
measure() {
    local label="$1" bin="$2" dir="$work/$1-$3"
    mkdir -p "$dir"
    ln -s "$root/queries" "$dir/queries"
    ln -s "$root/report-templates" "$dir/report-templates"
    [ -f "$root/cohort.toml" ] && cp "$root/cohort.toml" "$dir/"
    local cmd=("$bin" check --data "$data" --no-history)
    if [ "$mode" = run ]; then
        cmd=("$bin" run --data "$data" --no-history --only attendance/absence_by_term --out "$dir/out")
    fi
    (cd "$dir" && /usr/bin/time -f "%U %S %e %M" -o "$dir/time" "${cmd[@]}" >"$dir/stdout" 2>"$dir/stderr") \
        || { echo "$label failed:" >&2; tail -5 "$dir/stderr" "$dir/stdout" >&2; exit 1; }
    local cached
    cached="$(find "$dir/.cohort/cache" -name 'attendance-*.parquet' | head -1)"
    local sha="-"
    [ -n "$cached" ] && sha="$(sha256sum "$cached" | cut -c1-16)"
    read -r user sys wall peak <"$dir/time"
    awk -v l="$label" -v u="$user" -v s="$sys" -v w="$wall" -v m="$peak" -v h="$sha" \
        'BEGIN { c = u + s; printf "%-5s cpu %7.2f s  wall %7.2f s  cpu/wall %4.2f  peak %6.0f MiB  attendance entry %s\n", l, c, w, c / w, m / 1024, h }'
    rm -rf "$dir/.cohort"
}

echo "first run ($mode) over $data"
echo "base: $base"
echo "new:  $new"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$rounds"); do
    measure base "$base" "$r"
    measure new "$new" "$r"
done | tee "$work/rows"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
awk '
    { cpu[$1] += $3; wall[$1] += $6; n[$1]++; seen[$1 " " $NF] = 1; hash[NR] = $NF }
    END {
        printf "mean: base cpu %.2f s wall %.2f s; new cpu %.2f s wall %.2f s\n",
            cpu["base"] / n["base"], wall["base"] / n["base"], cpu["new"] / n["new"], wall["new"] / n["new"]
        printf "new/base: cpu %.2f, wall %.2f\n", cpu["new"] / cpu["base"], wall["new"] / wall["base"]
        same = 1
        for (i = 1; i <= NR; i++)
            if (!(("base " hash[i]) in seen) || !(("new " hash[i]) in seen)) same = 0
        print (same ? "cached attendance entries: byte-identical" : "cached attendance entries DIFFER")
        exit (same ? 0 : 1)
    }' "$work/rows"
