// One download per lazily loaded route: packs the WASM modules each split point needs (its own
// and the chunks it shares with others, as wasm-split listed them in
// __wasm_split_manifest.json) into one file named after its content, and teaches the split
// loader to take them from it (and nothing else: the loader is written anew, small).
//
// Why: wasm-split cuts the code that several routes share into one chunk per combination of
// routes (the account page needed 364 files). Over HTTP/1.1 a browser fetches six at a time,
// so on a slow phone network (150 ms a round trip) the round trips, not the bytes, took
// seconds. One file per route also compresses better than hundreds of small ones, and since
// its name carries its content's hash it can be cached as immutable.
//
// Writes pkg/<route>.<hash>.pack, rewrites the loader (__wasm_split.*.js) and rewrites
// __wasm_split_manifest.json to { split point: ["<route>.<hash>.pack"] } (the server's preload
// hints and scripts/wasm-size.sh read it). The loose module files are removed: every one is in
// a pack. Usage: node scripts/pack-routes.mjs target/site/pkg
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
// A split point named `<route>_part_<name>_<hash>` (a `#[lazy(<route>_part_<name>)]`
// function, e.g. a group of the account page's cards) is part of route `<route>`: it renders
// only inside that route's page, after the route's pack is in. So a part's pack leaves out the
// modules the route's pack holds; code that two or more parts share goes into the route's pack
// (else each part's pack would carry a copy); and the route's entry in the manifest names its
// parts' packs too (a direct load preloads them all).
const partOf = (split) => split.match(/^_*([a-z0-9_]+?_route)_part_[a-z0-9_]+_[0-9]+$/)?.[1];
const routeSplit = (route) => Object.keys(manifest).find((k) => k.startsWith(`__${route}_view_`));
const lists = Object.fromEntries(Object.entries(manifest).map(([k, v]) => [k, [...v]]));
const partsOf = {}; // route's split point → its parts' split points
for (const split of Object.keys(manifest)) {
  const route = partOf(split);
  if (!route) continue;
  const parent = routeSplit(route);
  if (!parent) {
    console.error(`pack-routes: ${split} is a part of ${route}, which is not a split point`);
    process.exit(1);
  }
  (partsOf[parent] ??= []).push(split);
}
for (const [parent, parts] of Object.entries(partsOf)) {
  const inRoute = new Set(manifest[parent]);
  const uses = {};
  for (const part of parts) {
    lists[part] = lists[part].filter((m) => !inRoute.has(m));
    for (const m of lists[part]) uses[m] = (uses[m] ?? 0) + 1;
  }
  const shared = new Set(Object.keys(uses).filter((m) => uses[m] > 1));
  for (const part of parts) lists[part] = lists[part].filter((m) => !shared.has(m));
  // The route's own module stays last (the loader instantiates it after the others).
  const own = lists[parent].pop();
  lists[parent].push(...shared, own);
}
const packed = {}; // split point → [its pack, then its parts' packs]
for (const [split, modules] of Object.entries(lists)) {
  // [u32 LE header length][header: JSON { module: [offset, length] }][the modules]
  const bodies = modules.map((m) => readFileSync(join(dir, `${m}.wasm`)));
  const index = {};
  let offset = 0;
  modules.forEach((m, i) => {
    index[m] = [offset, bodies[i].length];
    offset += bodies[i].length;
  });
  const header = Buffer.from(JSON.stringify(index));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  const body = Buffer.concat([length, header, ...bodies]);
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 12);
  // `__account_route_view_<hash of the source location>` → `account_route`;
  // `account_route_part_work_<hash>` → `account_route_part_work`.
  const stem = split.replace(/^_+/, "").replace(/(_view)?_[0-9]+$/, "");
  const file = `${stem}.${hash}.pack`;
  writeFileSync(join(dir, file), body);
  packed[split] = [file];
}
for (const [parent, parts] of Object.entries(partsOf)) {
  packed[parent].push(...parts.map((part) => packed[part][0]));
}

