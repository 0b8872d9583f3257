# Guest script for KernelNvmetInteropTest: Linux nvmet-tcp as the target, one 64 MiB
# namespace behind two ports (4420, 4421) in ANA group 1, both optimized at first; a control
# shell on $CTLPORT runs the lines the host test sends (ANA changes through configfs).
modprobe nvmet; modprobe nvmet-tcp
N=${SUBNQN:-nqn.2024-01.io.example:sub1}
dd if=/dev/zero of=/tmp/disk.img bs=1M count=64 2>/dev/null
cd /sys/kernel/config/nvmet || exit 1
mkdir subsystems/$N
echo 1 > subsystems/$N/attr_allow_any_host
mkdir subsystems/$N/namespaces/1
echo /tmp/disk.img > subsystems/$N/namespaces/1/device_path
echo 1 > subsystems/$N/namespaces/1/buffered_io
echo 1 > subsystems/$N/namespaces/1/enable
for p in 1 2; do
  mkdir ports/$p
  echo tcp > ports/$p/addr_trtype; echo ipv4 > ports/$p/addr_adrfam
  echo 0.0.0.0 > ports/$p/addr_traddr; echo 442$((p-1)) > ports/$p/addr_trsvcid
  ln -s /sys/kernel/config/nvmet/subsystems/$N ports/$p/subsystems/$N
done
for p in 1 2; do echo "port $p ana: $(cat ports/$p/ana_groups/1/ana_state)"; done
busybox nc -ll -p ${CTLPORT:-9999} -e /bin/sh &
echo TARGET-READY
sleep ${HOLD:-200}
exit 0
