#!/bin/bash
# P7: two optimized NVMe/TCP paths to `mpath serve`, port 2 with 3 ms more latency
# (serve's control channel: nvme-delay); per policy, random reads at QD32 over both paths
# (B) against the fast path alone (A), at 4 KiB and 128 KiB.
. "$(dirname "$0")/lib.sh"
need_jar
NQN=nqn.2024-01.dev.mpath:demo
CTL=$(mktemp -u /tmp/mpath-bench-ctl.XXXXXX); mkfifo "$CTL"
start_serve --control "$CTL"
PORT=${PORT:-14420}
echo "nvme-delay $NQN 2 3" > "$CTL"
sleep 1
A="nvme+tcp://127.0.0.1:$PORT/$NQN"
B="nvme+tcp://127.0.0.1:$((PORT + 1))/$NQN"
SECS=4 mpath_bench iops --rw randread --bs 4k --iodepth 32 --device nvme0n1 "$A" >/dev/null
SIZES=${SIZES:-4k 128k} POLICIES=${POLICIES:-round-robin queue-depth service-time adaptive} compare_policies "P7" "$A" "$B"
