#!/bin/bash
# P4: 4 KiB random read at QD32 against the same tgt LUN: libiscsi's iscsi-perf (A) and the
# mpath iSCSI initiator through `mpath bench` (B). Needs tgt running on loopback:
#   ../shared/tools/tgt-peer.sh start   (LUN iscsi://127.0.0.1:3260/iqn.2024-01.test.tgtpeer:disk1/1)
. "$(dirname "$0")/lib.sh"
need_jar; need_cmd iscsi-perf libiscsi-bin
URI=${URI:-iscsi://127.0.0.1:3260/iqn.2024-01.test.tgtpeer:disk1/1}
perf() {
  timeout $((SECS + 20)) iscsi-perf -i iqn.2024-01.dev.mpath:perf -m 32 -b 8 -t "$SECS" -r "$URI" 2>&1 \
    | tr '\r' '\n' | grep -o "iops average [0-9]*" | tail -1 | grep -o "[0-9]*$"
}
SECS=4 mpath_bench iops --rw randread --bs 4k --iodepth 32 --initiator iqn.2024-01.dev.mpath:bench "$URI" >/dev/null
# B resubmits inside the completion (--resubmit completion), as iscsi-perf's single event
# loop does; the fio-style job thread (--resubmit thread) is printed beside it. Each mpath
# run is a fresh JVM: B ramps for RAMP seconds (fio's ramp_time) so that it is measured
# compiled, as the C program always is; the cold figure (no ramp) is printed beside it.
RAMP=${RAMP:-3}
rs=()
for i in $(seq "$ROUNDS"); do
  a=$(perf)
  b=$(mpath_bench iops --rw randread --bs 4k --iodepth 32 --resubmit completion --ramp-time "$RAMP" --initiator iqn.2024-01.dev.mpath:bench "$URI")
  c=$(mpath_bench iops --rw randread --bs 4k --iodepth 32 --resubmit completion --initiator iqn.2024-01.dev.mpath:bench "$URI")
  t=$(mpath_bench iops --rw randread --bs 4k --iodepth 32 --resubmit thread --ramp-time "$RAMP" --initiator iqn.2024-01.dev.mpath:bench "$URI")
  r=$(ratio "$a" "$b"); rs+=("$r")
  echo "round $i: iscsi-perf $a IOPS, mpath $b IOPS (cold JVM: $c; job thread: $t), ratio $r"
done
echo "P4 = $(mean "${rs[@]}")"
