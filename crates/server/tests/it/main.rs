//! The server driven from outside as its users drive it: the case rules over the API, mail both ways, the portal, the staff pages in a real browser, the reports, security, and the shape of the code.
//!
//! One test binary for the crate: each file below is a module, so the crate is linked
//! once for all of them.

mod common;

mod architecture;
mod bad_input;
mod browser;
mod browser_accounts;
mod browser_axe;
mod browser_live;
mod browser_second_factor;
mod browser_shortcuts;
mod calls_api;
mod calls_cdr;
mod calls_lines;
mod calls_missed;
mod calls_twilio;
mod case_life;
mod customer_languages;
mod escalation;
mod experiments_api;
mod experiments_pages;
mod experiments_report;
mod health;
mod http_layers;
mod inbound;
mod inbound_quotes;
mod junk_mail;
mod junk_marks;
mod live;
mod mail;
mod mail_tls;
mod notes;
mod openapi;
mod orders;
mod people;
mod portal;
mod reports_customer_math;
mod reports_outcomes;
mod reports_trail;
mod security_http;
mod security_mail;
mod security_ratings;
mod several_servers;
mod smtp_in;
mod staff_accounts;
mod staff_admin;
mod staff_canned;
mod staff_case_page;
mod staff_case_views;
mod staff_customers;
mod staff_intake;
mod staff_pages;
mod staff_roles;
mod staff_second_factor;
mod staff_settings;
mod staff_time_zones;
mod staff_views;
