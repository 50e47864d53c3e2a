//! confab-bench as a library, so its scenarios can be tested against a server
//! started in-process.

pub mod cast;
pub mod chaos;
pub mod chaos_member;
pub mod chaos_setup;
pub mod client;
pub mod cpu;
pub mod fanout;
pub mod history;
pub mod idle;
pub mod ingest;
pub mod latency;
pub mod member;
pub mod peer;
pub mod reconnect;
pub mod report;
pub mod search;
pub mod setup;
pub mod stages;
pub mod upload_burst;
pub mod uploads;
