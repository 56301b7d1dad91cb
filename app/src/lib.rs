//! Gatehouse's isomorphic crate: the routes, pages and components (rendered on
//! the server and hydrated in the browser), the server functions, the domain
//! types both sides share, and - with the `ssr` feature - the services,
//! entities and authentication behind them.

#![recursion_limit = "256"]

pub mod api;
mod app;
pub mod browser;
pub mod components;
pub mod domain;
pub mod error;
pub mod hydration_scripts;
pub mod pages;
pub mod percent;
#[cfg(feature = "ssr")]
pub mod server;

pub use app::{shell, App};
