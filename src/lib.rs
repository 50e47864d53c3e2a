//! Confab: a self-hostable real-time chat server. See ARCHITECTURE.md for the layers.

pub mod app;
pub mod auth;
pub mod bus;
pub mod chat;
pub mod config;
pub mod domain;
pub mod error;
pub mod http;
pub mod mail;
pub mod metrics;
pub mod push;
pub mod store;
pub mod ws;
