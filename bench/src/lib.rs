//! confab-bench as a library, so its scenarios can be tested against a server
//! started in-process.

pub mod client;
pub mod groups;
pub mod idle;
pub mod reconnect;
pub mod report;
pub mod setup;
