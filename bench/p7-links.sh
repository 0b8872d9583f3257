#!/bin/bash
# P7 on paths limited by their own links: `mpath serve` runs in a network namespace this
# script creates, reached over two veth links, each shaped to RATE in both directions (tc
# tbf; see start_serve_links in lib.sh); path 2's port also answers DELAY_MS later (serve's
# nvme-delay; this kernel has no netem). Per policy, random reads at QD32 over both paths
# (B) against the fast path alone (A), at 128 KiB and 4 KiB. Needs root; exits 3 without.
. "$(dirname "$0")/lib.sh"
need_jar
DELAY_MS=${DELAY_MS:-3}
NQN=nqn.2024-01.dev.mpath:demo
start_serve_links 2
echo "nvme-delay $NQN 2 $DELAY_MS" > "$CTL"
sleep 1
A=${LINK[0]}
B=${LINK[1]}
echo "links: $RATE each way per path; path 2 answers $DELAY_MS ms later"
SECS=4 mpath_bench iops --rw randread --bs 128k --iodepth 32 --device nvme0n1 "$A" >/dev/null
SIZES=${SIZES:-128k 4k} POLICIES=${POLICIES:-round-robin service-time adaptive} compare_policies "P7 links" "$A" "$B"
