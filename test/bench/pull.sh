#!/usr/bin/env bash
# make bench: what pulling costs pod (issue 15's target: no more than 1.1× what `docker pull`
# costs). A registry of this script's own, as the e2e tests run it: Debian's docker-registry
# on 127.0.0.1 on a free port, htpasswd (bcrypt) auth, a temp DOCKER_CONFIG after
# `docker login`. It holds http_server plus a layer of BLOB_MB MiB of random data. Each run
# times both ways, in turn (which goes first alternates), with the image removed from the
# engine before each:
#   docker: `docker pull REF`, then `pod up REF` of the image now present
#   pod:    `pod up REF` of the missing image, which pulls it
# pod's pull costs (pod up, missing) - (pod up, present); the ratio is that over the same
# run's `docker pull`, taken run by run, and its median printed.
set -euo pipefail
cd "$(dirname "$0")/../.."
POD=${POD:-./bin/pod}
RUNS=${RUNS:-7}
BLOB_MB=${BLOB_MB:-64}
REPLICAS=1
PORT=18310
export POD_AGENT=0

for tool in docker-registry htpasswd; do
  command -v $tool >/dev/null || { echo "bench: $tool is missing (make tools installs docker-registry and apache2-utils)" >&2; exit 1; }
done

dir=$(mktemp -d /tmp/bench-registry-XXXXXX)
REG_PID=""
ADDRESS=""
cleanup() {
  for p in bench-pull-docker bench-pull-pod; do $POD down $p >/dev/null 2>&1 || true; done
  if [ -n "$ADDRESS" ]; then
    refs=$(docker images --format '{{.Repository}}:{{.Tag}}' | grep "^$ADDRESS/" || true)
    [ -z "$refs" ] || docker rmi -f $refs >/dev/null 2>&1 || true
  fi
  [ -z "$REG_PID" ] || { kill "$REG_PID" 2>/dev/null || true; wait "$REG_PID" 2>/dev/null || true; }
  rm -rf "$dir"
}
trap cleanup EXIT

