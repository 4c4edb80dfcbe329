#!/usr/bin/env bash
# Idempotent setup for the end-to-end tests: the apt packages a headless code-server + Chromium need,
# and code-server itself in .e2e/code-server/ (its own package.json, never the repo's node_modules).
# Quick when everything is already there. Needs root for apt; the network is limited to apt and npm.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
# @vscode/ripgrep's postinstall looks for this cached archive before trying GitHub.
RIPGREP_CACHE_NAME=vscode-ripgrep-cache-1.15.11
RIPGREP_ARCHIVE=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
APT_PACKAGES=(chromium ripgrep libkrb5-dev libsecret-1-dev libxkbfile-dev)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
E2E_DIR="${ML_PARITY_E2E_DIR:-$ROOT/.e2e}"
CS_DIR="$E2E_DIR/code-server"
MARKER="$CS_DIR/.installed-$CODE_SERVER_VERSION"

log() { echo "[e2e setup] $*"; }

# --- apt packages -------------------------------------------------------------------------------
missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  log "installing apt packages: ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  log "apt packages present: ${APT_PACKAGES[*]}"
fi

# --- code-server ----------------------------------------------------------------------------------
if [[ -f "$MARKER" && -x "$CS_DIR/node_modules/.bin/code-server" ]]; then
  log "code-server $CODE_SERVER_VERSION present in $CS_DIR"
  exit 0
fi

log "installing code-server $CODE_SERVER_VERSION into $CS_DIR (about a minute)"
mkdir -p "$CS_DIR"
cat > "$CS_DIR/package.json" <<JSON
{
  "name": "ml-parity-e2e-code-server",
  "private": true,
  "description": "code-server for ML Parity's end-to-end tests; installed by scripts/e2e/setup.sh",
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" },
  "allowScripts": { "code-server": true }
}
JSON

# A private TMPDIR holding a ripgrep "download" made from Debian's rg, so no GitHub fetch is attempted.
TMP_FOR_NPM="$E2E_DIR/tmp"
mkdir -p "$TMP_FOR_NPM/$RIPGREP_CACHE_NAME"
if [[ ! -f "$TMP_FOR_NPM/$RIPGREP_CACHE_NAME/$RIPGREP_ARCHIVE" ]]; then
  staging="$(mktemp -d)"
  cp "$(command -v rg)" "$staging/rg"
  tar -czf "$TMP_FOR_NPM/$RIPGREP_CACHE_NAME/$RIPGREP_ARCHIVE" -C "$staging" rg
  rm -rf "$staging"
fi

# npm 11 runs dependency install scripts only when allowed: "allowScripts" above lets code-server's postinstall
# run; the nested `npm install`s it starts in lib/vscode ran their own scripts here without further approval
# (the product check below catches it if a later npm changes that).
# unsafe_perm: that postinstall refuses root otherwise; yes: node-pty's `npx node-gyp` would prompt.
(
  cd "$CS_DIR"
  TMPDIR="$TMP_FOR_NPM" \
  npm_config_unsafe_perm=true \
  npm_config_yes=true \
  npm install --no-audit --no-fund --loglevel=error
)

# The postinstall builds VS Code's server dependencies; npm reports "up to date" even if it failed earlier,
# so check its products and start over next time when they are missing.
VSCODE_DIR="$CS_DIR/node_modules/code-server/lib/vscode"
for f in "$CS_DIR/node_modules/.bin/code-server" "$VSCODE_DIR/node_modules/node-pty/build/Release/pty.node" "$VSCODE_DIR/node_modules/@vscode/ripgrep/bin/rg"; do
  if [[ ! -e "$f" ]]; then
    log "incomplete install (missing $f); removing it, rerun to retry"
    rm -rf "$CS_DIR/node_modules"
    exit 1
  fi
done
touch "$MARKER"
# --version writes a default config file; keep it out of the real home.
version="$(XDG_CONFIG_HOME="$TMP_FOR_NPM/xdg-config" XDG_DATA_HOME="$TMP_FOR_NPM/xdg-data" "$CS_DIR/node_modules/.bin/code-server" --version 2>/dev/null | tail -1)"
log "code-server installed: $version"
