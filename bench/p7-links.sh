#!/bin/bash
# P7 on paths limited by their own links: `mpath serve` runs in a network namespace this
# script creates, reached over two veth pairs, each shaped to RATE in both directions (tc
# tbf); path 2's port also answers DELAY_MS later (serve's nvme-delay). Per policy, random
# reads at QD32 over both paths (B) against the fast path alone (A), at 4 KiB and 128 KiB.
# The traffic stays inside this host: the namespace and its links are the script's own and
# go when it exits. Needs root (ip netns, tc); exits 3 (skipped) without.
. "$(dirname "$0")/lib.sh"
need_jar
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null || ! command -v tc >/dev/null; then
  echo "skipped: needs root, ip and tc (network namespaces and traffic shaping)" >&2
  exit 3
fi
RATE=${RATE:-800mbit}
DELAY_MS=${DELAY_MS:-3}
NQN=nqn.2024-01.dev.mpath:demo
PORT=${PORT:-14420}
NS=mpath-p7-$$
CTL=$(mktemp -u /tmp/mpath-p7-ctl.XXXXXX)
cleanup() {
  pkill -f "mpath.jar serve --port $PORT --listen 0.0.0.0" 2>/dev/null
  ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null
  ip link del p7a0 2>/dev/null
  ip link del p7b0 2>/dev/null
  ip netns del "$NS" 2>/dev/null
  rm -f "$CTL"
}
trap cleanup EXIT
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
i=1
for p in a b; do
  ip link add p7${p}0 type veth peer name p7${p}1
  ip link set p7${p}1 netns "$NS"
  ip addr add 10.77.$i.1/24 dev p7${p}0
  ip link set p7${p}0 up
  ip netns exec "$NS" ip addr add 10.77.$i.2/24 dev p7${p}1
  ip netns exec "$NS" ip link set p7${p}1 up
  tc qdisc add dev p7${p}0 root tbf rate "$RATE" burst 256kb latency 50ms
  ip netns exec "$NS" tc qdisc add dev p7${p}1 root tbf rate "$RATE" burst 256kb latency 50ms
  i=$((i + 1))
done
mkfifo "$CTL"
(tail -f "$CTL" | timeout 3600 ip netns exec "$NS" java -jar "$JAR" serve --port "$PORT" --listen 0.0.0.0 \
  --control stdin >/tmp/mpath-p7-serve.log 2>&1) &
for _ in $(seq 50); do
  grep -q "nvme+tcp://" /tmp/mpath-p7-serve.log 2>/dev/null && break
  sleep 0.2
done
echo "nvme-delay $NQN 2 $DELAY_MS" > "$CTL"
sleep 1
A="nvme+tcp://10.77.1.2:$PORT/$NQN"
B="nvme+tcp://10.77.2.2:$((PORT + 1))/$NQN"
echo "links: $RATE each way per path; path 2 answers $DELAY_MS ms later"
SECS=4 mpath_bench iops --rw randread --bs 128k --iodepth 32 --device nvme0n1 "$A" >/dev/null
for bs in ${SIZES:-128k 4k}; do
  for pol in ${POLICIES:-round-robin service-time adaptive}; do
    rs=()
    for i in $(seq "$ROUNDS"); do
      a=$(mpath_bench iops --rw randread --bs $bs --iodepth 32 --device nvme0n1 "$A")
      b=$(mpath_bench iops --rw randread --bs $bs --iodepth 32 --device nvme0n1 --policy $pol "$A" "$B")
      rs+=("$(ratio "$a" "$b")")
    done
    echo "P7 links $bs $pol: ${rs[*]} -> $(mean "${rs[@]}") (fast path alone ~ $a IOPS, both $b)"
  done
done
