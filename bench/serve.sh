# shellcheck shell=bash
# Sourced by bench/load.sh and bench/routes.sh: `start_server BIN DB LOG` starts `wiretrace
# serve` on a free loopback port, sets `server` (its pid) and `addr` (http://127.0.0.1:PORT)
# once the server has said where it listens, and fails after 10 s without that line.
start_server() {
  "$1" --no-model serve --db "$2" --addr 127.0.0.1:0 2> "$3" &
  # shellcheck disable=SC2034 # read by the sourcing script's cleanup
  server=$!
  for _ in $(seq 100); do
    grep -q "http://" "$3" 2>/dev/null && break
    sleep 0.1
  done
  addr=$(grep -o 'http://[^ ]*' "$3" | head -1)
  [ -n "$addr" ] || { echo "the server did not start:" >&2; cat "$3" >&2; return 1; }
}
