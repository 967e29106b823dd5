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
#   verify    dancu generate and import $DANCU_BENCH_VERIFY citizens (default
#             1,000,000) into SQLite, dancu serve on loopback, then with
#             vegeta (installed from the Go module proxy into $BENCH_OUT):
#             POST /v1/verify at $DANCU_BENCH_CONCURRENCY connections
#             (default 64) beside a no-op Go JSON handler at the same
#             concurrency (scripts/loadtool), p99 at a steady 10,000
#             req/s, a batch of every citizen through /v1/verify/batch
#             (records/s), the audit entries against the requests answered,
#             the index's heap per citizen at $DANCU_BENCH_INDEX_CITIZENS
#             (default 10,000,000) and audit appends/s. With
#             DANCU_BENCH_SOAK=10m, a load at 80 % of the measured peak for
#             that long, with the server's memory sampled.
#
#   reconcile dancu generate and import $DANCU_BENCH_RECONCILE citizens (default
#             1,000,000) into SQLite, derive a telecom subscriber list of as
#             many records at the default noise (dancu generate --dataset,
#             with its truth file), reconcile it (dancu reconcile) and score
#             the links against the truth (loadtool score): precision,
#             recall, the confusion counts and the share sent to review;
#             records per minute of the whole command and of its matching
#             phase, and peak memory, beside the rows/s of reading the file
#             alone (BenchmarkReader) measured in the same run.
#
#   scripts/bench.sh                 every section, 3 runs of 1s each
#   BENCHTIME=2s COUNT=5 scripts/bench.sh
#   SECTIONS=micro PKGS=./internal/vntext scripts/bench.sh
#   SECTIONS=register DANCU_BENCH_CITIZENS=100000 scripts/bench.sh
#   ENGINES=sqlite scripts/bench.sh  the register on SQLite only
#   SECTIONS=import DANCU_BENCH_IMPORT=1000000 scripts/bench.sh
#   SECTIONS=verify DANCU_BENCH_SOAK=10m scripts/bench.sh
#   SECTIONS=reconcile DANCU_BENCH_RECONCILE=100000 scripts/bench.sh
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
sections=${SECTIONS:-micro register import verify reconcile}
benchtime=${BENCHTIME:-1s}
count=${COUNT:-3}
citizens=${DANCU_BENCH_CITIZENS:-20000}
import_n=${DANCU_BENCH_IMPORT:-10000000}
engines=${ENGINES:-sqlite,postgres}
export DANCU_BENCH_CITIZENS=$citizens

section() { [[ " $sections " == *" $1 "* ]]; }

# measure LOG CMD…: seconds and peak KiB of a command into LOG, from GNU
# time when installed.
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

# A throwaway PostgreSQL server, when a section starts one, is stopped on
# any exit.
pgdir=
stop_pg() {
	if [ -n "$pgdir" ]; then
		scripts/pg.sh stop "$pgdir" 2>/dev/null || true
		rm -rf "$pgdir"
	fi
}
# Servers a section starts (dancu serve, the no-op handler) are stopped on
# any exit too.
servers=()
stop_all() {
	for pid in "${servers[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	stop_pg
}
trap stop_all EXIT
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

