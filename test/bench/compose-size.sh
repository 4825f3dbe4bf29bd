#!/usr/bin/env bash
# make bench: `pod up --dry-run -f` of compose files with one service and a growing
# environment, median of 3 runs, so a reader can see the time grow with the file's size
# and not with its square (it did, through yaml's duplicate-key check: issue 20). The last
# row is over pod's 4 MiB cap and is refused at once.
set -euo pipefail
cd "$(dirname "$0")/../.."
export POD_AGENT=0
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo
echo "pod up --dry-run -f, one service with N environment keys (median of 3)"
echo "| file size | keys | wall time | exit |"
echo "|---:|---:|---:|---:|"
for kib in 512 1024 2048 3990 10240; do
  file="$dir/c$kib.yaml"
  awk -v limit=$((kib * 1024)) 'BEGIN {
    print "services:\n  bench-compose:\n    image: http_server\n    environment:"; size = 60
    for (i = 0; size < limit; i++) { line = sprintf("      KEY_%d: value_%d_xxxxxxxxxxxxxxxx", i, i); print line; size += length(line) + 1 }
    print "# keys " i > "/dev/stderr" }' >"$file" 2>"$file.keys"
  times=() code=0
  for _ in 1 2 3; do
    t=$(date +%s%N)
    ./bin/pod up --dry-run -f "$file" >/dev/null 2>&1 && code=0 || code=$?
    times+=($(( ($(date +%s%N) - t) / 1000000 )))
  done
  printf '| %6s KiB | %6s | %6s ms | %s |\n' "$kib" "$(awk '{print $3}' "$file.keys")" "$(printf '%s\n' "${times[@]}" | median)" "$code"
done
