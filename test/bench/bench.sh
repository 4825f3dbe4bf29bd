#!/usr/bin/env bash
# make bench: wall times, median of 5 runs, printed as a table.
#   pod up --replicas 10, until serving  vs  the same containers from a sequential
#   `docker run` loop plus polling until all ten listen; and removing the ten both ways.
# Traffic and probes stay on this machine: 127.0.0.1 and the pod's own namespace.
set -euo pipefail
cd "$(dirname "$0")/../.."
POD=./bin/pod
RUNS=${RUNS:-5}
N=10
PORT=18200

now() { date +%s%N; }
ms_since() { echo $(( ($(now) - $1) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# Docker ANDs label filters: one query per label.
cleanup() { docker rm -f $(docker ps -aq --filter label=dev.pod.name=bench-pod) $(docker ps -aq --filter label=bench=loop) >/dev/null 2>&1 || true; }
trap cleanup EXIT
cleanup

# Until the sandbox's namespace holds $N listeners on 8080, as pod's own readiness asks.
wait_listening() {
  until [ "$(docker exec "$1" /pod-sandbox probe 8080 | awk '{print $2}')" -ge "$N" ]; do sleep 0.05; done
}

declare -a pod_up pod_down loop_up loop_down
for run in $(seq "$RUNS"); do
  t=$(now); $POD up --name bench-pod --replicas $N -p 127.0.0.1:$PORT:8080 http_server >/dev/null 2>&1; pod_up+=("$(ms_since "$t")")
  [ "$(curl -s http://127.0.0.1:$PORT/ | cut -c1-10)" = "Hello from" ] || { echo "bench: pod is not serving" >&2; exit 1; }
  t=$(now); $POD down bench-pod >/dev/null 2>&1; pod_down+=("$(ms_since "$t")")

  t=$(now)
  docker run -d --name bench-loop-sandbox --label bench=loop -p 127.0.0.1:$PORT:8080 \
    --sysctl net.ipv4.tcp_migrate_req=1 pod-sandbox >/dev/null
  for i in $(seq $N); do
    docker run -d --name bench-loop-$i --label bench=loop --network container:bench-loop-sandbox \
      -e POD_NAME=bench-loop -e POD_REPLICA=$i http_server >/dev/null
  done
  wait_listening bench-loop-sandbox
  loop_up+=("$(ms_since "$t")")
  t=$(now)
  for i in $(seq $N); do docker stop bench-loop-$i >/dev/null; docker rm bench-loop-$i >/dev/null; done
  docker rm -f bench-loop-sandbox >/dev/null
  loop_down+=("$(ms_since "$t")")
  echo "run $run/$RUNS: pod up ${pod_up[-1]} ms, loop ${loop_up[-1]} ms, pod down ${pod_down[-1]} ms, loop down ${loop_down[-1]} ms" >&2
done

row() { printf '| %-58s | %8s ms | %8s ms | %8s ms |\n' "$1" "$(printf '%s\n' "${@:2}" | median)" "$(printf '%s\n' "${@:2}" | sort -n | head -1)" "$(printf '%s\n' "${@:2}" | sort -n | tail -1)"; }
echo
echo "Starting and removing $N replicas (median of $RUNS; $(nproc) cores; $(docker version -f 'engine {{.Server.Version}}'))"
printf '| %-58s | %11s | %11s | %11s |\n' "measure" "median" "min" "max"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..60})" "-------------" "-------------" "-------------"
row "pod up --replicas $N, until all listen" "${pod_up[@]}"
row "docker run loop (sandbox + $N), polling until all listen" "${loop_up[@]}"
row "pod down ($N replicas + sandbox)" "${pod_down[@]}"
row "docker stop + rm loop ($N + sandbox)" "${loop_down[@]}"
