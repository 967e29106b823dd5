#!/usr/bin/env bash
# Runs dancu's benchmarks and prints each result beside a baseline measured
# in the same run on the same machine, since absolute figures mean little
# from one machine to the next. docs/benchmarks.md records a run.
#
# Convention: in a package's benchmarks, BenchmarkBaselineX is the baseline
# of BenchmarkX (and BenchmarkBaselineX/case of BenchmarkX/case). The ratio
# printed is the benchmark's ns/op over its baseline's.
#
# Sections:
#   micro     text, personal ID numbers, administrative units ($PKGS)
#   register  the register (internal/store) on SQLite and on PostgreSQL:
#             point reads and events, each beside its engine's floor, and
#             backup/restore speed. PostgreSQL is a throwaway server
#             (scripts/pg.sh), skipped with a message when not installed.
#
#   scripts/bench.sh                 every section, 3 runs of 1s each
#   BENCHTIME=2s COUNT=5 scripts/bench.sh
#   SECTIONS=micro PKGS=./internal/vntext scripts/bench.sh
#   SECTIONS=register DANCU_BENCH_CITIZENS=100000 scripts/bench.sh
#   ENGINES=sqlite scripts/bench.sh  the register on SQLite only
#
# Raw output is kept in $BENCH_OUT (default: a fresh temporary directory)
# for benchstat: micro.txt, register.txt, backup.txt, and the ratio tables
# in summary.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${BENCH_OUT:-$(mktemp -d)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
pkgs=${PKGS:-./internal/vntext ./internal/pid ./internal/adminunit}
sections=${SECTIONS:-micro register}
benchtime=${BENCHTIME:-1s}
count=${COUNT:-3}
citizens=${DANCU_BENCH_CITIZENS:-20000}
engines=${ENGINES:-sqlite,postgres}
export DANCU_BENCH_CITIZENS=$citizens

section() { [[ " $sections " == *" $1 "* ]]; }

cpu=$(awk '/model name/ {sub(/.*: /, ""); print; exit}' /proc/cpuinfo)
mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
echo "machine:  $cpu, $(nproc) cores, $mem memory, $(uname -sm), $(go version | awk '{print $3}')"
echo "runs:     -benchtime $benchtime -count $count (medians below)"
if section register; then
	echo "register: $citizens citizens (DANCU_BENCH_CITIZENS); backup/restore of 200000 pid_claims rows; engines $engines"
fi
echo "raw output: $out"
echo
: >"$out/summary.txt"

if section micro; then
	echo "== micro-benchmarks: $pkgs"
	# shellcheck disable=SC2086 # $pkgs is a list of packages
	go test -run '^$' -bench . -benchmem -benchtime="$benchtime" -count="$count" $pkgs | tee "$out/micro.txt" >&2
	# Median ns/op of each benchmark beside its baseline's.
	go run ./scripts/benchratio <"$out/micro.txt" | tee -a "$out/summary.txt"
	echo
fi

if section register; then
	pgdir=
	stop_pg() {
		if [ -n "$pgdir" ]; then
			scripts/pg.sh stop "$pgdir" 2>/dev/null || true
			rm -rf "$pgdir"
		fi
	}
	trap stop_pg EXIT
	trap 'exit 130' INT TERM

	list=
	for e in ${engines//,/ }; do
		case "$e" in
		sqlite)
			list+=,sqlite
			;;
		postgres)
			pgdir=$(mktemp -d)
			if url=$(scripts/pg.sh start "$pgdir" 2>"$pgdir/start.log"); then
				export DANCU_TEST_POSTGRES=$url
				echo "postgres: $(pg_config --version 2>/dev/null || echo "version unknown"), throwaway server at ${url%%\?*}, default durability (fsync, synchronous_commit on)"
				list+=,postgres
			else
				echo "postgres: skipped, no server could be started: $(tail -n 1 "$pgdir/start.log")"
				rm -rf "$pgdir"
				pgdir=
			fi
			;;
		*)
			echo "bench.sh: unknown engine $e in ENGINES" >&2
			exit 2
			;;
		esac
	done
	list=${list#,}
	if [ -z "$list" ]; then
		echo "register: no engine to run"
	else
		export DANCU_TEST_ENGINES=$list
		echo "== register: $list"
		go test -run '^$' -bench 'CitizenRead|RecordEvent' -benchmem -benchtime="$benchtime" -count="$count" \
			-timeout 30m ./internal/store/ | tee "$out/register.txt" >&2
		go run ./scripts/benchratio <"$out/register.txt" | tee -a "$out/summary.txt"
		echo
		# Each iteration loads, backs up and restores the whole table: one
		# is a measurement (rows/s are reported per iteration).
		echo "== backup/restore: $list"
		go test -run '^$' -bench 'BackupRestore' -benchtime=1x -count="$count" -timeout 30m ./internal/store/ |
			tee "$out/backup.txt" >&2
		awk '$1 ~ /^BenchmarkBackupRestore/ {
			b = r = n = "-"
			for (i = 3; i <= NF; i++) {
				if ($i == "backup-rows/s") b = $(i-1)
				if ($i == "restore-rows/s") r = $(i-1)
				if ($i == "bytes/row") n = $(i-1)
			}
			printf "%-36s backup %12s rows/s   restore %12s rows/s   %s bytes/row\n", $1, b, r, n
		}' "$out/backup.txt" | tee -a "$out/summary.txt"
	fi
fi
