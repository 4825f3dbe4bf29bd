#!/usr/bin/env bash
# A Podman engine for pod's tests, beside Docker: Debian's podman serving its
# Docker-compatible API on a socket of the tests' own, with a config of the tests' own
# (CONTAINERS_CONF, never /etc), inside a network namespace of its own, so its bridge,
# firewall rules and published ports never meet Docker's (nor a concurrent Docker run's
# ports: the suite publishes the same host ports on both engines).
#
#   podman.sh start            the service, reused when ours already answers
#   podman.sh images IMAGE...  copy images from Docker when missing or changed
#   podman.sh run CMD...       CMD in the namespace, with POD_TEST_ENGINE=podman and
#                              DOCKER_HOST at the service (pod and docker talk to Podman)
#   podman.sh restart SIGNAL   stop the service with SIGTERM or SIGKILL, start it again
#   podman.sh stop             stop the service (containers stay: conmon holds them)
#   podman.sh podman ARGS...   the podman CLI with the tests' config, in the namespace
#
# Run podman itself only through this script: a podman outside the namespace that removes a
# container runs netavark's teardown in the host's namespace, which writes the host's
# firewall and leaves the container's port rules behind in the namespace (new containers on
# those ports then get "no route to host").
#
# Settings (environment): POD_TEST_PODMAN_DIR (default /run/pod-test: socket, config, pid
# file), POD_TEST_NETNS (default pod-test), POD_TEST_PODMAN_LOG (default .cache/podman.log).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DIR=${POD_TEST_PODMAN_DIR:-/run/pod-test}
NETNS=${POD_TEST_NETNS:-pod-test}
LOG=${POD_TEST_PODMAN_LOG:-$ROOT/.cache/podman.log}
SOCK=$DIR/podman.sock
PIDFILE=$DIR/podman.pid
export CONTAINERS_CONF=$DIR/containers.conf CONTAINERS_REGISTRIES_CONF=$DIR/registries.conf

# Why each line (measured here, see docs/podman-findings.md): this sandbox lets no OCI
# runtime set rlimits above the hard ones, and crun set none at all nor cgroups; runc with
# the cgroupfs manager works. No journald here: events go to a file. netavark, not CNI:
# both are installed, and only netavark (with aardvark-dns) names containers on user networks.
# Networks the tests create are kept beside the socket, not in /etc/containers/networks.
config() {
  local hard
  hard=$(ulimit -Hn)
  cat <<EOF
# Written by pod's test/podman/podman.sh for its tests; not a system configuration.
[containers]
default_ulimits = ["nofile=$hard:$hard", "nproc=32768:32768"]

[network]
network_backend = "netavark"
network_config_dir = "$DIR/networks"

[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
events_logger = "file"
EOF
}

# Docker pulls from a registry on 127.0.0.0/8 over plain HTTP; Podman only from one marked
# insecure. The registry tests' own, on 127.0.0.1:5000 (in the namespace: Podman's loopback).
registries() {
  cat <<EOF
# Written by pod's test/podman/podman.sh for its tests; not a system configuration.
[[registry]]
location = "127.0.0.1:5000"
insecure = true
EOF
}

# The podman CLI where the service runs.
in_ns() { nsenter --net="/run/netns/$NETNS" podman "$@"; }

netns_id() { readlink "/proc/$1/ns/net" 2>/dev/null; }

ensure_netns() {
  [ -e "/run/netns/$NETNS" ] || ip netns add "$NETNS"
  ip -n "$NETNS" link set lo up
}

answering() { curl -sf --max-time 2 --unix-socket "$SOCK" http://podman/_ping >/dev/null 2>&1; }

# Our service: the recorded process, alive, a podman, in our namespace.
ours() {
  local pid
  pid=$(cat "$PIDFILE" 2>/dev/null) || return 1
  [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'podman system service' || return 1
  [ "$(netns_id "$pid")" = "$(nsenter --net="/run/netns/$NETNS" readlink /proc/self/ns/net)" ]
}

start() {
  command -v podman >/dev/null || { echo "podman.sh: podman is not installed (make podman installs it)" >&2; exit 1; }
  mkdir -p "$DIR" "$(dirname "$LOG")"
  ensure_netns
  local restart=""
  local f file
  for f in config registries; do
    file=$CONTAINERS_CONF
    [ $f = registries ] && file=$CONTAINERS_REGISTRIES_CONF
    if [ "$(cat "$file" 2>/dev/null)" != "$($f)" ]; then
      $f >"$file.tmp" && mv "$file.tmp" "$file"
      restart=1
    fi
  done
  if ours; then
    for _ in $(seq 40); do answering && break; sleep 0.25; done
    if answering && [ -z "$restart" ]; then
      echo "podman service answers at unix://$SOCK (pid $(cat "$PIDFILE"))"
      return
    fi
    stop
  elif answering; then
    echo "podman.sh: something that is not this script's service answers at $SOCK; stop it or set POD_TEST_PODMAN_DIR" >&2
    exit 1
  fi
  rm -f "$SOCK"
  echo "starting podman system service at unix://$SOCK in network namespace $NETNS (log: ${LOG#"$ROOT"/})"
  # --time=0: never exits when idle. setsid: outlives make and the test run.
  setsid nohup nsenter --net="/run/netns/$NETNS" podman system service --time=0 "unix://$SOCK" >>"$LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  for _ in $(seq 120); do answering && return; sleep 0.25; done
  echo "podman.sh: the podman service did not come up; see $LOG" >&2
  tail -20 "$LOG" >&2
  exit 1
}

stop() { signal TERM; }

signal() {
  local pid
  pid=$(cat "$PIDFILE" 2>/dev/null) || return 0
  ours || { rm -f "$PIDFILE"; return 0; }
  kill "-$1" "$pid"
  for _ in $(seq 300); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
  rm -f "$PIDFILE"
}

# Docker's image ids are the config digests, and so are Podman's after a load: equal ids,
# same image.
images() {
  local missing=() img d p
  for img in "$@"; do
    d=$(docker image inspect -f '{{.Id}}' "$img")
    p=$(in_ns image inspect --format '{{.Id}}' "$img" 2>/dev/null || true)
    if [ "${d#sha256:}" = "$p" ]; then echo "image $img up to date in Podman"; else missing+=("$img"); fi
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  echo "copying to Podman: ${missing[*]}"
  docker save "${missing[@]}" | in_ns load -q >/dev/null
  # The tags moved: their old images are dangling now.
  in_ns image prune -f >/dev/null
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart)
    [[ "${2:-}" =~ ^(TERM|KILL)$ ]] || { echo "usage: podman.sh restart TERM|KILL" >&2; exit 2; }
    signal "$2"
    start >/dev/null
    ;;
  images) shift; ensure_netns; images "$@" ;;
  podman) shift; ensure_netns; in_ns "$@" ;;
  run)
    shift
    ours || { echo "podman.sh: the podman service is not running (make podman starts it)" >&2; exit 1; }
    exec nsenter --net="/run/netns/$NETNS" env POD_TEST_ENGINE=podman POD_TEST_PODMAN_DIR="$DIR" DOCKER_HOST="unix://$SOCK" "$@"
    ;;
  *) sed -n '2,/^set /p' "$0" | grep '^#' | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
