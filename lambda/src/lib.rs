//! # saps-lambda
//!
//! The serverless side of saps: the storage port and its DynamoDB and SQLite backends
//! ([`store`]), and the deliverable blob store ([`blob`]). Domain decisions all come from
//! saps-core; this crate loads, saves and serves them over HTTP ([`api`]).

pub mod api;
pub mod blob;
pub mod catalog;
pub mod clock;
pub mod demo;
pub mod local;
pub mod logging;
pub mod maintenance;
pub mod serve;
pub mod store;
