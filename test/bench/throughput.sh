#!/usr/bin/env bash
# make bench: requests per second through each way of running N replicas of one server,
# side by side in one run, with the same server binary everywhere (fixtures/http_server,
# tiny answers) and wrk with a fixed connection count. Clients sit in a network namespace
# of their own behind a veth link (198.18.0.0/15, the benchmarking range), so requests take
# a remote client's path, not docker-proxy's; one row measures docker-proxy (127.0.0.1).
# Every address is this machine's or a container's or namespace's this script made.
# Prints a table and writes test/bench/throughput.svg.
set -euo pipefail
cd "$(dirname "$0")/../.."
export POD_AGENT=0
N=${REPLICAS:-2}
DURATION=${DURATION:-8s}
CONNS=${CONNS:-64}
NS=podbench-client
HOST_IP=198.18.0.1
CLIENT_IP=198.18.0.2
SERVER=fixtures/http_server/build/http_server
OUT=.cache/throughput.tsv
declare -a PIDS=()
mkdir -p .cache

command -v nginx >/dev/null || { echo "installing Debian's nginx for the proxy row" >&2; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx-light >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null; }

cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for pod in bench-rp bench-host bench-dnat; do ./bin/pod down "$pod" >/dev/null 2>&1 || true; done
  docker rm -f $(docker ps -aq --filter label=podbench=1) >/dev/null 2>&1 || true
  iptables -t nat -D PREROUTING -d $HOST_IP -p tcp --dport 18907 -j PODBENCH 2>/dev/null || true
  iptables -t nat -F PODBENCH 2>/dev/null || true; iptables -t nat -X PODBENCH 2>/dev/null || true
  iptables -t nat -D POSTROUTING -s $CLIENT_IP -d 172.16.0.0/12 -j MASQUERADE 2>/dev/null || true
  iptables -D DOCKER-USER -s 198.18.0.0/24 -j ACCEPT 2>/dev/null || true
  iptables -D DOCKER-USER -d 198.18.0.0/24 -j ACCEPT 2>/dev/null || true
  ip netns del $NS 2>/dev/null || true
  ip link del pb-host 2>/dev/null || true
}
trap cleanup EXIT
cleanup

# The client's namespace, linked to the host.
ip netns add $NS
ip link add pb-host type veth peer name pb-client
ip link set pb-client netns $NS
ip addr add $HOST_IP/24 dev pb-host && ip link set pb-host up
ip netns exec $NS ip addr add $CLIENT_IP/24 dev pb-client
ip netns exec $NS ip link set pb-client up && ip netns exec $NS ip link set lo up
ip netns exec $NS ip route add default via $HOST_IP
# Docker's FORWARD rules drop what they did not publish: let the client reach the
# containers this script starts (the plain-container rows), and their answers back.
iptables -I DOCKER-USER -s 198.18.0.0/24 -j ACCEPT
iptables -I DOCKER-USER -d 198.18.0.0/24 -j ACCEPT

# wrk, once for warm-up and once measured; prints req/s.
measure() { # where: host|ns, url
  local run=(wrk -t2 -c"$CONNS" -d"$DURATION" "$2")
  [ "$1" = ns ] && run=(ip netns exec $NS "${run[@]}")
  "${run[@]:0:${#run[@]}-2}" -d2s "$2" >/dev/null 2>&1 || true
  "${run[@]}" 2>/dev/null | awk '/Requests\/sec/ {print $2}'
}

declare -a ROWS=()
row() { ROWS+=("$1	$2"); echo "  $1: $2 req/s" >&2; }

# 1. Host processes with SO_REUSEPORT: the limit. Measured first and last, and the two
#    averaged, so a machine that drifts during the run does not tilt the ratios.
host_processes() {
  for i in $(seq $N); do PORT=18900 INSTANCE=host-$i $SERVER >/dev/null 2>&1 & PIDS+=($!); done
  sleep 0.5
  measure ns http://$HOST_IP:18900/
  for p in "${PIDS[@]}"; do kill "$p"; done; PIDS=(); sleep 0.5
}
HOST_FIRST=$(host_processes)

