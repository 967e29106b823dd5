#!/usr/bin/env bash
# Runs dancu's benchmarks and prints each result beside a baseline measured
# in the same run on the same machine, since absolute figures mean little
# from one machine to the next.
#
# Convention: in a package's benchmarks, BenchmarkBaselineX is the baseline
# of BenchmarkX (and BenchmarkBaselineX/case of BenchmarkX/case). The ratio
# printed is the benchmark's ns/op over its baseline's.
#
#   scripts/bench.sh                 every micro-benchmark, 3 runs each
#   BENCHTIME=2s COUNT=5 scripts/bench.sh
#   PKGS=./internal/vntext scripts/bench.sh
#
# Raw output is kept in $BENCH_OUT (default: a fresh temporary directory)
# for benchstat.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${BENCH_OUT:-$(mktemp -d)}
mkdir -p "$out"
pkgs=${PKGS:-./internal/vntext ./internal/pid ./internal/adminunit}

echo "machine: $(uname -m), $(nproc) cores, $(awk '/model name/ {sub(/.*: /, ""); print; exit}' /proc/cpuinfo), $(go version | awk '{print $3}')"
echo "raw output: $out/micro.txt"
echo

go test -run '^$' -bench . -benchmem -benchtime="${BENCHTIME:-1s}" -count="${COUNT:-3}" $pkgs | tee "$out/micro.txt" >&2

# Median ns/op per benchmark, then each beside its baseline.
awk '
/^pkg: / { pkg = $2; sub(/.*\//, "", pkg) }
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name); sub(/^Benchmark/, "", name)
	for (i = 3; i <= NF; i++) if ($(i) == "ns/op") { key = pkg "." name; v[key] = v[key] " " $(i-1); if (!(key in seen)) { seen[key] = 1; order[++n] = key } }
}
function median(s,   a, k, i, j, t) {
	k = split(s, a, " ")
	for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
END {
	printf "%-48s %12s   %-40s %12s %8s\n", "benchmark", "ns/op", "baseline", "ns/op", "ratio"
	for (i = 1; i <= n; i++) {
		key = order[i]; split(key, p, "."); pkg = p[1]; name = substr(key, length(pkg) + 2)
		if (name ~ /^Baseline/) continue
		base = ""
		top = name; sub(/\/.*/, "", top); rest = substr(name, length(top) + 1)
		if ((pkg ".Baseline" top rest) in v) base = pkg ".Baseline" top rest
		else if ((pkg ".Baseline" top) in v) base = pkg ".Baseline" top
		m = median(v[key])
		if (base != "") {
			b = median(v[base])
			printf "%-48s %12.1f   %-40s %12.1f %7.2fx\n", key, m, substr(base, length(pkg) + 2), b, m / b
		} else {
			printf "%-48s %12.1f   %-40s %12s %8s\n", key, m, "-", "-", "-"
		}
	}
}' "$out/micro.txt" | tee "$out/summary.txt"
