#!/usr/bin/env bash
# Prints the path of a Node 24 binary: this machine's `node` when it is 24 or newer, else the npm
# registry's `node@24` package installed once into a cache folder (NODE24_CACHE, default
# ~/.cache/bedrock-cost-keeper/node24). Used by .ci/run to run the e2e tests on the image's runtime.
set -euo pipefail
if [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 24 ]; then
  command -v node
  exit 0
fi
cache="${NODE24_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bedrock-cost-keeper/node24}"
bin="$cache/node_modules/node/bin/node"
if [ ! -x "$bin" ] || [ "$("$bin" -p 'process.versions.node.split(".")[0]' 2>/dev/null)" != 24 ]; then
  mkdir -p "$cache"
  npm install --prefix "$cache" --no-save --no-package-lock --no-audit --no-fund node@24 >&2
fi
"$bin" -v >/dev/null
echo "$bin"
