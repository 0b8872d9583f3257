#!/bin/bash
# P6 on paths limited by their own links: one head over 1, 2 and 3 NVMe/TCP paths to
# `mpath serve` in a network namespace this script creates, each path over a veth link of
# its own shaped to RATE both ways (tc tbf; see start_serve_links in lib.sh). Random reads
# at QD32 (round-robin), 128 KiB and 4 KiB, rounds interleaved (1 2 3 1 2 3 ...). Needs
# root; exits 3 without.
. "$(dirname "$0")/lib.sh"
need_jar
start_serve_links 3
P=("${LINK[@]}")
echo "links: $RATE each way per path"
SECS=4 mpath_bench iops --rw randread --bs 128k --iodepth 32 --device nvme0n1 "${P[@]}" >/dev/null
for bs in ${SIZES:-128k 4k}; do
  r2=(); r3=()
  for i in $(seq "$ROUNDS"); do
    one=$(mpath_bench iops --rw randread --bs $bs --iodepth 32 --device nvme0n1 "${P[0]}")
    two=$(mpath_bench iops --rw randread --bs $bs --iodepth 32 --policy round-robin --device nvme0n1 "${P[@]:0:2}")
    three=$(mpath_bench iops --rw randread --bs $bs --iodepth 32 --policy round-robin --device nvme0n1 "${P[@]}")
    r2+=("$(ratio "$one" "$two")"); r3+=("$(ratio "$one" "$three")")
    echo "P6 links $bs round $i: 1 path $one, 2 paths $two, 3 paths $three IOPS"
  done
  echo "P6 links $bs: 2 paths / 1 = $(mean "${r2[@]}"), 3 paths / 1 = $(mean "${r3[@]}")"
done
