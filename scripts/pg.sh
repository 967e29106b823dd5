#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL server for the test suite.
#
#   scripts/pg.sh start DIR   initdb into DIR, start on a free loopback port,
#                             print the database URL on stdout
#   scripts/pg.sh stop DIR    stop it (DIR may then be removed)
#
# The server listens on 127.0.0.1 only and trusts local connections. Run as
# root, it runs the server as an unprivileged user, since PostgreSQL refuses
# to run as root; the cluster then lives in a fresh directory under /tmp that
# this user can reach (DIR may be inside a home directory it cannot), and
# DIR records where.
set -euo pipefail

usage() { echo "usage: scripts/pg.sh start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1
dir=$2

bindir() {
	if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
		pg_config --bindir
		return
	fi
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	if [ -n "$d" ] && [ -x "$d/initdb" ]; then
		echo "$d"
		return
	fi
	if command -v initdb >/dev/null 2>&1; then
		dirname "$(command -v initdb)"
		return
	fi
	echo "scripts/pg.sh: PostgreSQL server binaries (initdb, pg_ctl) not found; install the postgresql package" >&2
	exit 1
}

# as_owner runs a command as the unprivileged owner of the cluster.
as_owner() {
	if [ "$(id -u)" -ne 0 ]; then
		"$@"
		return
	fi
	local user=postgres
	if ! id "$user" >/dev/null 2>&1; then
		user=dancu-pg
		id "$user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
	fi
	chown -R "$user" "$cluster"
	if command -v runuser >/dev/null 2>&1; then
		runuser -u "$user" -- "$@"
	else
		su -s /bin/sh "$user" -c "$(printf '%q ' "$@")"
	fi
}

free_port() {
	local p
	for p in $(seq 54320 54399); do
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	echo "scripts/pg.sh: no free port in 54320-54399" >&2
	exit 1
}

case "$cmd" in
start)
	bin=$(bindir)
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if [ "$(id -u)" -eq 0 ]; then
		cluster=$(mktemp -d /tmp/dancu-pg.XXXXXX)
		chmod 0755 "$cluster"
	else
		cluster=$dir
	fi
	echo "$cluster" >"$dir/cluster"
	port=$(free_port)
	as_owner "$bin/initdb" -D "$cluster/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
		{ rm -rf "$cluster/data"; as_owner "$bin/initdb" -D "$cluster/data" -U postgres -A trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1; } ||
		{ cat "$dir/initdb.log" >&2; exit 1; }
	# Durability settings stay at their defaults: the tests check behaviour,
	# not speed, and must see what production sees.
	as_owner "$bin/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w -t 60 \
		-o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$cluster' -c max_connections=200" start >&2 ||
		{ cat "$cluster/server.log" >&2; exit 1; }
	echo "$port" >"$dir/port"
	echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
	;;
stop)
	[ -f "$dir/cluster" ] || exit 0
	cluster=$(cat "$dir/cluster")
	[ -d "$cluster/data" ] || exit 0
	bin=$(bindir)
	as_owner "$bin/pg_ctl" -D "$cluster/data" -m fast -w stop >&2 || true
	[ "$cluster" = "$dir" ] || rm -rf "$cluster"
	rm -f "$dir/cluster"
	;;
*)
	usage
	;;
esac