if section verify; then
	vn=${DANCU_BENCH_VERIFY:-1000000}
	conc=${DANCU_BENCH_CONCURRENCY:-64}
	dur=${DANCU_BENCH_DURATION:-20s}
	index_n=${DANCU_BENCH_INDEX_CITIZENS:-10000000}
	soak=${DANCU_BENCH_SOAK:-}
	echo "== verify: $vn citizens on SQLite, $conc connections, $dur a run"
	go build -o "$out/dancu" ./cmd/dancu
	go build -o "$out/loadtool" ./scripts/loadtool
	GOBIN="$out/bin" go install github.com/tsenart/vegeta/v12@v12.13.0
	vegeta="$out/bin/vegeta"
	data="$out/verify-data"
	rm -rf "$data"
	"$out/dancu" generate --count "$vn" --seed 1 --out "$out/vpeople.csv" 2>/dev/null
	"$out/dancu" import --data "$data" "$out/vpeople.csv" 2>"$out/verify-import.log"
	tail -n 1 "$out/verify-import.log"
	"$out/dancu" agency add --data "$data" --name "Ngân hàng đo tải" --kind bank --operations verify,batch \
		--fields pid,full_name,date_of_birth,gender --purposes kyc --rate-limit 0 --json |
		sed -n 's/.*"key": *"\([^"]*\)".*/\1/p' >"$out/agency.key"
	freeport() { "$out/loadtool" freeport; }
	port=$(freeport)
	base="http://127.0.0.1:$port"
	t0=$(date +%s.%N)
	"$out/dancu" serve --data "$data" --addr "127.0.0.1:$port" 2>"$out/serve.log" &
	server=$!
	servers+=("$server")
	until curl -sf "$base/readyz" >/dev/null; do
		kill -0 "$server" 2>/dev/null || { cat "$out/serve.log" >&2; exit 1; }
		sleep 0.2
	done
	ready_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	echo "serve: ready in ${ready_s}s ($(grep -o 'verification index built.*' "$out/serve.log"))" | tee -a "$out/summary.txt"
	noop_port=$(freeport)
	"$out/loadtool" noop -addr "127.0.0.1:$noop_port" >/dev/null &
	servers+=("$!")
	until curl -s -o /dev/null "http://127.0.0.1:$noop_port/"; do sleep 0.1; done
	"$out/loadtool" targets -in "$out/vpeople.csv" -url "$base/v1/verify" -key-file "$out/agency.key" -n 20000 >"$out/targets-dancu.json"
	"$out/loadtool" targets -in "$out/vpeople.csv" -url "http://127.0.0.1:$noop_port/v1/verify" -key-file "$out/agency.key" -n 20000 >"$out/targets-noop.json"
	# attack NAME TARGETS [vegeta flags]: a bounded run, reported as JSON.
	attack() {
		local name=$1 targets=$2
		shift 2
		"$vegeta" attack -format=json -targets="$targets" -duration="$dur" -keepalive=true "$@" >"$out/$name.bin"
		"$vegeta" report -type=json "$out/$name.bin" >"$out/$name.json"
	}
	# A number from a vegeta report: p NAME FIELD (throughput, p50, p99,
	# success, ok = answered 200, errors = requests not answered 200).
	p() { "$out/loadtool" report -in "$out/$1.json" -field "$2"; }
	rps() { p "$1" throughput; }
	answered=0
	for round in 1 2; do
		attack "noop-$round" "$out/targets-noop.json" -rate=0 -max-workers="$conc" -workers="$conc"
		attack "verify-$round" "$out/targets-dancu.json" -rate=0 -max-workers="$conc" -workers="$conc"
		answered=$((answered + $(p "verify-$round" ok)))
		awk -v r="$round" -v c="$conc" -v vr="$(rps "verify-$round")" -v nr="$(rps "noop-$round")" \
			-v v50="$(p "verify-$round" p50)" -v v99="$(p "verify-$round" p99)" -v n50="$(p "noop-$round" p50)" -v n99="$(p "noop-$round" p99)" \
			-v vok="$(p "verify-$round" success)" 'BEGIN {
			printf "verify run %d, %d connections: %.0f req/s (%.2fx the no-op %.0f), p50 %.2f ms, p99 %.2f ms (%.2fx the no-op %.2f ms), success %.4f\n",
				r, c, vr, vr / nr, nr, v50 / 1e6, v99 / 1e6, v99 / n99, n99 / 1e6, vok
		}' | tee -a "$out/summary.txt"
	done
	attack steady "$out/targets-dancu.json" -rate=10000/1s
	answered=$((answered + $(p steady ok)))
	awk -v r="$(rps steady)" -v p50="$(p steady p50)" -v p99="$(p steady p99)" -v ok="$(p steady success)" 'BEGIN {
		printf "verify at a steady 10,000 req/s: %.0f req/s answered, p50 %.2f ms, p99 %.2f ms, success %.4f\n", r, p50 / 1e6, p99 / 1e6, ok
	}' | tee -a "$out/summary.txt"

	# A batch of every citizen, as an agency would send it.
	"$out/loadtool" batchfile -in "$out/vpeople.csv" -out "$out/batch.csv"
	batch_s=$(curl -s -o "$out/batch.ndjson" -w '%{time_total}' -X POST -H "Authorization: Bearer $(cat "$out/agency.key")" \
		-H 'Content-Type: text/csv' --data-binary @"$out/batch.csv" "$base/v1/verify/batch?purpose=kyc")
	tail -n 1 "$out/batch.ndjson" | grep -q '"summary"' || { echo "batch: no summary line" >&2; tail -n 3 "$out/batch.ndjson" >&2; exit 1; }
	awk -v n="$vn" -v s="$batch_s" 'BEGIN { printf "batch verify: %d records in %.1fs, %.0f records/s\n", n, s, n / s }' | tee -a "$out/summary.txt"
	batch_rows=$vn

	if [ -n "$soak" ]; then
		rate=$(awk -v r="$(rps verify-2)" 'BEGIN { printf "%d", r * 0.8 }')
		echo "soak: $rate req/s for $soak"
		: >"$out/soak-rss.txt"
		( while kill -0 "$server" 2>/dev/null; do awk '/VmRSS/ { print $2 }' "/proc/$server/status" >>"$out/soak-rss.txt"; sleep 10; done ) &
		sampler=$!
		"$vegeta" attack -format=json -targets="$out/targets-dancu.json" -duration="$soak" -keepalive=true -rate="$rate/1s" >"$out/soak.bin"
		kill "$sampler" 2>/dev/null || true
		"$vegeta" report -type=json "$out/soak.bin" >"$out/soak.json"
		answered=$((answered + $(p soak ok)))
		awk -v ok="$(p soak success)" -v errs="$(p soak errors)" -v p99="$(p soak p99)" 'BEGIN {
			printf "soak: success %.4f, %d errors, p99 %.2f ms\n", ok, errs, p99 / 1e6 }' | tee -a "$out/summary.txt"
		awk 'NR == 1 { first = $1 } { if ($1 > max) max = $1; last = $1 } END {
			printf "soak: server memory (RSS) first %.0f MiB, last %.0f MiB, max %.0f MiB over %d samples\n", first / 1024, last / 1024, max / 1024, NR }' \
			"$out/soak-rss.txt" | tee -a "$out/summary.txt"
	fi

	kill "$server"
	wait "$server" 2>/dev/null || true
	"$out/dancu" audit verify --data "$data" --json >"$out/audit-verify.json" || true
	awk -v e="$("$out/loadtool" json -in "$out/audit-verify.json" -path entries)" -v a="$("$out/loadtool" json -in "$out/audit-verify.json" -path accesses)" \
		-v ok="$("$out/loadtool" json -in "$out/audit-verify.json" -path ok)" -v answered="$answered" -v rows="$batch_rows" 'BEGIN {
		printf "audit: %d entries, %d accesses recorded for %d verify requests answered 200 and %d batch rows (%s); chains intact: %s\n",
			e, a, answered, rows, (a == answered + rows ? "all recorded" : "MISMATCH"), ok }' | tee -a "$out/summary.txt"
	rm -rf "$data" "$out"/vpeople.csv "$out"/batch.* "$out"/*.bin

	echo "-- the index's heap per citizen at $index_n, and the audit log's appends"
	DANCU_BENCH_INDEX_CITIZENS=$index_n go test -run '^$' -bench '^BenchmarkIndexMemory$' -benchtime 1x -timeout 60m ./internal/verify |
		tee "$out/index.txt" | grep -E 'Benchmark' | tee -a "$out/summary.txt"
	DANCU_TEST_ENGINES=sqlite go test -run '^$' -bench 'Benchmark(Append|AppendChunk|BaselineCommit)$' -benchtime 3s ./internal/audit |
		tee "$out/audit.txt" | grep -E 'Benchmark' | tee -a "$out/summary.txt"
	echo
fi

if section reconcile; then
	rn=${DANCU_BENCH_RECONCILE:-1000000}
	echo "== reconcile: a telecom list of $rn records against a register of $rn citizens on SQLite"
	go build -o "$out/dancu" ./cmd/dancu
	go build -o "$out/loadtool" ./scripts/loadtool
	data="$out/reconcile-data"
	rm -rf "$data"
	"$out/dancu" generate --count "$rn" --seed 1 --out "$out/rpeople.csv" 2>/dev/null
	"$out/dancu" import --data "$data" "$out/rpeople.csv" 2>"$out/reconcile-import.log"
	tail -n 1 "$out/reconcile-import.log"
	"$out/dancu" generate --dataset telecom --from "$out/rpeople.csv" --count "$rn" --seed 7 \
		--out "$out/telecom.csv" --truth "$out/truth.csv" 2>"$out/dataset.log"
	tail -n 1 "$out/dataset.log"
	measure "$out/reconcile.time" "$out/dancu" reconcile --data "$data" --file "$out/telecom.csv" \
		--columns pid=id_number,full_name=full_name,date_of_birth=date_of_birth,gender=gender,permanent_address=address,phone=phone,record_key=subscriber_id \
		--max-per-citizen 10 --out "$out/reconciled" --json >"$out/reconcile.json" 2>"$out/reconcile.log"
	"$out/loadtool" score -truth "$out/truth.csv" -records "$out/reconciled/records.csv" >"$out/score.json"
	j() { "$out/loadtool" json -in "$1" -path "$2"; }
	read -r rs rkib <"$out/reconcile.time"
	awk -v n="$rn" -v s="$rs" -v kib="$rkib" -v m="$(j "$out/reconcile.json" records_per_minute)" -v fit="$(j "$out/reconcile.json" fit_seconds)" 'BEGIN {
		printf "reconcile: %d records in %.1fs, the whole command (register read, model fit, matching): %.0f records/min (%.2fx the target of 1,000,000/min); fit and matching alone %.0f records/min, of which fitting %.1fs; peak memory %s MiB\n",
			n, s, n / s * 60, n / s * 60 / 1e6, m, fit, (kib == "-" ? "-" : sprintf("%.0f", kib / 1024))
	}' | tee -a "$out/summary.txt"
	awk -v p="$(j "$out/score.json" precision)" -v r="$(j "$out/score.json" recall)" -v tl="$(j "$out/score.json" true_links)" \
		-v fl="$(j "$out/score.json" false_links)" -v mi="$(j "$out/score.json" missed)" -v ru="$(j "$out/score.json" rightly_unlinked)" \
		-v rv="$(j "$out/score.json" review)" -v rsh="$(j "$out/score.json" review_share)" 'BEGIN {
		printf "reconcile: precision %.6f (target 0.999), recall %.6f (target 0.99); %d true links, %d false links, %d missed (%d of them sent to review, %.2f%% of the records), %d rightly left unlinked\n",
			p, r, tl, fl, mi, rv, rsh * 100, ru
	}' | tee -a "$out/summary.txt"
	go test -run '^$' -bench '^BenchmarkReader$' -benchtime 3x ./internal/reconcile/input | tee "$out/reader.txt" |
		awk '/^BenchmarkReader/ { for (i = 1; i <= NF; i++) if ($i == "rows/s") printf "reading the file alone (BenchmarkReader): %s rows/s\n", $(i-1) }' | tee -a "$out/summary.txt"
	rm -rf "$data" "$out"/rpeople.csv "$out"/telecom.csv
	echo
fi
