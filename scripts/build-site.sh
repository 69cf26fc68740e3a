#!/usr/bin/env bash
# Builds the browser side into target/site: the WASM bundle (hydrate), its JS glue, and the CSS.
# Usage: scripts/build-site.sh [--release]
set -euo pipefail
cd "$(dirname "$0")/.."
SITE=target/site
PKG=$SITE/pkg
mkdir -p "$PKG"

if [ "${1:-}" = "--release" ]; then
  cargo build -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release
  WASM=target/wasm32-unknown-unknown/wasm-release/frontend.wasm
else
  cargo build -p frontend --lib --target wasm32-unknown-unknown
  WASM=target/wasm32-unknown-unknown/debug/frontend.wasm
fi

# Split at the lazy routes (app/src/lazy.rs): each chunk and the loader go to pkg/, the main
# module to wasm-bindgen, which must keep the exports the chunks link against. Chunks of an
# earlier build must not linger.
rm -f "$PKG"/*.wasm "$PKG"/*.pack "$PKG"/__wasm_split*
MAIN=$(dirname "$WASM")/bellwether_split.wasm
cargo run --quiet --release -p wasm-split -- "$WASM" "$PKG" "$MAIN" >/dev/null
wasm-bindgen --target web --no-typescript --keep-lld-exports --no-demangle \
  --out-dir "$PKG" --out-name bellwether "$MAIN"
# Leptos's hydration script loads pkg/<output-name>.wasm (as cargo-leptos names it).
mv "$PKG/bellwether_bg.wasm" "$PKG/bellwether.wasm"
if [ "${1:-}" = "--release" ]; then
  # binaryen from npm, never Debian's: its old wasm-opt silently breaks hydration.
  # One process per module (hundreds once split), as many at once as there are cores.
  # (wasm-opt warns "unknown name subsection" for the split modules: names wasm-split wrote.)
  find "$PKG" -maxdepth 1 -name '*.wasm' -print0 |
    xargs -0 -P "$(nproc)" -I{} node_modules/.bin/wasm-opt -Oz --enable-bulk-memory \
      --enable-nontrapping-float-to-int {} -o {} 2> >(grep -v 'unknown name subsection' >&2)
fi
# One file per lazily loaded route (its modules packed, named by content hash), so a route is
# one request, not hundreds of small ones.
node scripts/pack-routes.mjs "$PKG" >/dev/null
node_modules/.bin/sass --no-source-map --style=compressed style/main.scss "$PKG/bellwether.css"
# The API reference page (/api/docs, server/src/openapi.rs): Swagger UI from npm, and its start-up
# script and frame, served from pkg/ like the bundle; nothing from a CDN.
cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
  assets/api-docs.js assets/api-docs.css "$PKG/"
# Served precompressed (brotli 11, gzip -9) by the static-file handler: no per-request
# compression of the bundle. Stale ones from an earlier build must not outlive their originals.
rm -f "$PKG"/*.br "$PKG"/*.gz
if [ "${1:-}" = "--release" ]; then
  node scripts/precompress.mjs "$PKG"
fi
echo "site built in $SITE ($(du -h "$PKG/bellwether.wasm" | cut -f1) wasm, $(gzip -9c "$PKG/bellwether.wasm" | wc -c) bytes gzip)"