# 2-3. pod (reuseport): through the published port from outside, and through 127.0.0.1.
./bin/pod up --name bench-rp --replicas $N -p 18901:8080 http_server >/dev/null 2>&1
row "pod, published port, outside client" "$(measure ns http://$HOST_IP:18901/)"
row "pod, 127.0.0.1 (docker-proxy)" "$(measure host http://127.0.0.1:18901/)"
./bin/pod down bench-rp >/dev/null 2>&1

# 4. pod on the host's network.
./bin/pod up --name bench-host --network host -p 18902 -e PORT=18902 --replicas $N http_server >/dev/null 2>&1
row "pod --network host" "$(measure ns http://$HOST_IP:18902/)"
./bin/pod down bench-host >/dev/null 2>&1

# 5. pod --balance dnat (servers without SO_REUSEPORT), published port, outside client.
./bin/pod up --name bench-dnat --balance dnat --replicas $N -p 18903:8080 -e REUSEPORT=0 http_server >/dev/null 2>&1
row "pod --balance dnat, outside client" "$(measure ns http://$HOST_IP:18903/)"
./bin/pod down bench-dnat >/dev/null 2>&1

# Plain containers for the rows that do it without pod.
IPS=()
for i in $(seq $N); do
  docker run -d --label podbench=1 --name podbench-$i -e REUSEPORT=0 -e INSTANCE=plain-$i http_server >/dev/null
  IPS+=("$(docker inspect -f '{{.NetworkSettings.IPAddress}}' podbench-$i)")
done
sleep 0.5

# 6. Debian's nginx as a reverse proxy in front of them (what users do today).
CONF=$(mktemp -d)
{
  echo "worker_processes auto; pid $CONF/nginx.pid; error_log $CONF/error.log; events { worker_connections 4096; }"
  echo "http { access_log off; upstream app { $(for ip in "${IPS[@]}"; do printf 'server %s:8080; ' "$ip"; done) keepalive 64; }"
  echo "  server { listen $HOST_IP:18906; location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection \"\"; } } }"
} > "$CONF/nginx.conf"
nginx -c "$CONF/nginx.conf" -g 'daemon off;' & PIDS+=($!)
sleep 0.5
row "nginx reverse proxy, plain containers" "$(measure ns http://$HOST_IP:18906/)"
kill "${PIDS[-1]}"; unset 'PIDS[-1]'; sleep 0.3

# 7. Hand-written iptables DNAT on the host (the article's setup).
iptables -t nat -N PODBENCH
for i in $(seq $N); do
  left=$((N - i + 1))
  if [ "$left" -gt 1 ]; then
    iptables -t nat -A PODBENCH -m statistic --mode random --probability "$(awk -v l=$left 'BEGIN { printf "%.4f", 1 / l }')" -p tcp -j DNAT --to-destination "${IPS[$((i - 1))]}:8080"
  else
    iptables -t nat -A PODBENCH -p tcp -j DNAT --to-destination "${IPS[$((i - 1))]}:8080"
  fi
done
iptables -t nat -I PREROUTING -d $HOST_IP -p tcp --dport 18907 -j PODBENCH
iptables -t nat -I POSTROUTING -s $CLIENT_IP -d 172.16.0.0/12 -j MASQUERADE
row "iptables DNAT on the host, plain containers" "$(measure ns http://$HOST_IP:18907/)"

# 8. One plain container, at its own address.
row "one plain container" "$(measure ns "http://${IPS[0]}:8080/")"

docker rm -f $(docker ps -aq --filter label=podbench=1) >/dev/null
HOST_LAST=$(host_processes)
echo "  host processes: $HOST_FIRST first, $HOST_LAST last" >&2
ROWS=("host processes, SO_REUSEPORT	$(awk -v a="$HOST_FIRST" -v b="$HOST_LAST" 'BEGIN { printf "%.0f", (a + b) / 2 }')" "${ROWS[@]}")
printf '%s\n' "${ROWS[@]}" > "$OUT"
node test/bench/chart.mjs "$OUT" test/bench/throughput.svg "$N" "$CONNS"
