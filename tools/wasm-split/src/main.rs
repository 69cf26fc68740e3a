//! `wasm-split INPUT.wasm PKG_DIR MAIN_OUT.wasm`: splits the browser bundle (built with
//! `-Clink-args=--emit-relocs`) at the split points `#[lazy]` and `#[lazy_route]` leave in it.
//! Writes each lazily loaded chunk and the loader (`__wasm_split.______________________.js`, the
//! name leptos's `HydrationScripts` asks for) to PKG_DIR, the main module (for wasm-bindgen
//! `--keep-lld-exports`) to MAIN_OUT, and `__wasm_split_manifest.json` (which chunks each split
//! point needs: the server's preload hints) to PKG_DIR. The same steps cargo-leptos `--split`
//! takes, driven from our own build script since we do not use cargo-leptos.

use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, pkg, main_out] = args.as_slice() else {
        eprintln!("usage: wasm-split INPUT.wasm PKG_DIR MAIN_OUT.wasm");
        std::process::exit(2);
    };
    if let Err(e) = run(Path::new(input), Path::new(pkg), Path::new(main_out)) {
        eprintln!("wasm-split: {e:?}");
        std::process::exit(1);
    }
}

fn run(input: &Path, pkg: &Path, main_out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let wasm = std::fs::read(input)?;
    let split = wasm_split_cli_support::transform({
        let mut opts = wasm_split_cli_support::Options::new(&wasm);
        opts.output_dir = pkg;
        opts.main_out_path = main_out;
        // Chunks import the bindings from the main module's JS glue, which sits beside them.
        opts.main_module = "./bellwether.js";
        opts.link_name = "./__wasm_split.______________________.js";
        opts
    })
    .map_err(|e| format!("{e:?}"))?;
    let manifest = serde_json::to_string_pretty(&split.prefetch_map)?;
    std::fs::write(pkg.join("__wasm_split_manifest.json"), manifest)?;
    for chunk in &split.split_modules {
        println!("{}", chunk.display());
    }
    Ok(())
}
