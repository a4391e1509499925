#!/bin/bash
# Start the machine's PostgreSQL, MariaDB, Redis and RabbitMQ if one is
# down: the tests that are about them fail (never skip) without them.
set -uo pipefail
up() { timeout 1 bash -c "echo > /dev/tcp/127.0.0.1/$1" 2>/dev/null; }
wait_up() {
    for _ in $(seq 1 60); do up "$1" && return 0; sleep 1; done
    echo "service on port $1 did not come up" >&2
}
if ! up 5432; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
    wait_up 5432
fi
if ! up 3306; then
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
    wait_up 3306
fi
if ! up 6379; then
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
        --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
    wait_up 6379
fi
if ! up 5672; then
    rabbitmq-server -detached
    wait_up 5672
fi
exit 0
