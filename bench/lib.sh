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