# The registry: a free port on 127.0.0.1 (the kernel picks it), a user with a random password.
reg_port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
ADDRESS=127.0.0.1:$reg_port
password=pw-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')
htpasswd -Bbn bench "$password" >"$dir/htpasswd" 2>/dev/null
cat >"$dir/config.yml" <<EOF
version: 0.1
log: {level: warn, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $dir/data}, delete: {enabled: true}}
http: {addr: "$ADDRESS", secret: $(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')}
auth: {htpasswd: {realm: pod-bench, path: $dir/htpasswd}}
EOF
docker-registry serve "$dir/config.yml" >>"$dir/registry.log" 2>&1 &
REG_PID=$!
for _ in $(seq 200); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://$ADDRESS/v2/" || true)
  [ "$code" = 401 ] && break
  sleep 0.1
done
[ "$code" = 401 ] || { echo "bench: docker-registry did not answer on $ADDRESS: $(tail -3 "$dir/registry.log")" >&2; exit 1; }
export DOCKER_CONFIG=$dir/docker-config
mkdir -m 700 "$DOCKER_CONFIG"
docker login "$ADDRESS" --username bench --password-stdin <<<"$password" >/dev/null 2>&1

# The image: http_server plus one layer of random bytes, pushed, then gone from the engine.
REF=$ADDRESS/bench/pull:1
mkdir "$dir/build"
head -c $((BLOB_MB * 1024 * 1024)) /dev/urandom >"$dir/build/blob"
printf 'FROM http_server:latest\nCOPY blob /blob\n' >"$dir/build/Dockerfile"
DOCKER_BUILDKIT=0 docker build -q -t "$REF" "$dir/build" >/dev/null 2>&1
docker push "$REF" >/dev/null
rm -rf "$dir/build"
forget() { docker rmi "$REF" >/dev/null 2>&1 || true; ! docker image inspect "$REF" >/dev/null 2>&1; }

now() { date +%s%N; }
ms_since() { echo $(( ($(now) - $1) / 1000000 )); }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
up() { # name port
  local out
  out=$($POD up --name "$1" --replicas $REPLICAS -p "127.0.0.1:$2:8080" "$REF" 2>&1) || { echo "bench: pod up $1 failed: $(tail -3 <<<"$out")" >&2; exit 1; }
  printf '%s' "$out"
}

declare -a d_pull d_up d_total p_up p_cost ratio whole
docker_way() {
  forget
  local t t2; t=$(now)
  docker pull -q "$REF" >/dev/null
  d_pull+=("$(ms_since "$t")"); t2=$(now)
  up bench-pull-docker $PORT >/dev/null
  d_up+=("$(ms_since "$t2")"); d_total+=("$(ms_since "$t")")
  $POD down bench-pull-docker >/dev/null 2>&1
}
pod_way() {
  forget
  local t out; t=$(now)
  out=$(up bench-pull-pod $((PORT + 1)))
  p_up+=("$(ms_since "$t")")
  grep -qiE 'pull' <<<"$out" || { echo "bench: pod up did not say it pulled: $(tail -3 <<<"$out")" >&2; exit 1; }
  $POD down bench-pull-pod >/dev/null 2>&1
}

docker_way; pod_way # warm-up: the registry's and the engine's first pull, not counted
d_pull=() d_up=() d_total=() p_up=()
for run in $(seq "$RUNS"); do
  if [ $((run % 2)) = 1 ]; then docker_way; pod_way; else pod_way; docker_way; fi
  cost=$((p_up[-1] - d_up[-1]))
  p_cost+=("$cost")
  ratio+=("$(awk -v a="$cost" -v b="${d_pull[-1]}" 'BEGIN { printf "%.2f", a / b }')")
  whole+=("$(awk -v a="${p_up[-1]}" -v b="${d_total[-1]}" 'BEGIN { printf "%.2f", a / b }')")
  echo "run $run/$RUNS: docker pull ${d_pull[-1]} ms + pod up ${d_up[-1]} ms; pod up pulling ${p_up[-1]} ms (its pull ${cost} ms, ${ratio[-1]}× docker pull)" >&2
done

r=$(median "${ratio[@]}")
echo
echo "Pulling a missing image: http_server + $BLOB_MB MiB of random data from a registry on 127.0.0.1, pod up --replicas $REPLICAS (median of $RUNS runs, the two ways in turn; $(nproc) cores; $(docker version -f 'engine {{.Server.Version}}'); load average $(cut -d' ' -f1-3 /proc/loadavg))"
printf '| %-52s | %9s | %9s | %9s |\n' "measure" "median" "min" "max"
printf '|%s|%s|%s|%s|\n' "------------------------------------------------------" "-----------" "-----------" "-----------"
row() { printf '| %-52s | %6s ms | %6s ms | %6s ms |\n' "$1" "$(median "${@:2}")" "$(printf '%s\n' "${@:2}" | sort -n | head -1)" "$(printf '%s\n' "${@:2}" | sort -n | tail -1)"; }
row "docker pull" "${d_pull[@]}"
row "pod up, image present (after docker pull)" "${d_up[@]}"
row "docker pull + pod up" "${d_total[@]}"
row "pod up, image missing (pod pulls)" "${p_up[@]}"
row "pod's pull: (pod up, missing) - (pod up, present)" "${p_cost[@]}"
ratio_row() { printf '| %-52s | %8s× | %8s× | %8s× |\n' "$1" "$(median "${@:2}")" "$(printf '%s\n' "${@:2}" | sort -n | head -1)" "$(printf '%s\n' "${@:2}" | sort -n | tail -1)"; }
ratio_row "pod's pull / docker pull (run by run)" "${ratio[@]}"
ratio_row "pod up, missing / (docker pull + pod up)" "${whole[@]}"
awk -v r="$r" 'BEGIN { printf "Target: pod'"'"'s pull at most 1.1× docker pull: %s\n", (r <= 1.1 ? "met" : "NOT met") }'
