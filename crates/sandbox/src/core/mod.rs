//! The core shared by every platform module: state and persistence, the emulated
//! clock, OAuth building blocks, consent page, fault injection, request log, rate
//! limits, received posts, control API (and a client of it) and status page.

pub mod consent;
pub mod control_api;
pub mod engagement;
pub mod faults;
pub mod layer;
pub mod oauth;
pub mod platform;
pub mod ratelimit;
pub mod received;
pub mod remote;
pub mod reqlog;
pub mod sandbox;
pub mod server;
pub mod state;
pub mod status_page;
pub mod util;