// The loader is written anew. wasm-split's own defines a loader per chunk (hundreds, with a
// comment naming every route that shares it: 271 KB of JS, 8.8 KB brotli, all on the first
// load). What a route needs is in its pack's index, so the loader only has to know each split
// point's pack. Taken from wasm-split's loader: the main module's exports the modules link
// against (getSharedImports) and the callback protocol with the Rust side (wrapAsyncCb).
const loaderPath = join(dir, loaderName);
const original = readFileSync(loaderPath, "utf8");
const sharedMatch = original.match(/const \{([^}]*)\} = initSync\(undefined, undefined\);/);
const exportRe = /export const __wasm_split_load_([A-Za-z0-9_]+) = wrapAsyncCb\(makeLoad\(/g;
const exported = [...original.matchAll(exportRe)].map((m) => m[1]);
if (!sharedMatch || !/^import \{ initSync \} from "\.\/bellwether\.js";/.test(original)
    || !original.includes(".__indirect_function_table.get(callbackIndex)(callbackData, success)")) {
  console.error(`pack-routes: ${loaderName} does not look as expected (wasm-split changed?)`);
  process.exit(1);
}
const missing = exported.filter((split) => !packed[split]);
if (missing.length || exported.length !== Object.keys(packed).length) {
  console.error(`pack-routes: the loader exports ${exported.length} split points, the manifest has `
    + `${Object.keys(packed).length}; not packed: ${missing.join(", ")}`);
  process.exit(1);
}
const shared = sharedMatch[1].split(",").map((s) => s.trim()).filter(Boolean).join(", ");
const routes = exported.map((split) =>
  `export const __wasm_split_load_${split} = wrapAsyncCb(route("${packed[split][0]}", "split_${split}"));`);
const loader = `import { initSync } from "./bellwether.js";
// Written by scripts/pack-routes.mjs. Each route's modules come in one file, its pack:
// [u32 LE header length][JSON { module: [offset, length] }, the route's own module last][modules].
let shared;
function getSharedImports() {
    if (shared === undefined) {
        const { ${shared} } = initSync(undefined, undefined);
        shared = { __wasm_split: { ${shared} } };
    }
    return shared;
}
// The Rust side passes a callback (an index into the function table) told whether it worked.
function wrapAsyncCb(callee) {
    return async (callbackIndex, callbackData) => {
        let success;
        try {
            await callee();
            success = true;
        } catch (e) {
            console.error(e);
            success = false;
        } finally {
            getSharedImports().__wasm_split.__indirect_function_table.get(callbackIndex)(callbackData, success);
        }
    };
}
// Keeps a promise per key; a failed one is forgotten, so the next ask tries again (one
// transient network failure must not break a page for the rest of the session).
const once = (map, key, make) => {
    let p = map.get(key);
    if (p === undefined) {
        p = make();
        map.set(key, p);
        p.catch(() => { if (map.get(key) === p) map.delete(key); });
    }
    return p;
};
// A module is instantiated once, whichever route's pack brought it: routes share chunks.
const modules = new Map();
const routes = new Map();
function route(file, main) {
    return () => once(routes, main, async () => {
        const r = await fetch(new URL("./" + file, import.meta.url));
        if (!r.ok) throw new Error(file + ": HTTP " + r.status);
        const b = await r.arrayBuffer();
        const length = new DataView(b).getUint32(0, true);
        const index = JSON.parse(new TextDecoder().decode(new Uint8Array(b, 4, length)));
        const load = (m) => once(modules, m, () =>
            WebAssembly.instantiate(new Uint8Array(b, 4 + length + index[m][0], index[m][1]), getSharedImports()));
        await Promise.all(Object.keys(index).filter((m) => m !== main).map(load));
        return load(main);
    });
}
${routes.join("\n")}
`;
writeFileSync(loaderPath, loader);
// Every module is in the packs now; the loose files would only be served to nobody.
for (const modules of Object.values(manifest)) {
  for (const m of modules) {
    try { unlinkSync(join(dir, `${m}.wasm`)); } catch { /* shared: removed with an earlier route */ }
  }
}
writeFileSync(manifestPath, JSON.stringify(packed, null, 2));
console.log(`packed ${exported.length} lazily loaded routes`);
