#!/usr/bin/env bash
# make bench: start-up, as the ratio of pod's wall time to `node -e 0` on this machine,
# run by run in turn (A B A B …) so the ratio holds when the machine's speed drifts.
# `pod ps` runs against an engine with no pod, then with one 3-replica pod (the engine's
# answers and reading them cost that row more). Target: at most 2×.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-21}
export POD_AGENT=0

ms() { local t=$(date +%s%N); "$@" >/dev/null 2>&1; echo $(( ($(date +%s%N) - t) / 1000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

row() {
  local label=$1; shift
  local ratios=() pods=() nodes=()
  ms "$@" >/dev/null; ms node -e 0 >/dev/null # warm-up
  for _ in $(seq "$RUNS"); do
    local a b
    a=$(ms "$@"); b=$(ms node -e 0)
    pods+=("$a"); nodes+=("$b"); ratios+=("$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }')")
  done
  printf '| %-28s | %8.1f ms | %8.1f ms | %6s× |  ≤ 2× |\n' "$label" \
    "$(printf '%s\n' "${pods[@]}" | median | awk '{print $1/1000}')" \
    "$(printf '%s\n' "${nodes[@]}" | median | awk '{print $1/1000}')" \
    "$(printf '%s\n' "${ratios[@]}" | median)"
}

echo
echo "Start-up against node -e 0 (median of $RUNS pairs; the ratio is the median of each pair's ratio)"
printf '| %-28s | %11s | %11s | %7s | %5s |\n' "command" "pod" "node -e 0" "ratio" "target"
printf '|%s|%s|%s|%s|%s|\n' "------------------------------" "-------------" "-------------" "---------" "-------"
row "pod --help" ./bin/pod --help
row "pod ps (no pod)" ./bin/pod ps
./bin/pod up --name bench-start --replicas 3 -p 127.0.0.1:18690:8080 http_server >/dev/null 2>&1
trap './bin/pod down bench-start >/dev/null 2>&1 || true' EXIT
row "pod ps (one pod, 3 replicas)" ./bin/pod ps
row "pod --version" ./bin/pod --version
