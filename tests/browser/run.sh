#!/usr/bin/env bash
# Runs dancu's browser suite: builds dancu, serves it on a free loopback
# port with a fresh data directory, creates two officers and a connected
# agency, seeds a small family through the API and has the agency verify
# a few people, then runs the tests (node --test) in headless Debian
# Chromium (/usr/bin/chromium; no browser is ever downloaded). The
# reconciliation test serves a register of its own with the same binary
# (fx.dancu).
# Screenshots go to tests/browser/screenshots/ (not committed).
#
# Needs: go, node (>= 18) and npm, chromium, sqlite3 (.ci/run installs them).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

for tool in go node npm sqlite3; do
	command -v "$tool" >/dev/null 2>&1 || { echo "run.sh: $tool is not installed" >&2; exit 1; }
done
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { echo "run.sh: no Chromium at $CHROMIUM" >&2; exit 1; }

cd "$here"
if [ ! -d node_modules ]; then
	npm ci --quiet --no-audit --no-fund >/dev/null
fi

tmp=$(mktemp -d)
server=""
cleanup() {
	if [ -n "$server" ]; then
		kill "$server" 2>/dev/null || true
		wait "$server" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

(cd "$root" && go build -o "$tmp/dancu" ./cmd/dancu)
data="$tmp/data"
port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
base="http://127.0.0.1:$port"

"$tmp/dancu" serve --data "$data" --addr "127.0.0.1:$port" >"$tmp/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
	if node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "$base/healthz"; then
		break
	fi
	kill -0 "$server" 2>/dev/null || { cat "$tmp/serve.log" >&2; echo "run.sh: dancu serve exited" >&2; exit 1; }
	sleep 0.1
done

# Accounts, created while serving (SQLite in WAL mode allows it).
token() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).token))'; }
admin=$("$tmp/dancu" user add --role admin --name "Quản Trị Viên" --json --data "$data" | token)
outsider=$("$tmp/dancu" user add --role commune_officer --area 26737 --name "Lê Văn Tân" --json --data "$data" | token)

# A connected agency (approved, as the CLI's are) and its API key.
field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[process.argv[1]]))' "$1"; }
agency_json=$("$tmp/dancu" agency add --data "$data" --name "Ngân hàng Thử nghiệm" --kind bank \
	--operations verify,lookup,batch --fields pid,full_name,date_of_birth,gender,phone --purposes kyc --json)
agency_id=$(printf '%s' "$agency_json" | field agency_id)
agency_key=$(printf '%s' "$agency_json" | field key)

fixture="$tmp/fixture.json"
printf '{"base":"%s","admin":"%s","outsider":"%s","agency":"%s","agencyKey":"%s","dancu":"%s"}\n' \
	"$base" "$admin" "$outsider" "$agency_id" "$agency_key" "$tmp/dancu" >"$fixture"
node seed.mjs family "$fixture"
# The register keeps when each event was recorded, and "as of" reads by
# that time: move the family's first events thirty days back, so that the
# rename recorded next has an earlier name to show.
sqlite3 "$data/dancu.db" <<'SQL'
.timeout 5000
UPDATE citizen_versions SET recorded_at = recorded_at - 30*86400*1000000;
UPDATE citizens SET updated_at = updated_at - 30*86400*1000000;
UPDATE household_versions SET recorded_at = recorded_at - 30*86400*1000000;
UPDATE households SET updated_at = updated_at - 30*86400*1000000;
UPDATE events SET recorded_at = recorded_at - 30*86400*1000000;
SQL
node seed.mjs rename "$fixture"
# The agency verifies three people, so that the statistics have numbers.
node seed.mjs verify "$fixture"

mkdir -p screenshots
FIXTURE="$fixture" node --test --test-concurrency=1 console.test.mjs agencies.test.mjs reconcile.test.mjs
