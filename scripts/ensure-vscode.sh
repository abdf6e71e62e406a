#!/usr/bin/env bash
# Makes sure a real VS Code can run the integration suite offline:
# Debian's Chromium (driven by playwright-core) and code-server 4.100.3 (VS Code 1.100.3),
# installed into a cache folder outside node_modules. Prints the code-server path last.
set -eu
VERSION=4.100.3
CACHE=${BULKHEAD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bulkhead}
DIR=$CACHE/code-server-$VERSION
BIN=$DIR/node_modules/.bin/code-server

if [ ! -x /usr/bin/chromium ] || ! command -v rg >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "ensure-vscode: installing chromium and code-server's build dependencies (Debian)" >&2
    (apt-get update -qq || true) >/dev/null 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
      chromium libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config ripgrep >/dev/null
  else
    echo "ensure-vscode: chromium missing and not root: install chromium and ripgrep" >&2; exit 3
  fi
fi

if [ ! -x "$BIN" ]; then
  echo "ensure-vscode: installing code-server@$VERSION into $DIR (about a minute)" >&2
  # @vscode/ripgrep's postinstall downloads rg; seed its cache with Debian's rg instead.
  rgcache=${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11
  mkdir -p "$rgcache" "$DIR"
  [ -f "$rgcache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" ] || \
    tar -C "$(dirname "$(command -v rg)")" -czf "$rgcache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" rg
  # yes=true: node-pty's install runs npx, and this machine's npmrc says yes=false.
  (cd "$DIR" && npm_config_yes=true npm install --no-audit --no-fund --unsafe-perm --prefix "$DIR" "code-server@$VERSION" >&2)
fi
echo "$BIN"
