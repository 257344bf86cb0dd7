//! Roadone's server: the HTTP API, the scheduler, and the use cases that join the
//! pure case rules (`roadone-domain`) to a store (`roadone-store`).

pub mod accounts;
pub mod app;
pub mod attachments;
pub mod calls;
pub mod canned_replies;
pub mod cases;
pub mod categories;
pub mod config;
pub mod customers;
pub mod directory;
pub mod error;
pub mod experiments;
pub mod faults;
pub mod health;
pub mod http;
pub mod intake;
pub mod junk_mail;
pub mod languages;
pub mod live;
pub mod logging;
pub mod mail;
pub mod metrics;
pub mod orders;
pub mod passwords;
pub mod people;
pub mod reports;
pub mod saved_views;
pub mod scheduler;
pub mod second_factor;
pub mod service;
pub mod sessions;
pub mod settings;
pub mod supervisor;
pub mod time_zones;
pub mod tokens;
pub mod web;

pub use app::{App, AppState};
pub use config::{Config, ConfigError};
pub use error::AppError;
