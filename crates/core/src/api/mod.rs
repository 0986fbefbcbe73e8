//! The Servetel / Tata Smartflo / Acefone REST client: one `reqwest::Client`, one private
//! `send`, typed errors that keep the HTTP status and the server's own words.

mod client;
mod error;
mod models;

pub use client::{clean_token, Client, ClientOptions, DialRequest};
pub use error::{ApiError, ErrorCode};
pub use models::{Agent, AgentStatus, CallerId, Queued};
