#!/bin/sh
# The encrypted room at scale: scenarios/large-room.yaml (DMLS, fast crypto, 1 h simulated) at
# a ladder of server counts, one run each, alone on the machine. Prints one line per rung:
#   servers=N devices=N wall_s=X peak_rss_kb=N events=N
# usage: bench/e2e_ladder.sh [BUILD_DIR] [SERVERS...]   (default: build 100 300)
set -eu
build=${1:-build}
[ $# -gt 0 ] && shift
rungs=${*:-100 300}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for n in $rungs; do
  eu=$((n / 2)); us=$((n * 3 / 10)); asia=$((n - eu - us))
  /usr/bin/time -f "%e %M" -o "$out/time" "$build/apps/dmlssim" run scenarios/large-room.yaml \
    --set topology.servers="$n" --set "topology.regions={eu: $eu, us: $us, asia: $asia}" \
    --out "$out/run-$n" --force --quiet > /dev/null
  read -r wall rss < "$out/time"
  devices=$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["e2ee"]["devices"])' "$out/run-$n/run-0000/summary.json")
  events=$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["events_processed"])' "$out/run-$n/run-0000/manifest.json")
  echo "servers=$n devices=$devices wall_s=$wall peak_rss_kb=$rss events=$events"
done
