//! `surreal`: the SurrealDB server's own command line (`start`, `export`, `import`, `isready` …),
//! the same entry point as the official binary, at the version Bellwether's client speaks
//! (3.3.5). The multi-node tests start it on a loopback port; deployments use the official
//! image (deploy/compose.yaml), which this matches.

// Optimised builds compute the layout of SurrealDB's deeply nested async query engine here and
// need more than the default 128 levels (measured: 130).
#![recursion_limit = "256"]

fn main() -> std::process::ExitCode {
    surrealdb_server::init(surrealdb_server::core::CommunityComposer())
}
