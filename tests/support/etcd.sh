# Throwaway etcd members on 127.0.0.1 for tests and benchmarks (source this file).
#   etcd_cluster N DIR   starts N members (Debian etcd-server) with data under DIR, on free
#                        ports, fast raft timing; sets ETCD_ENDPOINTS (a,b,c), ETCD_EP[i],
#                        ETCD_PID[i]; waits until a linearizable read succeeds on all of them.
#   etcd_kill I          SIGKILL member I and wait until it is gone.
#   etcd_stop_all        SIGKILL every member started here and wait for each (call it in a trap).
#   etcd_leader          index of the current leader.
# Members bind 127.0.0.1 only, so test traffic never leaves the machine.

ETCD_PID=()
ETCD_EP=()
ETCD_ENDPOINTS=

# free_port: a TCP port nobody listens on now, away from etcd's default 2379/2380.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

etcd_cluster() {
  local n=$1 dir=$2 i cluster= peers=() names=()
  command -v etcd >/dev/null || { echo "etcd not installed (scripts/deps.sh installs etcd-server)" >&2; return 1; }
  for ((i = 0; i < n; i++)); do
    ETCD_EP[i]=127.0.0.1:$(free_port)
    peers[i]=$(free_port)
    names[i]=m$i
    cluster+="${cluster:+,}m$i=http://127.0.0.1:${peers[i]}"
  done
  for ((i = 0; i < n; i++)); do
    mkdir -p "$dir/m$i"
    etcd --name "m$i" --data-dir "$dir/m$i/data" --logger=zap --log-outputs="$dir/m$i/log" \
      --listen-client-urls "http://${ETCD_EP[i]}" --advertise-client-urls "http://${ETCD_EP[i]}" \
      --listen-peer-urls "http://127.0.0.1:${peers[i]}" \
      --initial-advertise-peer-urls "http://127.0.0.1:${peers[i]}" \
      --initial-cluster "$cluster" --initial-cluster-state new \
      --initial-cluster-token "ddsafe-test-$$" --heartbeat-interval 50 --election-timeout 500 \
      --listen-metrics-urls "http://127.0.0.1:$(free_port)" >/dev/null 2>&1 &
    ETCD_PID[i]=$!
  done
  ETCD_ENDPOINTS=$(IFS=,; echo "${ETCD_EP[*]}")
  local tries
  for ((i = 0; i < n; i++)); do
    for ((tries = 0; tries < 300; tries++)); do
      ETCDCTL_API=3 etcdctl --endpoints="${ETCD_EP[i]}" --command-timeout=1s get probe \
        >/dev/null 2>&1 && break
      kill -0 "${ETCD_PID[i]}" 2>/dev/null || { echo "etcd m$i died: $(tail -n 3 "$dir/m$i/log")" >&2; return 1; }
      sleep 0.05
    done
    ((tries < 300)) || { echo "etcd m$i never became ready" >&2; return 1; }
  done
}

etcd_kill() {
  local pid=${ETCD_PID[$1]}
  [ -n "$pid" ] || return 0
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  ETCD_PID[$1]=
}

etcd_stop_all() {
  local i
  for i in "${!ETCD_PID[@]}"; do etcd_kill "$i"; done
  return 0
}

etcd_leader() {
  local i
  for i in "${!ETCD_EP[@]}"; do
    [ -n "${ETCD_PID[i]}" ] || continue
    if ETCDCTL_API=3 etcdctl --endpoints="${ETCD_EP[i]}" endpoint status -w json 2>/dev/null |
        python3 -c 'import json,sys; s=json.load(sys.stdin)[0]["Status"]; sys.exit(0 if s["leader"]==s["header"]["member_id"] else 1)'; then
      echo "$i"; return 0
    fi
  done
  return 1
}
