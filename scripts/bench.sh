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

# Median ns/op of each benchmark beside its baseline's.
go run ./scripts/benchratio <"$out/micro.txt" | tee "$out/summary.txt"
