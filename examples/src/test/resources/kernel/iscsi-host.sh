# Guest script (busybox sh, open-iscsi + dm-multipath + scsi_dh_alua) for
# KernelIscsiHostInteropTest: mpath serve is on the host, its two iSCSI portals (relative
# ports 1 and 2 of one LU, ALUA active/optimized and active/non-optimized) forwarded as $PATHS.
# The test reads the console and drives serve's control channel at the *-READY marks.
IQN=iqn.2024-01.dev.mpath:demo-lu
fail() { echo "GUEST-FAIL $*"; exit 1; }
set -- $PATHS; PORTAL1=$1; PORTAL2=$2
mkdir -p /run/udev /var/lib/iscsi /run/lock/iscsi
/usr/lib/systemd/systemd-udevd --daemon >/dev/null 2>&1 || fail udevd
udevadm trigger >/dev/null 2>&1; udevadm settle -t 10
# fail a lost path after 5 s (open-iscsi's advice under dm-multipath), not 120 s
sed -i 's/^node.session.timeo.replacement_timeout = .*/node.session.timeo.replacement_timeout = 5/' /etc/iscsi/iscsid.conf
cat > /etc/multipath.conf <<'CONF'
defaults {
	user_friendly_names yes
	find_multipaths no
	polling_interval 2
	no_path_retry 30
}
CONF
iscsid || fail iscsid
multipathd || fail multipathd
sleep 1
# SendTargets through portal 1 lists both portals at the advertised address
iscsiadm -m discovery -t st -p "$PORTAL1" > /tmp/st || fail discovery
cat /tmp/st
echo "ST=$(grep -c " $IQN\$" /tmp/st)"
# port 1 first: multipathd builds the map on the first disk it sees and activates its path
# group, and scsi_dh_alua answers activating an active/non-optimized group with an STPG
# that makes it optimized (what Linux does without optimize_stpg); starting on the
# optimized port keeps the served states
iscsiadm -m node -T "$IQN" -p "$PORTAL1" --login || fail "login $PORTAL1"
udevadm settle -t 20
i=0
while [ $i -lt 30 ] && ! multipath -ll 2>/dev/null | grep -q 'active ready'; do sleep 1; i=$((i+1)); done
iscsiadm -m node -T "$IQN" -p "$PORTAL2" --login || fail "login $PORTAL2"
udevadm settle -t 20
i=0
while [ $i -lt 30 ] && [ "$(multipath -ll 2>/dev/null | grep -c 'active ready')" -lt 2 ]; do
  sleep 1; i=$((i+1)); multipath -r >/dev/null 2>&1
done
multipath -ll
echo "SESSIONS=$(iscsiadm -m session | grep -c "$IQN")"
MAP=$(multipath -ll | awk '/ dm-[0-9]+ /{print $1; exit}')
echo "MAP=$MAP"
echo "HWHANDLER=$(multipath -ll | grep -o "hwhandler='[^']*'" | head -1)"
for d in /sys/block/sd*; do echo "$(basename $d) access_state $(cat $d/device/access_state)"; done
echo "PRIOS=$(multipath -ll | grep -o 'prio=[0-9]*' | tr '\n' ' ')"
# which disk is which portal
iscsiadm -m session -P 3 > /tmp/s3
SD1=$(awk -v p="$PORTAL1" '/Current Portal:/ {cur=($3 ~ "^" p ",")} /Attached scsi disk/ && cur {print $4}' /tmp/s3)
SD2=$(awk -v p="$PORTAL2" '/Current Portal:/ {cur=($3 ~ "^" p ",")} /Attached scsi disk/ && cur {print $4}' /tmp/s3)
echo "DISKS port1=$SD1 port2=$SD2"
echo "DH $SD1=$(cat /sys/block/$SD1/device/dh_state) $SD2=$(cat /sys/block/$SD2/device/dh_state)"
reads() { awk '{print $1}' /sys/block/$1/stat; }
a1=$(reads $SD1); a2=$(reads $SD2)
for bs in 4k 128k 1M; do
  dd if=/dev/urandom of=/tmp/w bs=$bs count=4 2>/dev/null
  dd if=/tmp/w of=/dev/mapper/$MAP bs=$bs oflag=direct 2>/dev/null || fail "write $bs"
  dd if=/dev/mapper/$MAP of=/tmp/r bs=$bs count=4 iflag=direct 2>/dev/null || fail "read $bs"
  cmp /tmp/w /tmp/r && echo "VERIFY-OK $bs" || fail "verify $bs"
done
b1=$(reads $SD1); b2=$(reads $SD2)
echo "IO port1=$((b1-a1)) port2=$((b2-a2))"
# port 1 goes down under reads: no read may fail, they move to port 2
echo "PORT-DOWN-READY"
errors=0
i=0
while [ $i -lt 60 ]; do
  dd if=/dev/mapper/$MAP of=/dev/null bs=64k count=16 iflag=direct 2>/dev/null || errors=$((errors+1))
  i=$((i+1))
  sleep 0.2
done
c2=$(reads $SD2)
echo "READ-ERRORS=$errors"
echo "OUTAGE-IO port2=$((c2-b2))"
echo "PORT-UP-READY"
i=0
while [ $i -lt 60 ] && ! multipath -ll 2>/dev/null | grep -q "$SD1 .* active ready"; do sleep 1; i=$((i+1)); done
multipath -ll
# dm-multipath switched to port 2's group during the outage; scsi_dh_alua activated it with
# an STPG, which the target honoured
echo "PORT2-AFTER=$(cat /sys/block/$SD2/device/access_state)"
echo "PATH1-STATE=$(multipath -ll | grep " $SD1 " | grep -o 'active ready\|failed faulty\|active faulty\|failed ready' | head -1)"
dd if=/dev/mapper/$MAP of=/tmp/r bs=1M count=4 iflag=direct 2>/dev/null && cmp /tmp/w /tmp/r && echo VERIFY-AFTER-OK
iscsiadm -m node -T "$IQN" --logout >/dev/null 2>&1
echo GUEST-DONE
