#!/usr/bin/env bash
# make bench: with live-restore on, the engine restarts under running containers and makes a
# new socket file; the agent, whose bind mount kept the old one, must reach the new one and
# heal. Measured: from `docker rm -f` of a replica (once the engine is back) to the port
# answering from every replica again (issue 17's target: ≤ 5 s). Also: a prune while a
# sandbox is down leaves the record (history and asked count equal before and after).
# It restarts dockerd (detached, with setsid, as the e2e harness does), puts daemon.json
# back as it was, and leaves the engine running. Skipped unless BENCH_ENGINE_RESTART=1.
set -euo pipefail
cd "$(dirname "$0")/../.."
POD=./bin/pod
NAME=bench-lr
PORT=18660
if [ "${BENCH_ENGINE_RESTART:-0}" != 1 ]; then echo; echo "engine restart rows skipped (set BENCH_ENGINE_RESTART=1: they restart dockerd)"; exit 0; fi

now() { date +%s%N; }
CONF=/etc/docker/daemon.json
SAVED=$(mktemp)
if [ -f "$CONF" ]; then cp "$CONF" "$SAVED"; HAD=1; else HAD=0; fi

restart_engine() {
  local pid; pid=$(pidof dockerd)
  kill -TERM "$pid"
  for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  # A containerd left from the old daemon must be gone before a new dockerd starts.
  local cpid; cpid=$(cat /var/run/docker/containerd/containerd.pid 2>/dev/null || true)
  [ -n "$cpid" ] && for _ in $(seq 100); do kill -0 "$cpid" 2>/dev/null || break; sleep 0.1; done
  rm -f /var/run/docker.pid
  mkdir -p .cache
  setsid nohup dockerd >>.cache/dockerd.log 2>&1 </dev/null &
  for _ in $(seq 600); do docker info >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "bench: dockerd did not come back" >&2; exit 1
}
cleanup() {
  $POD down "$NAME" >/dev/null 2>&1 || true
  if [ "$HAD" = 1 ]; then cp "$SAVED" "$CONF"; else rm -f "$CONF"; fi
  restart_engine
}
trap cleanup EXIT

serving() { # every replica answers
  local seen; seen=$(for _ in $(seq 40); do curl -s -H 'Connection: close' "http://127.0.0.1:$PORT/"; echo; done | sort -u | grep -c "Hello from $NAME-")
  [ "$seen" -ge 2 ]
}

echo '{"live-restore": true}' >"$CONF"
restart_engine
POD_AGENT= $POD agent start >/dev/null
$POD up --name "$NAME" --replicas 2 -p 127.0.0.1:$PORT:8080 --no-agent http_server >/dev/null 2>&1
restart_engine # the engine restarts under the running pod and the agent: a new socket file
t0=$(now); docker rm -f $NAME-2 >/dev/null
until serving; do sleep 0.05; done
heal=$(( ($(now) - t0) / 1000000 ))

# A prune while the sandbox is down.
$POD scale "$NAME" 2 >/dev/null 2>&1
$POD agent stop >/dev/null
before=$($POD history "$NAME" --json; $POD ps "$NAME" --json | grep -o '"asked": [0-9]*')
docker stop $NAME-sandbox >/dev/null
docker system prune -f --volumes >/dev/null
after=$($POD history "$NAME" --json; $POD ps "$NAME" --json | grep -o '"asked": [0-9]*')
prune=$([ "$before" = "$after" ] && echo "equal" || echo "DIFFERENT")

echo
echo "The engine's world (live-restore on; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg))"
printf '| %-62s | %10s | %-12s |\n' "measure" "value" "target"
printf '|%s|%s|%s|\n' "----------------------------------------------------------------" "------------" "--------------"
printf '| %-62s | %7s ms | %-12s |\n' "heal a removed replica after an engine restart (live-restore)" "$heal" "≤ 5 s: $([ "$heal" -le 5000 ] && echo met || echo NOT met)"
printf '| %-62s | %10s | %-12s |\n' "history and asked count across system prune --volumes" "$prune" "equal"
