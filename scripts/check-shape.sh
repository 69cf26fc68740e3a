#!/usr/bin/env bash
# The shape rules rustfmt cannot check (it leaves `view!` bodies and SurrealQL strings alone), run
# by CI next to `cargo fmt --check`:
#   - no source file under app/src or server/src over 600 lines (split by sub-aggregate);
#   - no line over 200 characters (a long `view!` line or query is the first sign of a component
#     or statement doing too much);
#   - the store classifies no database error by its message text, and every transaction goes
#     through the one checked path (`store::transact`);
#   - no function call inside an `IN` condition (`account IN array::map(…)`): SurrealDB
#     evaluates it for every row and uses no index — 15 s instead of 31 ms for 300 accounts
#     among 3 000 (BENCHMARKS.md). Build the list in a LET first;
#   - every server function answers through `crate::api::codec::Json` (app/src/api/codec.rs:
#     leptos's default output reads answers with a second JSON reader, which doubled every
#     answer type's deserializer in the browser bundle).
# leptosfmt was tried instead: it reflows every `view!` vertically, moves comments away from the
# code they explain, and more than doubled the repeated-shape pairs in app/src (135 → 300).
set -euo pipefail
cd "$(dirname "$0")/.."

fail=0
while IFS= read -r f; do
  n=$(wc -l <"$f")
  if [ "$n" -gt 600 ]; then
    echo "$f: $n lines (at most 600: split it by sub-aggregate)"
    fail=1
  fi
done < <(find app/src server/src -name '*.rs')

if grep -rnE '^.{201,}$' --include='*.rs' app/src server/src; then
  echo "lines above are over 200 characters"
  fail=1
fi

if grep -rn 'to_string().contains(' app/src/store; then
  echo "the store must not classify errors by their message text (THROW 'bw:kind:…' instead)"
  fail=1
fi

# A transaction text is passed to `transact`, never to `db.query` directly (the portfolio
# index's `query` is an in-memory filter, not SurrealQL).
if grep -rn '\.query(' app/src/store --include='*.rs' | grep -v -e 'app/src/store/query.rs' -e 'app/src/store/portfolio_index/'; then
  echo "store queries go through store::query (query_all/query_one/execute/transact)"
  fail=1
fi

if grep -rnE '\bIN (array|type|string)::' app/src --include='*.rs'; then
  echo "build the list in a LET before the query: a function call inside IN runs for every row"
  fail=1
fi

if grep -rn '#\[server(' app/src --include='*.rs' | grep -v 'server(default)' | grep -v 'output = crate::api::codec::Json'; then
  echo "server functions above must answer through output = crate::api::codec::Json (app/src/api/codec.rs)"
  fail=1
fi

exit $fail
