#!/usr/bin/env bash
# make bench: `pod up --replicas 100` until all hundred listen, and `pod down` of it (issue
# 14's target: up within 5 s on this machine), median of RUNS runs. pod up returns once its
# readiness gate saw every replica listen; each run checks that with the sandbox's own probe
# (outside the timing) and that the port answers on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."
POD=${POD:-./bin/pod}
RUNS=${RUNS:-3}
N=100
NAME=bench-r100
PORT=18300
export POD_AGENT=0

now() { date +%s%N; }
ms_since() { echo $(( ($(now) - $1) / 1000000 )); }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
cleanup() {
  $POD down "$NAME" >/dev/null 2>&1 || true
  docker rm -f $(docker ps -aq --filter label=dev.pod.name=$NAME) >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup

declare -a up down floor
for run in $(seq "$RUNS"); do
  floor+=("$(node test/bench/engine-floor.mjs $N)")
  t=$(now)
  if ! out=$($POD up --name $NAME --replicas $N -p 127.0.0.1:$PORT:8080 http_server 2>&1); then
    echo "bench: pod up --replicas $N failed: $(tail -3 <<<"$out")" >&2; exit 1
  fi
  up+=("$(ms_since "$t")")
  listening=$(docker exec $NAME-sandbox /pod-sandbox probe 8080 | awk '{print $2}')
  [ "$listening" -ge $N ] || { echo "bench: pod up returned with $listening of $N listening" >&2; exit 1; }
  [ "$(curl -s --max-time 2 http://127.0.0.1:$PORT/ | cut -c1-10)" = "Hello from" ] || { echo "bench: the pod does not answer" >&2; exit 1; }
  t=$(now); $POD down $NAME >/dev/null 2>&1; down+=("$(ms_since "$t")")
  echo "run $run/$RUNS: up ${up[-1]} ms ($listening listening), down ${down[-1]} ms; the engine alone ${floor[-1]} ms" >&2
done

verdict() { [ "$1" -le "$2" ] && echo met || echo "NOT met"; }
up_med=$(median "${up[@]}")
echo
echo "$N replicas (median of $RUNS; $(nproc) cores; $(docker version -f 'engine {{.Server.Version}}'); load average $(cut -d' ' -f1-3 /proc/loadavg))"
printf '| %-40s | %9s | %9s | %9s | %-14s |\n' "measure" "median" "min" "max" "target"
printf '|%s|%s|%s|%s|%s|\n' "------------------------------------------" "-----------" "-----------" "-----------" "----------------"
row() { printf '| %-40s | %6s ms | %6s ms | %6s ms | %-14s |\n' "$1" "$(median "${@:3}")" "$(printf '%s\n' "${@:3}" | sort -n | head -1)" "$(printf '%s\n' "${@:3}" | sort -n | tail -1)" "$2"; }
row "pod up --replicas $N, until all listen" "≤ 5 s: $(verdict "$up_med" 5000)" "${up[@]}"
row "the engine alone, until all listen" "(the floor)" "${floor[@]}"
row "pod down ($N replicas + sandbox)" "" "${down[@]}"
