//! The Servetel / Tata Smartflo / Acefone REST client: one `reqwest::Client`, one private
//! `send`, typed errors that keep the HTTP status and the server's own words.

mod client;
mod error;
mod models;
mod reply;
mod send;
mod session;

pub use client::{
    clean_token, is_loopback_url, plain_loopback, warm_up_tls, Client, ClientOptions, Credentials,
    DialRequest, RecordQuery, MAX_LIVE_ROWS,
};
pub use error::{human_duration, ApiError, ErrorCode};
pub use models::{
    last10, Agent, AgentDetail, AgentStatus, CallRecord, CallRecords, CallerId, LiveCall,
    LiveState, Outcome, Queued,
};
pub use send::{MAX_REPLY_BYTES, MAX_WAIT};
pub use session::{is_session_refusal, RENEW_BEFORE};
