// One download per lazily loaded route: packs the WASM modules each split point needs (its own
// and the chunks it shares with others, as wasm-split listed them in
// __wasm_split_manifest.json) into one file named after its content, and teaches the split
// loader to take them from it.
//
// Why: wasm-split cuts the code that several routes share into one chunk per combination of
// routes (the account page needed 364 files). Over HTTP/1.1 a browser fetches six at a time,
// so on a slow phone network (150 ms a round trip) the round trips, not the bytes, took
// seconds. One file per route also compresses better than hundreds of small ones, and since
// its name carries its content's hash it can be cached as immutable.
//
// Writes pkg/<route>.<hash>.pack, rewrites the loader (__wasm_split.*.js) and rewrites
// __wasm_split_manifest.json to { split point: ["<route>.<hash>.pack"] } (the server's preload
// hints and scripts/wasm-size.sh read it). The chunk files stay as a fallback for a module no
// pack was asked for. Usage: node scripts/pack-routes.mjs target/site/pkg
import { readdirSync, readFileSync, writeFileSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node scripts/pack-routes.mjs PKG_DIR");
  process.exit(2);
}
const manifestPath = join(dir, "__wasm_split_manifest.json");
const loaderName = readdirSync(dir).find((n) => /^__wasm_split\..*\.js$/.test(n));
if (!loaderName) {
  console.log("no split loader: nothing to pack");
  process.exit(0);
}
for (const name of readdirSync(dir)) if (name.endsWith(".pack")) unlinkSync(join(dir, name));

const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
const packed = {}; // split point → [pack file]
for (const [split, modules] of Object.entries(manifest)) {
  // [u32 LE header length][header: JSON { module: [offset, length] }][the modules]
  const parts = modules.map((m) => readFileSync(join(dir, `${m}.wasm`)));
  const index = {};
  let offset = 0;
  modules.forEach((m, i) => {
    index[m] = [offset, parts[i].length];
    offset += parts[i].length;
  });
  const header = Buffer.from(JSON.stringify(index));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  const body = Buffer.concat([length, header, ...parts]);
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 12);
  // `__account_route_view_<hash of the source location>` → `account_route`.
  const stem = split.replace(/^__/, "").replace(/_view_[0-9]+$/, "");
  const file = `${stem}.${hash}.pack`;
  writeFileSync(join(dir, file), body);
  packed[split] = [file];
}

const loaderPath = join(dir, loaderName);
let loader = readFileSync(loaderPath, "utf8");
const fetches = /fetch\(new URL\("\.\/([A-Za-z0-9_]+)\.wasm", import\.meta\.url\)\)/g;
const splits = /export const (__wasm_split_load_(__[A-Za-z0-9_]+)) = wrapAsyncCb\(makeLoad\(/g;
if (!fetches.test(loader) || !splits.test(loader)) {
  console.error(`pack-routes: ${loaderName} does not look as expected (wasm-split changed?)`);
  process.exit(1);
}
loader = loader.replace(fetches, (_, module) => `__wasmModule("${module}")`);
let wrapped = 0;
loader = loader.replace(splits, (whole, name, split) => {
  const file = packed[split]?.[0];
  if (!file) return whole;
  wrapped += 1;
  return `export const ${name} = wrapAsyncCb(__packedFirst("${file}", makeLoad(`;
});
// Each wrapped `makeLoad(…)` gains one closing parenthesis: its block ends `]));`.
loader = loader.replace(
  /(export const __wasm_split_load___[A-Za-z0-9_]+ = wrapAsyncCb\(__packedFirst\([\s\S]*?\n, \[[^\]]*\])\)\);/g,
  "$1)));",
);
if (wrapped !== Object.keys(packed).length) {
  console.error(`pack-routes: wrapped ${wrapped} split loaders, the manifest has ${Object.keys(packed).length}`);
  process.exit(1);
}
const helpers = `
// Added by scripts/pack-routes.mjs: a route's modules come in one file, its pack. Loading a
// split point asks synchronously for every module it still lacks (makeLoad's loaders run up
// to their first await), so those asks are answered from the pack being fetched.
let __pack = undefined; // while a split point loads: its pack, fetched on first ask
function __readPack(file) {
    return fetch(new URL("./" + file, import.meta.url)).then((r) => {
        if (!r.ok) throw new Error(file + ": HTTP " + r.status);
        return r.arrayBuffer();
    }).then((b) => {
        const length = new DataView(b).getUint32(0, true);
        const index = JSON.parse(new TextDecoder().decode(new Uint8Array(b, 4, length)));
        return { b, start: 4 + length, index };
    });
}
function __wasmModule(m) {
    if (__pack === undefined) return fetch(new URL("./" + m + ".wasm", import.meta.url));
    return __pack().then(({ b, start, index }) => {
        if (!index[m]) return fetch(new URL("./" + m + ".wasm", import.meta.url));
        const [offset, length] = index[m];
        return new Response(new Uint8Array(b, start + offset, length),
            { headers: { "content-type": "application/wasm" } });
    });
}
function __packedFirst(file, load) {
    return () => {
        // Fetched only if a module is still missing: a route loaded before asks for nothing.
        let pack;
        __pack = () => (pack ??= __readPack(file));
        try { return load(); } finally { __pack = undefined; }
    };
}
`;
loader = loader.replace(/^(import [^\n]*\n)/, `$1${helpers}`);
writeFileSync(loaderPath, loader);
writeFileSync(manifestPath, JSON.stringify(packed, null, 2));
console.log(`packed ${wrapped} lazily loaded routes`);
