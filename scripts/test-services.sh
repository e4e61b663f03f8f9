#!/usr/bin/env bash
# Makes sure what the tests need answers before they run: Redis on 127.0.0.1:6379 and PostgreSQL on
# 127.0.0.1:5432 (each started when none answers) and Debian's chromium for the browser test
# (installed when missing and we may). Both the
# README's `npm test` and CI's .ci/run call this, so a fresh machine needs nothing else.
set -euo pipefail

redis_answers() {
  # A bare PING over /dev/tcp: no redis-cli needed.
  (exec 3<>/dev/tcp/127.0.0.1/6379 && printf 'PING\r\n' >&3 && IFS= read -r -t 2 line <&3 && [[ "$line" == +PONG* ]]) 2>/dev/null
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi
}

if ! redis_answers; then
  echo "test-services: no Redis on 127.0.0.1:6379, starting one"
  if ! command -v redis-server >/dev/null; then
    as_root apt-get install -y --no-install-recommends redis-server >/dev/null 2>&1 \
      || { as_root apt-get update >/dev/null && as_root apt-get install -y --no-install-recommends redis-server >/dev/null; } \
      || { echo "test-services: cannot install redis-server (need root or sudo); start Redis on 127.0.0.1:6379" >&2; exit 1; }
  fi
  # noeviction: BullMQ must never lose a key to memory pressure.
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --maxmemory-policy noeviction --dir /tmp --logfile /tmp/crosswalk-test-redis.log
  for _ in $(seq 1 50); do redis_answers && break; sleep 0.1; done
  redis_answers || { echo "test-services: Redis did not start (see /tmp/crosswalk-test-redis.log)" >&2; exit 1; }
fi

pg_answers() {
  (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null
}

if ! pg_answers; then
  echo "test-services: no PostgreSQL on 127.0.0.1:5432, starting one"
  if ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
    as_root apt-get install -y --no-install-recommends postgresql >/dev/null 2>&1 \
      || { as_root apt-get update >/dev/null && as_root apt-get install -y --no-install-recommends postgresql >/dev/null; } \
      || { echo "test-services: cannot install postgresql (need root or sudo); start PostgreSQL on 127.0.0.1:5432" >&2; exit 1; }
  fi
  version="$(ls /etc/postgresql | sort -V | tail -n 1)"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start \
    || { echo "test-services: PostgreSQL $version did not start (see /var/log/postgresql)" >&2; exit 1; }
  for _ in $(seq 1 100); do pg_answers && break; sleep 0.1; done
  pg_answers || { echo "test-services: PostgreSQL did not answer on 127.0.0.1:5432" >&2; exit 1; }
fi
# The tests connect as postgres to database test over loopback without a password (trust), as these
# machines are set up; a fresh Debian cluster needs both.
if command -v psql >/dev/null && ! psql -h 127.0.0.1 -U postgres -d test -Atc 'select 1' >/dev/null 2>&1; then
  as_root su postgres -c "createdb test" >/dev/null 2>&1 || true
  psql -h 127.0.0.1 -U postgres -d test -Atc 'select 1' >/dev/null 2>&1 \
    || { echo "test-services: PostgreSQL answers but postgres@127.0.0.1/test does not accept a trusted connection (pg_hba.conf)" >&2; exit 1; }
fi

if [ ! -x /usr/bin/chromium ]; then
  echo "test-services: installing Debian's chromium for the browser test"
  as_root apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 \
    || { as_root apt-get update >/dev/null && as_root apt-get install -y --no-install-recommends chromium >/dev/null; } \
    || { echo "test-services: cannot install chromium (need root or sudo): apt-get install chromium" >&2; exit 1; }
fi
