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
#   import    dancu generate writes $DANCU_BENCH_IMPORT citizens (default
#             10,000,000) as CSV; dancu import loads them into an empty
#             register, beside a bare `sqlite3 .import` of the same file
#             into a plain table (and, on PostgreSQL, a bare COPY), with
#             the peak memory of each import at N and at N/10.
#
#   scripts/bench.sh                 every section, 3 runs of 1s each
#   BENCHTIME=2s COUNT=5 scripts/bench.sh
#   SECTIONS=micro PKGS=./internal/vntext scripts/bench.sh
#   SECTIONS=register DANCU_BENCH_CITIZENS=100000 scripts/bench.sh
#   ENGINES=sqlite scripts/bench.sh  the register on SQLite only
#   SECTIONS=import DANCU_BENCH_IMPORT=1000000 scripts/bench.sh
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
sections=${SECTIONS:-micro register import}
benchtime=${BENCHTIME:-1s}
count=${COUNT:-3}
citizens=${DANCU_BENCH_CITIZENS:-20000}
import_n=${DANCU_BENCH_IMPORT:-10000000}
engines=${ENGINES:-sqlite,postgres}
export DANCU_BENCH_CITIZENS=$citizens

section() { [[ " $sections " == *" $1 "* ]]; }

# A throwaway PostgreSQL server, when a section starts one, is stopped on
# any exit.
pgdir=
stop_pg() {
	if [ -n "$pgdir" ]; then
		scripts/pg.sh stop "$pgdir" 2>/dev/null || true
		rm -rf "$pgdir"
	fi
}
trap stop_pg EXIT
trap 'exit 130' INT TERM

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

if section import; then
	echo "== import: $import_n citizens, engines $engines"
	go build -o "$out/dancu" ./cmd/dancu
	# peak KiB and seconds of a command, from GNU time when installed.
	measure() {
		local log=$1
		shift
		if [ -x /usr/bin/time ]; then
			/usr/bin/time -f '%e %M' -o "$log" "$@"
		else
			local t0=$SECONDS
			"$@"
			echo "$((SECONDS - t0)) -" >"$log"
		fi
	}
	small=$((import_n / 10))
	for n in "$import_n" "$small"; do
		measure "$out/generate-$n.time" "$out/dancu" generate --count "$n" --seed 1 --out "$out/people-$n.csv" 2>"$out/generate-$n.log"
	done
	read -r gen_s _ <"$out/generate-$import_n.time"
	echo "generate: $import_n citizens in ${gen_s}s, $(du -h "$out/people-$import_n.csv" | cut -f1) of CSV"
	columns=$(head -n 1 "$out/people-$import_n.csv" | sed 's/,/ text, /g; s/$/ text/')
	report() { # engine, dancu time file N, dancu time file N/10, baseline time file
		local ds dm ss sm bs
		read -r ds dm <"$2"
		read -r ss sm <"$3"
		read -r bs _ <"$4"
		awk -v e="$1" -v n="$import_n" -v ds="$ds" -v bs="$bs" -v dm="$dm" -v sm="$sm" -v small="$small" 'BEGIN {
			printf "%-8s %d citizens: dancu import %.1fs (%.0f rows/s), bare %.1fs, ratio %.2fx; peak memory %s MiB at %d, %s MiB at %d\n",
				e, n, ds, n / ds, bs, ds / bs, (dm == "-" ? "-" : sprintf("%.0f", dm / 1024)), n, (sm == "-" ? "-" : sprintf("%.0f", sm / 1024)), small
		}' | tee -a "$out/summary.txt"
	}
	for e in ${engines//,/ }; do
		case "$e" in
		sqlite)
			rm -f "$out/bare.db"
			measure "$out/bare-sqlite.time" sqlite3 "$out/bare.db" ".mode csv" ".import $out/people-$import_n.csv people"
			rm -f "$out/bare.db"
			for n in "$import_n" "$small"; do
				rm -rf "$out/sqlite-$n"
				measure "$out/import-sqlite-$n.time" "$out/dancu" import --data "$out/sqlite-$n" "$out/people-$n.csv" 2>"$out/import-sqlite-$n.log"
				tail -n 2 "$out/import-sqlite-$n.log" >&2
				du -sh "$out/sqlite-$n" >&2
				rm -rf "$out/sqlite-$n"
			done
			report sqlite "$out/import-sqlite-$import_n.time" "$out/import-sqlite-$small.time" "$out/bare-sqlite.time"
			;;
		postgres)
			stop_pg # the register section's server, if any
			pgdir=$(mktemp -d)
			if ! url=$(scripts/pg.sh start "$pgdir" 2>"$pgdir/start.log"); then
				echo "postgres: skipped, no server could be started: $(tail -n 1 "$pgdir/start.log")"
				rm -rf "$pgdir"
				pgdir=
				continue
			fi
			psql -q "$url" -c "CREATE TABLE people ($columns)"
			measure "$out/bare-postgres.time" psql -q "$url" -c "\\copy people FROM '$out/people-$import_n.csv' CSV HEADER"
			psql -q "$url" -c "DROP TABLE people"
			for n in "$import_n" "$small"; do
				psql -q "$url" -c "DROP SCHEMA public CASCADE; CREATE SCHEMA public"
				measure "$out/import-postgres-$n.time" "$out/dancu" import --db "$url" "$out/people-$n.csv" 2>"$out/import-postgres-$n.log"
				tail -n 2 "$out/import-postgres-$n.log" >&2
			done
			report postgres "$out/import-postgres-$import_n.time" "$out/import-postgres-$small.time" "$out/bare-postgres.time"
			scripts/pg.sh stop "$pgdir" 2>/dev/null || true
			rm -rf "$pgdir"
			pgdir=
			;;
		esac
	done
	rm -f "$out"/people-*.csv
	echo
fi
