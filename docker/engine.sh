#!/usr/bin/env bash
# A private Docker engine for this machine: no bridge, no firewall or NAT changes, its own socket and roots.
# usage: docker/engine.sh start DIR | stop DIR     (then: export DOCKER_HOST=unix://DIR/docker.sock)
set -euo pipefail
cmd=$1 dir=$(realpath -m "$2")
case "$cmd" in
  start)
    mkdir -p "$dir/data" "$dir/exec"
    dockerd --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
      -H "unix://$dir/docker.sock" --bridge=none --iptables=false --ip-forward=false --ip-masq=false \
      >"$dir/dockerd.log" 2>&1 &
    for _ in $(seq 1 100); do
      DOCKER_HOST="unix://$dir/docker.sock" docker info >/dev/null 2>&1 && exit 0
      sleep 0.2
    done
    echo "dockerd did not start; see $dir/dockerd.log" >&2
    exit 1
    ;;
  stop)
    if [ -f "$dir/dockerd.pid" ]; then
      pid=$(cat "$dir/dockerd.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    umount "$dir/exec/netns/default" 2>/dev/null || true
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
