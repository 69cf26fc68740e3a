//! The integration tests: one binary, so SurrealDB is linked once (each test binary used to
//! link it again). Every test starts the real router on a random loopback port against its own
//! `mem://` database (or, in `durability`, the real binary on `surrealkv://`) and speaks HTTP
//! to it like a browser, a customer's phone or an integration would.

mod alert_rules;
mod alerts;
mod api;
mod backup;
mod common;
mod concurrency;
mod contract;
mod crm_sync;
mod csv_import;
mod dashboard;
mod durability;
mod escalations;
mod health;
mod imports;
mod messages;
mod nodes;
mod plans;
mod rest_accounts;
mod revenue;
mod roles;
mod security;
mod segments;
mod sla_report;
mod surveys;
mod webhooks;
