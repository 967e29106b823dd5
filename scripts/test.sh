#!/usr/bin/env bash
# Runs dancu's test suites, in order:
#
#   lint              gofmt and go vet
#   unit              every package's tests but the storage suite's
#   storage-sqlite    the storage suite on the embedded SQLite engine
#   storage-postgres  the same suite on PostgreSQL: DANCU_TEST_POSTGRES (a URL)
#                     when set, otherwise a throwaway server that
#                     scripts/pg.sh starts when PostgreSQL is installed
#   browser           the browser suite in headless Chromium, when present
#
# and prints which suites ran, which were skipped and why. With CI=true a
# suite that cannot run is a failure, not a skip.
#
# The storage suite is every package whose tests use internal/store/storetest.
set -uo pipefail
cd "$(dirname "$0")/.."

ci=false
case "${CI:-}" in true | 1 | yes) ci=true ;; esac

passed=()
failed=()
skipped=()

suite() { printf '\n== %s\n' "$1" >&2; }
pass() { passed+=("$1"); }
fail() { failed+=("$1"); }
skip() {
	if $ci; then
		echo "test.sh: suite $1 cannot run: $2 (CI=true makes this a failure)" >&2
		failed+=("$1 (cannot run: $2)")
	else
		echo "test.sh: skipping suite $1: $2" >&2
		skipped+=("$1 ($2)")
	fi
}

suite lint
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*'))
if [ -n "$unformatted" ]; then
	echo "gofmt wants to change: $unformatted" >&2
	fail lint
elif ! go vet ./...; then
	fail lint
else
	pass lint
fi

storage_pkgs=$(go list -f '{{.ImportPath}} {{join .TestImports " "}} {{join .XTestImports " "}}' ./... |
	awk '/dancu\/internal\/store\/storetest/ {print $1}')
unit_pkgs=$(go list ./... | grep -vxF -f <(printf '%s\n' $storage_pkgs))

suite unit
if DANCU_TEST_ENGINES=sqlite go test -count=1 $unit_pkgs; then pass unit; else fail unit; fi

suite storage-sqlite
if DANCU_TEST_ENGINES=sqlite go test -count=1 $storage_pkgs; then pass storage-sqlite; else fail storage-sqlite; fi

suite storage-postgres
pg_dir=""
cleanup() {
	if [ -n "$pg_dir" ]; then
		scripts/pg.sh stop "$pg_dir/pg" >/dev/null 2>&1 || true
		rm -rf "$pg_dir"
	fi
}
trap cleanup EXIT
pg_url=${DANCU_TEST_POSTGRES:-}
pg_reason=""
if [ -z "$pg_url" ]; then
	if command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
		pg_dir=$(mktemp -d)
		if ! pg_url=$(scripts/pg.sh start "$pg_dir/pg"); then
			pg_url=""
			pg_reason="scripts/pg.sh could not start a throwaway PostgreSQL"
		fi
	else
		pg_reason="PostgreSQL is not installed and DANCU_TEST_POSTGRES is not set (.ci/run installs it)"
	fi
fi
if [ -n "$pg_url" ]; then
	if DANCU_TEST_ENGINES=postgres DANCU_TEST_POSTGRES=$pg_url go test -count=1 $storage_pkgs; then
		pass storage-postgres
	else
		fail storage-postgres
	fi
else
	skip storage-postgres "$pg_reason"
fi

suite browser
if [ ! -f tests/browser/package.json ]; then
	echo "test.sh: no browser suite in this tree yet (tests/browser)" >&2
elif ! command -v node >/dev/null 2>&1; then
	skip browser "node is not installed"
elif ! command -v npm >/dev/null 2>&1; then
	skip browser "npm is not installed (.ci/run installs it)"
elif ! command -v chromium >/dev/null 2>&1; then
	skip browser "chromium is not installed (.ci/run installs it)"
elif ! command -v sqlite3 >/dev/null 2>&1; then
	skip browser "sqlite3 is not installed (.ci/run installs it)"
elif ! tests/browser/run.sh; then
	fail browser
else
	pass browser
fi

echo >&2
echo "suites passed:  ${passed[*]:-none}" >&2
[ ${#skipped[@]} -eq 0 ] || printf 'suites skipped: %s\n' "${skipped[@]}" >&2
[ ${#failed[@]} -eq 0 ] || printf 'suites failed:  %s\n' "${failed[@]}" >&2
echo "suites: ${#passed[@]} passed, ${#failed[@]} failed, ${#skipped[@]} skipped"
[ ${#failed[@]} -eq 0 ]
