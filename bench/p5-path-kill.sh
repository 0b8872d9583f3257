#!/bin/bash
# P5: latency and errors while a path is killed at QD32. Two optimized NVMe/TCP paths to
# `mpath serve`, 4 KiB random reads at QD32 for SECS (default 10) seconds. B: port 2 goes
# down at 30 % of the run and comes back at 60 % (serve's control channel); A: the same
# run with no fault. Prints p50/p99/p99.9/max (microseconds), IOPS and errors of both, and
# B/A of p99, p99.9 and IOPS per round.
. "$(dirname "$0")/lib.sh"
SECS="${SECS:-10}"
need_jar
NQN=nqn.2024-01.dev.mpath:demo
CTL=$(mktemp -u /tmp/mpath-bench-ctl.XXXXXX); mkfifo "$CTL"
start_serve --control "$CTL"
PORT=${PORT:-14420}
P1="nvme+tcp://127.0.0.1:$PORT/$NQN"
P2="nvme+tcp://127.0.0.1:$((PORT + 1))/$NQN"
run() { # kill? -> "p50 p99 p999 max iops errors failovers ios-per-path"
  local out=/tmp/mpath-bench-p5.json
  if [ "$1" = kill ]; then
    ( sleep $(python3 -c "print(1.5 + $SECS * 0.3)"); echo "nvme-port $NQN 2 down" > "$CTL"
      sleep $(python3 -c "print($SECS * 0.3)"); echo "nvme-port $NQN 2 up" > "$CTL" ) &
  fi
  timeout $((SECS + 90)) java -jar "$JAR" bench --json --runtime "$SECS" --rw randread --bs 4k \
    --iodepth 32 --resubmit completion --policy round-robin --device nvme0n1 "$P1" "$P2" > "$out" 2>/dev/null
  wait
  python3 - "$out" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except Exception:
    print("0 0 0 0 0 -1 0 -"); sys.exit()
rd = r["read"]; p = rd["lat_ns"]["percentile"]
head = r
print("%.0f %.0f %.0f %.0f %.0f %d %s %s" % (p.get("50.000000", 0) / 1000, p.get("99.000000", 0) / 1000,
      p.get("99.900000", 0) / 1000, rd["lat_ns"]["max"] / 1000, rd["iops"], r["errors"],
      head.get("failovers", "?"), "/".join(str(x["ios"]) for x in r["paths"])))
PY
}
SECS=4 mpath_bench iops --rw randread --bs 4k --iodepth 32 --device nvme0n1 "$P1" "$P2" >/dev/null
echo "columns: p50 p99 p99.9 max (us), IOPS, errors, failovers, I/Os per path"
for i in $(seq "$ROUNDS"); do
  read -r a50 a99 a999 amax aiops aerr afo apaths <<<"$(run none)"
  read -r b50 b99 b999 bmax biops berr bfo bpaths <<<"$(run kill)"
  echo "round $i: no fault: $a50 $a99 $a999 $amax $aiops $aerr $afo $apaths | path killed: $b50 $b99 $b999 $bmax $biops $berr $bfo $bpaths" \
    "| p99 $(ratio "$a99" "$b99"), p99.9 $(ratio "$a999" "$b999"), IOPS $(ratio "$aiops" "$biops")"
done
