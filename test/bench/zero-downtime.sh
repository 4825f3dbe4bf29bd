#!/usr/bin/env bash
# make bench, part two: what each zero-downtime measure buys. hey opens a new connection
# per request to the published port (127.0.0.1) while a pod scales down 5 -> 1 or replaces
# 3 replicas; failed requests are counted for
#   pod            as built: start-first, drain on SIGTERM, tcp_migrate_req=1
#   pod, no migrate  the same with net.ipv4.tcp_migrate_req=0 set in the pod's namespace
#   docker by hand   the same containers, no sysctl, changed with plain docker stop/run
# then the wall time of a rolling replace of 3 and of 10 replicas. On Podman (`make bench` runs it
# there too, through test/podman/podman.sh run with BENCH_ENGINE=Podman) the published port is
# netavark's DNAT, not a userland proxy.
set -euo pipefail
cd "$(dirname "$0")/../.."
POD=./bin/pod
RUNS=${RUNS:-3}
PORT=18210
CONC=${CONC:-300}
ENGINE_NAME=${BENCH_ENGINE:-Docker}
PROXY=$([ "$ENGINE_NAME" = Docker ] && echo docker-proxy || echo "netavark DNAT")

# No agent: it would bring back what cleanup removes, and change pods under measurement.
export POD_AGENT=0
# pod down removes the record too; then whatever is left. Docker ANDs label filters: one
# query per label. Podman refuses to remove a sandbox with replicas in the same call: replicas first.
cleanup() {
  $POD down bench-zd >/dev/null 2>&1 || true
  docker rm -f $(docker ps -aq --filter label=dev.pod.role=replica --filter label=dev.pod.name=bench-zd) $(docker ps -aq --filter label=bench=zd --filter label=bench-role=replica) >/dev/null 2>&1 || true
  docker rm -f $(docker ps -aq --filter label=dev.pod.name=bench-zd) $(docker ps -aq --filter label=bench=zd) >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup

migrate_off() { # $1: a container in the namespace
  nsenter -t "$(docker inspect -f '{{.State.Pid}}' "$1")" -n sh -c 'echo 0 > /proc/sys/net/ipv4/tcp_migrate_req'
}

# Load for the whole change; prints "failed total" (socket errors + non-2xx, all requests).
under_load() {
  local out; out=$(mktemp)
  hey -z 30s -c "$CONC" -disable-keepalive -t 5 "$(target_url)" >"$out" 2>&1 &
  local hey_pid=$!
  sleep 1
  "$@" >/dev/null 2>&1 || true
  sleep 0.5
  kill -INT "$hey_pid"; wait "$hey_pid" || true
  awk '
    /\[[0-9][0-9][0-9]\][ \t]+[0-9]+ responses/ { code=substr($1,2,3); n=$2; total+=n; if (code !~ /^2/) failed+=n }
    /Error distribution:/ { errs=1; next }
    errs && /\[[0-9]+\]/ { n=substr($1,2,length($1)-2); failed+=n; total+=n }
    END { printf "%d %d\n", failed, total }' "$out"
  rm -f "$out"
}

pod_up() { $POD up --name bench-zd --replicas "$1" -p 127.0.0.1:$PORT:8080 "${2:-http_server}" >/dev/null 2>&1; }

by_hand_up() { # $1 replicas
  docker run -d --name bench-zd-sandbox --label bench=zd -p 127.0.0.1:$PORT:8080 pod-sandbox >/dev/null
  for i in $(seq "$1"); do
    docker run -d --name bench-zd-$i --label bench=zd --label bench-role=replica --network container:bench-zd-sandbox -e POD_NAME=bench-zd -e POD_REPLICA=$i http_server >/dev/null
  done
  until [ "$(docker exec bench-zd-sandbox /pod-sandbox probe 8080 | awk '{print $2}')" -ge "$1" ]; do sleep 0.05; done
}
by_hand_scale_down() { for i in 5 4 3 2; do docker stop bench-zd-$i; docker rm bench-zd-$i; done; }
by_hand_replace() {
  for i in 1 2 3; do
    docker stop bench-zd-$i && docker rm bench-zd-$i
    docker run -d --name bench-zd-$i --label bench=zd --label bench-role=replica --network container:bench-zd-sandbox -e POD_NAME=bench-zd -e POD_REPLICA=$i http_server:v2
  done
}

# published: 127.0.0.1:PORT, through Docker's userland proxy, as users reach the pod here.
# direct: the sandbox's own address, the kernel path (what --userland-proxy=false gives).
target_url() {
  if [ "$TARGET" = published ]; then echo "http://127.0.0.1:$PORT/"
  else echo "http://$(docker inspect -f '{{.NetworkSettings.IPAddress}}' bench-zd-sandbox):8080/"; fi
}

declare -A failed total
measure() { # key setup... -- change...
  local key=$1; shift
  local setup=() change=()
  while [ "$1" != "--" ]; do setup+=("$1"); shift; done; shift; change=("$@")
  for run in $(seq "$RUNS"); do
    cleanup
    "${setup[@]}"
    read -r f t < <(under_load "${change[@]}")
    key2="$TARGET-$key"
    failed[$key2]=$(( ${failed[$key2]:-0} + f )); total[$key2]=$(( ${total[$key2]:-0} + t ))
    echo "$key2 run $run/$RUNS: $f failed of $t" >&2
  done
}

setup_pod() { pod_up "$1"; }
setup_pod_nomigrate() { pod_up "$1"; migrate_off bench-zd-sandbox; }

for TARGET in published direct; do
  measure "down-pod"       setup_pod 5 -- $POD scale bench-zd 1
  measure "down-nomigrate" setup_pod_nomigrate 5 -- $POD scale bench-zd 1
  measure "down-docker"    by_hand_up 5 -- by_hand_scale_down
  measure "roll-pod"       setup_pod 3 -- pod_up 3 http_server:v2
  measure "roll-nomigrate" setup_pod_nomigrate 3 -- pod_up 3 http_server:v2
  measure "roll-docker"    by_hand_up 3 -- by_hand_replace
done
cleanup

# Wall time of a rolling replace, one replica at a time, start-first.
now() { date +%s%N; }
declare -a roll3 roll10
for run in $(seq "$RUNS"); do
  for n in 3 10; do
    cleanup; pod_up $n http_server
    t=$(now); pod_up $n http_server:v2; ms=$(( ($(now) - t) / 1000000 ))
    if [ $n = 3 ]; then roll3+=("$ms"); else roll10+=("$ms"); fi
  done
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo
echo "Failed requests during changes on $ENGINE_NAME, hey -c $CONC, a new connection per request, $RUNS runs each (all runs summed)"
printf '| %-50s | %-22s | %-22s | %-22s |\n' "change (path)" "pod (as built)" "pod, tcp_migrate_req=0" "plain docker stop/run"
printf '|%s|%s|%s|%s|\n' "----------------------------------------------------" "------------------------" "------------------------" "------------------------"
cell() { printf '%d of %d' "${failed[$1]}" "${total[$1]}"; }
for TARGET in published direct; do
  path=$([ $TARGET = published ] && echo "127.0.0.1:$PORT, $PROXY" || echo "pod address, kernel path")
  printf '| %-50s | %-22s | %-22s | %-22s |\n' "scale down 5 -> 1 ($path)" "$(cell $TARGET-down-pod)" "$(cell $TARGET-down-nomigrate)" "$(cell $TARGET-down-docker)"
  printf '| %-50s | %-22s | %-22s | %-22s |\n' "replace 3 ($path)" "$(cell $TARGET-roll-pod)" "$(cell $TARGET-roll-nomigrate)" "$(cell $TARGET-roll-docker)"
done
echo
echo "Rolling replace with pod up on $ENGINE_NAME (start-first, one at a time), median of $RUNS"
printf '| %-36s | %10s |\n' "replicas" "wall time"
printf '|%s|%s|\n' "--------------------------------------" "------------"
printf '| %-36s | %7s ms |\n' "3" "$(median "${roll3[@]}")" "10" "$(median "${roll10[@]}")"
