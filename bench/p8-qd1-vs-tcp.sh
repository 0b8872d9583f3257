#!/bin/bash
# P8: 4 KiB random read at QD1 over one NVMe/TCP path to `mpath serve`, against a raw
# loopback TCP request/response of the same sizes (72-byte capsule, 4120-byte C2HData):
# B/A = mpath IOPS / raw round trips per second.
. "$(dirname "$0")/lib.sh"
need_jar
start_serve
URI="nvme+tcp://127.0.0.1:$PORT/nqn.2024-01.dev.mpath:demo"
SECS=4 mpath_bench iops --rw randread --bs 4k --iodepth 1 --device nvme0n1 "$URI" >/dev/null
raw() { timeout $((SECS + 30)) java "$HERE/PingPong.java" "$SECS" | grep -o "[0-9]* per second" | cut -d' ' -f1; }
# B resubmits inside the completion (--resubmit completion), as PingPong's threads answer
# at once: the wire and the stack, without a wake-up of bench's job thread per I/O; the
# fio-style job thread (--resubmit thread) is printed beside it for reference.
rs=()
for i in $(seq "$ROUNDS"); do
  a=$(raw)
  b=$(mpath_bench iops --rw randread --bs 4k --iodepth 1 --resubmit completion --device nvme0n1 "$URI")
  t=$(mpath_bench iops --rw randread --bs 4k --iodepth 1 --resubmit thread --device nvme0n1 "$URI")
  r=$(ratio "$a" "$b"); rs+=("$r")
  echo "round $i: raw TCP $a/s, mpath $b IOPS (job thread: $t), ratio $r"
done
echo "P8 = $(mean "${rs[@]}")"
