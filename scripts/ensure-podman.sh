#!/usr/bin/env bash
# Makes sure Podman is installed and, with --service, that its Docker-compatible API answers on
# a socket (rootful), with local/busybox:test loaded into Podman's store.
# As root and without podman, installs Debian's podman (what CI does). Never pulls.
# usage: scripts/ensure-podman.sh [--service [SOCKET]]   (default socket /tmp/bulkhead-podman.sock)
# Prints the socket address (unix://…) on its last line when the service answers.
set -u
SOCKET=/tmp/bulkhead-podman.sock
SERVICE=0
if [ "${1:-}" = "--service" ]; then SERVICE=1; [ -n "${2:-}" ] && SOCKET=$2; fi

if ! command -v podman >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "ensure-podman: installing podman (Debian)"
    (apt-get update -qq || true) >/dev/null 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends podman >/dev/null \
      || { echo "ensure-podman: apt-get install podman failed"; exit 3; }
  else
    echo "ensure-podman: NO PODMAN (not installed and not root)"
    exit 3
  fi
fi
[ "$SERVICE" = 1 ] || { podman --version; exit 0; }

api_up() { curl -sf --max-time 5 --unix-socket "$SOCKET" http://d/v1.41/version >/dev/null 2>&1; }
if ! api_up; then
  rm -f "$SOCKET"
  echo "ensure-podman: starting podman system service on $SOCKET"
  nohup podman system service --time=0 "unix://$SOCKET" >/tmp/bulkhead-podman.log 2>&1 &
  for _ in $(seq 1 120); do api_up && break; sleep 1; done  # the first start can take minutes (storage setup)
fi
api_up || { echo "ensure-podman: the Podman API does not answer on $SOCKET (see /tmp/bulkhead-podman.log)"; exit 3; }

if ! podman image exists localhost/local/busybox:test; then
  /usr/bin/docker image inspect local/busybox:test >/dev/null 2>&1 || { echo "ensure-podman: local/busybox:test missing in Docker (run scripts/ensure-docker.sh)"; exit 3; }
  echo "ensure-podman: loading local/busybox:test into podman"
  /usr/bin/docker save local/busybox:test | podman load >/dev/null 2>&1 || { echo "ensure-podman: podman load failed"; exit 3; }
fi
echo "unix://$SOCKET"
