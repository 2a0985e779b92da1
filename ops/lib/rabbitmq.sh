# shellcheck shell=bash
# A local RabbitMQ broker for development, without systemd.
#
# Source this file, then:
#   ensure_rabbitmq          install rabbitmq-server if missing, start it detached on
#                            127.0.0.1:5672 unless something already listens there.
#                            Sets NGRTC_RABBITMQ_STARTED=1 if it started it.
#   rabbitmq_down_if_started stop it again, only if ensure_rabbitmq started it
#   rabbitmq_down            stop it
#
# Security: the broker keeps its default guest/guest account, which RabbitMQ only
# accepts from loopback, and listens on 127.0.0.1 only (epmd too). That is the local
# development exception; docker-compose.yml requires RABBITMQ_PASSWORD instead.

# shellcheck source=ops/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

NGRTC_RABBITMQ_PORT=5672
NGRTC_RABBITMQ_STARTED=0

rabbitmq_find() {
  command -v rabbitmq-server >/dev/null 2>&1 || [ -x /usr/sbin/rabbitmq-server ] || [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]
}

rabbitmq_bin() {
  local b
  for b in "$(command -v "$1" 2>/dev/null)" "/usr/sbin/$1" "/usr/lib/rabbitmq/bin/$1"; do
    [ -n "$b" ] && [ -x "$b" ] && { echo "$b"; return 0; }
  done
  return 1
}

ensure_rabbitmq() {
  export NGRTC_RABBITMQ_CONNECTION="amqp://guest:guest@127.0.0.1:$NGRTC_RABBITMQ_PORT"
  if ops_tcp_open "$NGRTC_RABBITMQ_PORT"; then
    ops_log "reusing RabbitMQ already listening on 127.0.0.1:$NGRTC_RABBITMQ_PORT"
    return 0
  fi
  rabbitmq_find || ops_apt_install rabbitmq-server
  rabbitmq_find || ops_die "rabbitmq-server still not found after installing it"
  ops_log "starting RabbitMQ on 127.0.0.1:$NGRTC_RABBITMQ_PORT"
  # `rabbitmqctl await_startup` right after -detached fails here: poll the port instead.
  # AMQP, epmd and the Erlang distribution port (25672) all bound to loopback.
  RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$NGRTC_RABBITMQ_PORT" \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
    ERL_EPMD_ADDRESS=127.0.0.1 "$(rabbitmq_bin rabbitmq-server)" -detached </dev/null >/dev/null 2>&1 9>&- \
    || ops_die "rabbitmq-server -detached failed (logs: /var/log/rabbitmq/)"
  NGRTC_RABBITMQ_STARTED=1
  local _
  for _ in $(seq 1 120); do
    ops_tcp_open "$NGRTC_RABBITMQ_PORT" && { ops_log "RabbitMQ is up"; return 0; }
    sleep 0.5
  done
  ops_die "RabbitMQ did not open 127.0.0.1:$NGRTC_RABBITMQ_PORT within 60 s (logs: /var/log/rabbitmq/)"
}

rabbitmq_down() {
  local ctl
  ctl="$(rabbitmq_bin rabbitmqctl)" || return 0
  ops_log "stopping RabbitMQ"
  "$ctl" stop </dev/null >/dev/null 2>&1 || true
  # epmd refuses -kill while the node is still registered: retry briefly.
  local _
  for _ in $(seq 1 20); do
    ERL_EPMD_ADDRESS=127.0.0.1 epmd -kill 2>/dev/null | grep -q Killed && break
    ops_tcp_open 4369 || break
    sleep 0.5
  done
  NGRTC_RABBITMQ_STARTED=0
}

rabbitmq_down_if_started() {
  [ "${NGRTC_RABBITMQ_STARTED:-0}" = 1 ] || return 0
  rabbitmq_down
}
