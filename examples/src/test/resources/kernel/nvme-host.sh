# Guest script (busybox sh, Linux NVMe/TCP host with native multipath) for
# KernelNvmeHostInteropTest: mpath serve is on the host, its three ports forwarded as $PATHS.
# The test reads the console and drives serve's control channel at the *-READY marks.
N=nqn.2024-01.dev.mpath:demo
fail() { echo "GUEST-FAIL $*"; exit 1; }
# discovery: one entry per port, advertised at the guest-side address
nvme discover -t tcp -a "$TRADDR" -s "$TRSVCID" > /tmp/disc || fail discover
cat /tmp/disc
echo "DISCOVERED=$(grep -c '^subnqn: *'$N /tmp/disc)"
nvme connect-all -t tcp -a "$TRADDR" -s "$TRSVCID" -g -G --reconnect-delay=1 --ctrl-loss-tmo=60 \
  || fail connect-all
sleep 2
nvme list-subsys
# the head and its paths in port order (connect-all follows the log: ports 1, 2, 3)
HEAD=$(ls /sys/block | grep -E '^nvme[0-9]+n1$' | head -1)
S=${HEAD%n1}
set -- $(ls /sys/block | grep -E "^${S}c[0-9]+n1$" | sort)
P0=$1; P1=$2; P2=$3
C0=nvme$(echo $P0 | sed -E 's/^nvme[0-9]+c([0-9]+)n1$/\1/')
echo "HEAD=$HEAD paths $P0 $P1 $P2 (port 1 controller $C0)"
echo "PATHS=$(ls /sys/block | grep -cE "^${S}c[0-9]+n1$")"
i=0; for p in $P0 $P1 $P2; do echo "ANA c$i=$(cat /sys/block/$p/ana_state)"; i=$((i+1)); done
for bs in 4k 128k 1M; do
  dd if=/dev/urandom of=/tmp/w bs=$bs count=4 2>/dev/null
  dd if=/tmp/w of=/dev/$HEAD bs=$bs oflag=direct 2>/dev/null || fail "write $bs"
  dd if=/dev/$HEAD of=/tmp/r bs=$bs count=4 iflag=direct 2>/dev/null || fail "read $bs"
  cmp /tmp/w /tmp/r && echo "VERIFY-OK $bs" || fail "verify $bs"
done
# a port goes down under reads: no read may fail
echo "PORT-DOWN-READY"
errors=0
i=0
while [ $i -lt 60 ]; do
  dd if=/dev/$HEAD of=/dev/null bs=64k count=16 iflag=direct 2>/dev/null || errors=$((errors+1))
  i=$((i+1))
  sleep 0.2
done
echo "READ-ERRORS=$errors"
i=0
while [ $i -lt 30 ] && ! grep -q live /sys/class/nvme/$C0/state; do sleep 1; i=$((i+1)); done
echo "PORT1-STATE=$(cat /sys/class/nvme/$C0/state)"
# ANA flip: the test makes port 1 and 2 inaccessible and port 3 optimized
echo "ANA-READY"
i=0
while [ $i -lt 30 ] && [ "$(cat /sys/block/$P2/ana_state)" != optimized ]; do sleep 1; i=$((i+1)); done
sleep 1
i=0; for p in $P0 $P1 $P2; do echo "ANA-AFTER c$i=$(cat /sys/block/$p/ana_state)"; i=$((i+1)); done
r0=$(awk '{print $1}' /sys/block/$P0/stat); r2=$(awk '{print $1}' /sys/block/$P2/stat)
dd if=/dev/$HEAD of=/dev/null bs=4k count=200 iflag=direct 2>/dev/null || fail "read after ANA flip"
s0=$(awk '{print $1}' /sys/block/$P0/stat); s2=$(awk '{print $1}' /sys/block/$P2/stat)
echo "ANA-IO c0=$((s0-r0)) c2=$((s2-r2))"
# reservations through the head
nvme resv-register /dev/$HEAD --nrkey=0xabc1 --rrega=0 || fail resv-register
nvme resv-acquire /dev/$HEAD --crkey=0xabc1 --rtype=1 --racqa=0 || fail resv-acquire
nvme resv-report /dev/$HEAD --eds -o json > /tmp/rr || fail resv-report
cat /tmp/rr
grep -q '"rtype" *: *1' /tmp/rr && grep -qi 'abc1\|43969' /tmp/rr && echo RESV-OK
nvme resv-release /dev/$HEAD --crkey=0xabc1 --rtype=1 --rrela=0 >/dev/null
nvme resv-register /dev/$HEAD --crkey=0xabc1 --rrega=1 >/dev/null
nvme disconnect -n "$N"
echo GUEST-DONE
