//! One integration test binary. Each test runs against every backend: SQLite always,
//! PostgreSQL and MySQL/MariaDB when CONFAB_TEST_POSTGRES_URL / CONFAB_TEST_MYSQL_URL
//! are set (under CI=true a missing URL fails the test instead of skipping it).

mod helpers;
mod invitations;
mod mail_support;
mod smtp;
mod ws_client;

mod admin;
mod auth;
mod avatars;
mod blobs;
mod cli;
mod cluster;
mod cluster_burst;
mod cluster_kill;
mod cluster_limits;
mod connections;
mod conversations;
mod deploy;
mod digest;
mod directory;
mod drain;
mod email_address;
mod errors;
mod file_rules;
mod first_account;
mod friends;
mod limits;
mod messages;
mod metrics;
mod nginx;
mod notifications;
mod outbox;
mod password_reset;
mod pictures;
mod pipelining;
mod policy;
mod presence;
mod proxies;
mod push;
mod push_service;
mod realtime;
mod receipts;
mod refresh_cookie;
mod resilience;
mod retention;
mod schema;
mod sessions;
mod store;
mod store_append;
mod system_messages;
mod text_rules;
mod uploads;
mod users;
mod web;
