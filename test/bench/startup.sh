#!/usr/bin/env bash
# make bench: start-up, as the ratio of pod's wall time to `node -e 0` on this machine,
# run by run in turn (A B A B …) so the ratio holds when the machine's speed drifts.
# `pod ps` runs against an engine with no pod of its own, then with one 3-replica pod (the
# engine's answers and reading them cost that row more), then with 20 pods of 3 replicas.
# Targets (issue 14): 2× for a command on one pod, 2.5× for ps of 20 pods. Other pods on
# the engine (another session's) count too: the table says how many there were.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-21}
MANY=${MANY:-20}
export POD_AGENT=0

ms() { local t=$(date +%s%N); "$@" >/dev/null 2>&1; echo $(( ($(date +%s%N) - t) / 1000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

row() {
  local label=$1 target=$2; shift 2
  local ratios=() pods=() nodes=()
  ms "$@" >/dev/null; ms node -e 0 >/dev/null # warm-up
  for _ in $(seq "$RUNS"); do
    local a b
    a=$(ms "$@"); b=$(ms node -e 0)
    pods+=("$a"); nodes+=("$b"); ratios+=("$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }')")
  done
  printf '| %-34s | %8.1f ms | %8.1f ms | %6s× | %s\n' "$label" \
    "$(printf '%s\n' "${pods[@]}" | median | awk '{print $1/1000}')" \
    "$(printf '%s\n' "${nodes[@]}" | median | awk '{print $1/1000}')" \
    "$(printf '%s\n' "${ratios[@]}" | median)" "$target"
}

pods_on_engine() { ./bin/pod ps -q 2>/dev/null | grep -c . || true; }

cleanup() {
  ./bin/pod down bench-start >/dev/null 2>&1 || true
  for i in $(seq "$MANY"); do ./bin/pod down "bench-many-$i" >/dev/null 2>&1 & done
  wait
}
trap cleanup EXIT

echo
echo "Start-up against node -e 0 (median of $RUNS pairs; the ratio is the median of each pair's ratio)"
printf '| %-34s | %11s | %11s | %7s | %s\n' "command" "pod" "node -e 0" "ratio" "target"
printf '|%s|%s|%s|%s|%s\n' "------------------------------------" "-------------" "-------------" "---------" "-------"
row "pod --help" "2×" ./bin/pod --help
row "pod --version" "2×" ./bin/pod --version
row "pod ps ($(pods_on_engine) pods on the engine)" "" ./bin/pod ps
./bin/pod up --name bench-start --replicas 3 -p 127.0.0.1:18690:8080 http_server >/dev/null 2>&1
row "pod ps (one pod, 3 replicas)" "2×" ./bin/pod ps
row "pod ps NAME" "2×" ./bin/pod ps bench-start
row "pod inspect NAME" "2×" ./bin/pod inspect bench-start
for i in $(seq "$MANY"); do
  ./bin/pod up --name "bench-many-$i" --replicas 3 -p "127.0.0.1:$((18610 + i)):8080" http_server >/dev/null 2>&1
done
row "pod ps ($(pods_on_engine) pods of 3 replicas)" "2.5×" ./bin/pod ps
