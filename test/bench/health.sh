#!/usr/bin/env bash
# make bench: a replica turning unhealthy → a healthy replacement serving, by the agent
# (issue 16). The floor is interval × retries (the engine needs that many failed checks to
# call it unhealthy); the target is within 3 s of it, with no failed request under hey load
# (a new connection per request, on 127.0.0.1). Two rows: the image's own HEALTHCHECK
# (http_server:health: every 1 s, 2 retries) and pod's own --health-http on an image with
# nothing in it (http_server, the same timings). Median of RUNS runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
POD=./bin/pod
RUNS=${RUNS:-3}
PORT=18650
NAME=bench-health
FLOOR_MS=2000

now() { date +%s%N; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
cleanup() {
  $POD down "$NAME" >/dev/null 2>&1 || true
  docker rm -f $(docker ps -aq --filter label=dev.pod.name=$NAME) >/dev/null 2>&1 || true
  [ "${STARTED_AGENT:-0}" = 1 ] && $POD agent stop >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup
if ! $POD agent status | grep -q "is running"; then POD_AGENT= $POD agent start >/dev/null; STARTED_AGENT=1; fi

# One run: ms from the replica's check failing (its marker set) to a new, healthy replica 2.
one() { # $@: the up's extra arguments and image
  $POD up --name "$NAME" --replicas 3 -p 127.0.0.1:$PORT:8080 --no-agent "$@" >/dev/null 2>&1
  local old out t0 id status
  old=$(docker inspect -f '{{.Id}}' $NAME-2)
  out=$(mktemp)
  hey -z 60s -c 20 -disable-keepalive -t 5 "http://127.0.0.1:$PORT/" >"$out" 2>&1 &
  local hey=$!
  sleep 1
  t0=$(now)
  docker exec $NAME-2 /http_server -make-unhealthy
  for _ in $(seq 600); do
    id=$(docker inspect -f '{{.Id}}' $NAME-2 2>/dev/null || true)
    status=$(docker inspect -f '{{.State.Health.Status}}' $NAME-2 2>/dev/null || true)
    [ -n "$id" ] && [ "$id" != "$old" ] && [ "$status" = healthy ] && break
    sleep 0.05
  done
  local ms=$(( ($(now) - t0) / 1000000 ))
  sleep 1; kill -INT "$hey"; wait "$hey" || true
  local failed
  failed=$(awk '/\[[0-9][0-9][0-9]\][ \t]+[0-9]+ responses/ { if (substr($1,2,3) !~ /^2/) f+=$2 } /Error distribution:/ { e=1; next } e && /\[[0-9]+\]/ { f+=substr($1,2,length($1)-2) } END { print f+0 }' "$out")
  rm -f "$out"
  $POD down "$NAME" >/dev/null 2>&1
  echo "$ms $failed"
}

row() { # $1 label, then the up's arguments
  local label=$1; shift
  local times=() fails=0
  for run in $(seq "$RUNS"); do
    read -r ms failed < <(one "$@")
    echo "  $label, run $run/$RUNS: ${ms} ms, $failed failed" >&2
    times+=("$ms"); fails=$((fails + failed))
  done
  local m; m=$(median "${times[@]}")
  local verdict="met"; [ "$m" -le $((FLOOR_MS + 3000)) ] || verdict="NOT met"
  printf '| %-44s | %8s ms | %8s ms | %6s | %-14s |\n' "$label" "$m" "$FLOOR_MS" "$fails" "≤ floor + 3 s: $verdict"
}

echo
echo "Unhealthy replica → healthy replacement, by the agent (median of $RUNS; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg))"
printf '| %-44s | %11s | %11s | %6s | %-14s |\n' "check" "median" "floor" "failed" "target"
printf '|%s|%s|%s|%s|%s|\n' "----------------------------------------------" "-------------" "-------------" "--------" "-----------------------------"
row "image HEALTHCHECK (1 s × 2 retries)" http_server:health
row "pod --health-http /health (1 s × 2 retries)" --health-http /health --health-interval 1s --health-timeout 1s --health-retries 2 http_server
