# Shared helpers of the side-by-side benchmarks (sourced). Everything runs on loopback and
# every command is bounded by a timeout. Each measurement alternates A and B (A B A B ...)
# in one sitting and reports B/A per pair and their mean, so machine drift hits both sides.
set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
JAR="$ROOT/examples/target/mpath.jar"
ROUNDS="${ROUNDS:-3}"
SECS="${SECS:-6}"

need_jar() {
  [ -f "$JAR" ] || (cd "$ROOT" && mvn -B -q -DskipTests package) || { echo "cannot build $JAR" >&2; exit 2; }
}

need_cmd() { # command package
  command -v "$1" >/dev/null 2>&1 || { echo "skipped: $1 not installed (Debian package $2)" >&2; exit 3; }
}

# mpath_bench bw|iops|p99|p999|max|errors ARGS... -> one number from mpath bench --json
# (read and write added; latency in microseconds)
mpath_bench() {
  local what=$1; shift
  local out
  out=$(timeout $((SECS + 90)) java -jar "$JAR" bench --json --runtime "$SECS" "$@" 2>/dev/null) \
    || { echo 0; return; }
  printf '%s' "$out" | python3 -c '
import json, sys
r = json.load(sys.stdin)
what = sys.argv[1]
rd, wr = r["read"], r["write"]
if what == "bw":
    print("%.1f" % ((rd["bw_bytes"] + wr["bw_bytes"]) / 1048576))
elif what == "iops":
    print("%.0f" % (rd["iops"] + wr["iops"]))
elif what == "errors":
    print(r["errors"])
else:
    side = rd if rd["ios"] else wr
    key = {"p50": "50.000000", "p99": "99.000000", "p999": "99.900000"}.get(what)
    ns = side["lat_ns"]["max"] if what == "max" else side["lat_ns"]["percentile"].get(key, 0)
    print("%.0f" % (ns / 1000))
' "$what"
}

# start_serve [--control FIFO]: mpath serve on $PORT.. in the background until the script
# exits; waits for it to listen
start_serve() {
  PORT=${PORT:-14420}
  if [ "${1:-}" = "--control" ]; then
    (tail -f "$2" | java -jar "$JAR" serve --port "$PORT" --control stdin >/tmp/mpath-bench-serve.log 2>&1) &
  else
    java -jar "$JAR" serve --port "$PORT" >/tmp/mpath-bench-serve.log 2>&1 &
  fi
  SERVE=$!
  trap 'pkill -P $SERVE 2>/dev/null; kill $SERVE 2>/dev/null; pkill -f "mpath.jar serve --port $PORT" 2>/dev/null; [ -n "${CTL:-}" ] && rm -f "$CTL"' EXIT
  for _ in $(seq 50); do
    grep -q "nvme+tcp://" /tmp/mpath-bench-serve.log 2>/dev/null && return
    sleep 0.2
  done
  echo "mpath serve did not start (see /tmp/mpath-bench-serve.log)" >&2
  exit 2
}

# ratio A B -> B/A with 2 decimals
ratio() { python3 -c "a=float('$1'); b=float('$2'); print('%.2f' % (b / a if a else 0))"; }

mean() { python3 -c "import sys; v=[float(x) for x in sys.argv[1:]]; print('%.2f' % (sum(v)/len(v)) if v else 'n/a')" "$@"; }

# start_serve_links N: `mpath serve` (control channel on $CTL) in a network namespace of
# this script's own, reached over N veth links 10.77.K.1 <-> 10.77.K.2 (K = 1..N), each
# shaped to $RATE (default 800mbit) both ways with tc tbf; LINK[K-1] is the NVMe/TCP URI of
# serve's port K over link K. Everything goes when the script exits. Exits 3 (skipped)
# without root, ip or tc.
start_serve_links() {
  local n=$1 i
  if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null || ! command -v tc >/dev/null; then
    echo "skipped: needs root, ip and tc (network namespaces and traffic shaping)" >&2
    exit 3
  fi
  RATE=${RATE:-800mbit}
  PORT=${PORT:-14420}
  NS=mpath-bench-$$
  CTL=$(mktemp -u /tmp/mpath-bench-ctl.XXXXXX)
  trap 'pkill -f "mpath.jar serve --port $PORT --listen 0.0.0.0" 2>/dev/null
    pkill -f "tail -f $CTL" 2>/dev/null
    ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null
    for i in $(seq '"$n"'); do ip link del mpl${i}h 2>/dev/null; done
    ip netns del "$NS" 2>/dev/null; rm -f "$CTL"' EXIT
  ip netns add "$NS"
  ip netns exec "$NS" ip link set lo up
  LINK=()
  for i in $(seq "$n"); do
    ip link add mpl${i}h type veth peer name mpl${i}n
    ip link set mpl${i}n netns "$NS"
    ip addr add 10.77.$i.1/24 dev mpl${i}h
    ip link set mpl${i}h up
    ip netns exec "$NS" ip addr add 10.77.$i.2/24 dev mpl${i}n
    ip netns exec "$NS" ip link set mpl${i}n up
    tc qdisc add dev mpl${i}h root tbf rate "$RATE" burst 256kb latency 50ms
    ip netns exec "$NS" tc qdisc add dev mpl${i}n root tbf rate "$RATE" burst 256kb latency 50ms
    LINK+=("nvme+tcp://10.77.$i.2:$((PORT + i - 1))/nqn.2024-01.dev.mpath:demo")
  done
  mkfifo "$CTL"
  (tail -f "$CTL" | timeout 3600 ip netns exec "$NS" java -jar "$JAR" serve --port "$PORT" \
    --listen 0.0.0.0 --control stdin >/tmp/mpath-bench-serve.log 2>&1) &
  for _ in $(seq 50); do
    grep -q "nvme+tcp://" /tmp/mpath-bench-serve.log 2>/dev/null && return
    sleep 0.2
  done
  echo "mpath serve did not start (see /tmp/mpath-bench-serve.log)" >&2
  exit 2
}

# compare_policies LABEL A B: for each size in $SIZES and policy in $POLICIES, random reads
# at QD32 over paths A and B (B) against path A alone (A), rounds interleaved; prints the
# B/A ratios and their mean (P7)
compare_policies() {
  local label=$1 fast=$2 slow=$3 bs pol i a b rs
  for bs in $SIZES; do
    for pol in $POLICIES; do
      rs=()
      for i in $(seq "$ROUNDS"); do
        a=$(mpath_bench iops --rw randread --bs $bs --iodepth 32 --device nvme0n1 "$fast")
        b=$(mpath_bench iops --rw randread --bs $bs --iodepth 32 --device nvme0n1 --policy $pol "$fast" "$slow")
        rs+=("$(ratio "$a" "$b")")
      done
      echo "$label $bs $pol: ${rs[*]} -> $(mean "${rs[@]}") (fast path alone ~ $a IOPS, both $b)"
    done
  done
}
