//! Use cases (server only): what one action does across stores, called alike by server functions
//! (`api`), REST handlers and background jobs (`server`). A server function demands a permission,
//! validates its input, then calls one service or store function; a job never calls a server
//! function. Pure arithmetic stays in `metrics` and `model`, SurrealQL in `store`.

pub mod alerts;
pub mod csv_import;
pub mod dashboard;
pub mod dashboard_cache;
pub mod engagement;
pub mod escalations;
pub mod health;
pub mod health_models;
pub mod imports;
pub mod messages;
pub mod my_work;
pub mod plans;
pub mod portfolio;
pub mod revenue;
pub mod segments;
pub mod session;
pub mod sla;
pub mod sla_report;
pub mod sla_timer;
pub mod surveys;
pub mod timeline;
pub mod uptime;
pub mod usage;
pub mod webhooks;
