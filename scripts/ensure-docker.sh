#!/usr/bin/env bash
# Makes sure a Docker engine answers and the local test images exist.
# On a machine without an engine, and when running as root, installs Debian's docker.io
# and starts dockerd (what CI does). Prints one clear line when no engine can be had.
# Never pulls: images are built locally from busybox (no registry is reachable here).
set -u
DOCKER=/usr/bin/docker
[ -x "$DOCKER" ] || DOCKER=$(command -v docker || true)

engine_up() { [ -n "$DOCKER" ] && timeout 10 "$DOCKER" version >/dev/null 2>&1; }

if ! engine_up; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    if ! command -v dockerd >/dev/null || ! command -v docker-compose >/dev/null || [ ! -x /bin/busybox ]; then
      echo "ensure-docker: installing docker.io, docker-compose, busybox-static, strace (Debian)"
      (apt-get update -qq || true) >/dev/null 2>&1
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
        docker.io iptables busybox-static docker-compose strace >/dev/null || { echo "ensure-docker: apt-get install failed"; exit 3; }
    fi
    DOCKER=/usr/bin/docker
    if ! pgrep -x dockerd >/dev/null; then
      echo "ensure-docker: starting dockerd"
      nohup dockerd --host unix:///var/run/docker.sock >/tmp/dockerd.log 2>&1 &
    fi
    for _ in $(seq 1 60); do engine_up && break; sleep 1; done
  fi
fi

if ! engine_up; then
  echo "ensure-docker: NO DOCKER ENGINE (not root, or dockerd failed: see /tmp/dockerd.log)"
  exit 3
fi

make_busybox_image() {
  local tag=$1
  "$DOCKER" image inspect "$tag" >/dev/null 2>&1 && return 0
  local tmp; tmp=$(mktemp -d)
  mkdir -p "$tmp/root/bin" "$tmp/root/etc" "$tmp/root/tmp" "$tmp/root/root" "$tmp/root/usr/sbin" "$tmp/root/usr/bin"
  cp /bin/busybox "$tmp/root/bin/"
  for c in sh sleep id cat ls ps adduser addgroup echo true false nc wget chown chmod mkdir env grep touch rm hostname whoami; do
    ln -s busybox "$tmp/root/bin/$c"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$tmp/root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$tmp/root/etc/group"
  chmod 1777 "$tmp/root/tmp"
  tar -C "$tmp/root" -cf "$tmp/busybox.tar" .
  "$DOCKER" import "$tmp/busybox.tar" "$tag" >/dev/null
  rm -rf "$tmp"
  echo "ensure-docker: created image $tag"
}
make_busybox_image local/busybox:test
echo "ensure-docker: engine $("$DOCKER" version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"
