# Guest script (busybox sh, Linux NVMe/TCP host with native multipath) for
# KernelNvmeHostInteropTest: mpath serve is on the host, its three ports forwarded as $PATHS.
# The test reads the console and drives serve's control channel at the *-READY marks.
N=nqn.2024-01.dev.mpath:demo
fail() { echo "GUEST-FAIL $*"; exit 1; }
for p in $PATHS; do
  nvme connect -t tcp -a "${p%:*}" -s "${p#*:}" -n "$N" -g -G --reconnect-delay=1 --ctrl-loss-tmo=60 \
    || fail "connect $p"
done
sleep 2
nvme list-subsys
n=$(ls -d /sys/block/nvme0c*n1 | wc -l)
echo "PATHS=$n"
for c in 0 1 2; do echo "ANA c$c=$(cat /sys/block/nvme0c${c}n1/ana_state)"; done
for bs in 4k 128k 1M; do
  dd if=/dev/urandom of=/tmp/w bs=$bs count=4 2>/dev/null
  dd if=/tmp/w of=/dev/nvme0n1 bs=$bs oflag=direct 2>/dev/null || fail "write $bs"
  dd if=/dev/nvme0n1 of=/tmp/r bs=$bs count=4 iflag=direct 2>/dev/null || fail "read $bs"
  cmp /tmp/w /tmp/r && echo "VERIFY-OK $bs" || fail "verify $bs"
done
# a port goes down under reads: no read may fail
echo "PORT-DOWN-READY"
errors=0
i=0
while [ $i -lt 60 ]; do
  dd if=/dev/nvme0n1 of=/dev/null bs=64k count=16 iflag=direct 2>/dev/null || errors=$((errors+1))
  i=$((i+1))
  sleep 0.2
done
echo "READ-ERRORS=$errors"
i=0
while [ $i -lt 30 ] && ! grep -q live /sys/class/nvme/nvme0/state; do sleep 1; i=$((i+1)); done
echo "NVME0-STATE=$(cat /sys/class/nvme/nvme0/state)"
# ANA flip: the test makes port 1 and 2 inaccessible and port 3 optimized
echo "ANA-READY"
i=0
while [ $i -lt 30 ] && [ "$(cat /sys/block/nvme0c2n1/ana_state)" != optimized ]; do sleep 1; i=$((i+1)); done
sleep 1
for c in 0 1 2; do echo "ANA-AFTER c$c=$(cat /sys/block/nvme0c${c}n1/ana_state)"; done
r0=$(awk '{print $1}' /sys/block/nvme0c0n1/stat); r2=$(awk '{print $1}' /sys/block/nvme0c2n1/stat)
dd if=/dev/nvme0n1 of=/dev/null bs=4k count=200 iflag=direct 2>/dev/null || fail "read after ANA flip"
s0=$(awk '{print $1}' /sys/block/nvme0c0n1/stat); s2=$(awk '{print $1}' /sys/block/nvme0c2n1/stat)
echo "ANA-IO c0=$((s0-r0)) c2=$((s2-r2))"
# reservations through the head
nvme resv-register /dev/nvme0n1 --nrkey=0xabc1 --rrega=0 || fail resv-register
nvme resv-acquire /dev/nvme0n1 --crkey=0xabc1 --rtype=1 --racqa=0 || fail resv-acquire
nvme resv-report /dev/nvme0n1 --eds -o json > /tmp/rr || fail resv-report
cat /tmp/rr
grep -q '"rtype" *: *1' /tmp/rr && grep -qi 'abc1\|43969' /tmp/rr && echo RESV-OK
nvme resv-release /dev/nvme0n1 --crkey=0xabc1 --rtype=1 --rrela=0 >/dev/null
nvme resv-register /dev/nvme0n1 --crkey=0xabc1 --rrega=1 >/dev/null
nvme disconnect -n "$N"
echo GUEST-DONE
