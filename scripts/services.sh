# Starts PostgreSQL and MariaDB for the test suite when they are down, installing
# them from Debian's packages when they are missing. Sourced by .ci/run.

wait_port() {
  local host=$1 port=$2 i
  for i in $(seq 1 60); do port_open "$host" "$port" && return 0; sleep 0.5; done
  return 1
}

ensure_postgres() {
  port_open 127.0.0.1 5432 && return 0
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    say "installing PostgreSQL (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    local conf; conf=$(ls -d /etc/postgresql/*/main | head -1)
    # Loopback only, trust: a throwaway test server, never reachable from outside.
    printf 'local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n' > "$conf/pg_hba.conf"
  fi
  say "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  wait_port 127.0.0.1 5432 || return 1
  psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" 2>/dev/null | grep -q 1 \
    || psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE test" || true
}

ensure_mariadb() {
  port_open 127.0.0.1 3306 && return 0
  if [ ! -x /usr/sbin/mariadbd ]; then
    say "installing MariaDB (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server >/dev/null
  fi
  say "starting MariaDB"
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql --bind-address=127.0.0.1 || true
  wait_port 127.0.0.1 3306 || return 1
  # Root over TCP with an empty password, as on the project's machines.
  mariadb -uroot -e "CREATE DATABASE IF NOT EXISTS test;
    CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
    GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;" 2>/dev/null || true
}

# Redis for the cluster tests (the bus); the outage test also runs redis-server
# itself on a free port, so the binary must be there.
ensure_redis() {
  if ! command -v redis-server >/dev/null 2>&1; then
    say "installing Redis (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  fi
  port_open 127.0.0.1 6379 && return 0
  say "starting Redis"
  redis-server --port 6379 --bind 127.0.0.1 --daemonize yes --save "" --appendonly no >/dev/null
  wait_port 127.0.0.1 6379
}

# nginx for the test that runs the repo's deploy/nginx/confab.conf in front of
# two nodes (the test starts its own nginx on a free port; the Debian service
# itself is not needed).
ensure_nginx() {
  [ -x /usr/sbin/nginx ] && return 0
  say "installing nginx (apt-get)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
  # Debian starts it on port 80; the tests do not use that one.
  service nginx stop >/dev/null 2>&1 || true
  [ -x /usr/sbin/nginx ]
}
