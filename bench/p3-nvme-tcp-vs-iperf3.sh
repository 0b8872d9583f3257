#!/bin/bash
# P3: 128 KiB sequential read, QD8, one NVMe/TCP path to `mpath serve` on loopback, against
# iperf3 (one stream, 128 KiB writes) on loopback: B/A = mpath MiB/s / iperf3 MiB/s.
. "$(dirname "$0")/lib.sh"
need_jar; need_cmd iperf3 iperf3
start_serve
URI="nvme+tcp://127.0.0.1:$PORT/nqn.2024-01.dev.mpath:demo"
SECS=4 mpath_bench bw --rw read --bs 128k --iodepth 8 --device nvme0n1 "$URI" >/dev/null # warm-up
iperf() {
  iperf3 -s -1 -p 15201 >/dev/null 2>&1 &
  sleep 0.5
  timeout $((SECS + 20)) iperf3 -c 127.0.0.1 -p 15201 -t "$SECS" -l 128K -J 2>/dev/null \
    | python3 -c 'import json,sys; print("%.1f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 8 / 1048576))'
}
rs=()
for i in $(seq "$ROUNDS"); do
  a=$(iperf)
  b=$(mpath_bench bw --rw read --bs 128k --iodepth 8 --device nvme0n1 "$URI")
  r=$(ratio "$a" "$b"); rs+=("$r")
  echo "round $i: iperf3 $a MiB/s, mpath $b MiB/s, ratio $r"
done
echo "P3 = $(mean "${rs[@]}")"
