#!/bin/bash
# P6: one head over 1, 2 and 3 NVMe/TCP paths to `mpath serve` (its three ports, all in
# optimized ANA groups unless the topology says otherwise), random reads at QD32, 4 KiB and
# 128 KiB: IOPS per path count and N paths / 1 path, rounds interleaved (1 2 3 1 2 3 ...).
. "$(dirname "$0")/lib.sh"
need_jar
start_serve
NQN=nqn.2024-01.dev.mpath:demo
P=("nvme+tcp://127.0.0.1:$PORT/$NQN" "nvme+tcp://127.0.0.1:$((PORT + 1))/$NQN" "nvme+tcp://127.0.0.1:$((PORT + 2))/$NQN")
SECS=4 mpath_bench iops --rw randread --bs 4k --iodepth 32 --device nvme0n1 "${P[@]}" >/dev/null
for bs in ${SIZES:-4k 128k}; do
  r2=(); r3=()
  for i in $(seq "$ROUNDS"); do
    one=$(mpath_bench iops --rw randread --bs $bs --iodepth 32 --resubmit completion --device nvme0n1 "${P[0]}")
    two=$(mpath_bench iops --rw randread --bs $bs --iodepth 32 --resubmit completion --policy round-robin --device nvme0n1 "${P[@]:0:2}")
    three=$(mpath_bench iops --rw randread --bs $bs --iodepth 32 --resubmit completion --policy round-robin --device nvme0n1 "${P[@]}")
    r2+=("$(ratio "$one" "$two")"); r3+=("$(ratio "$one" "$three")")
    echo "P6 $bs round $i: 1 path $one, 2 paths $two, 3 paths $three IOPS"
  done
  echo "P6 $bs: 2 paths / 1 = $(mean "${r2[@]}"), 3 paths / 1 = $(mean "${r3[@]}")"
done
