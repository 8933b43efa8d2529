//! cmg-preflight: checks a Configuration Manager site export for everything that
//! "deploy an OS over a CMG using boot media" needs, and says where each gap is.

pub mod cli;
pub mod config;
pub mod diff;
pub mod docs;
pub mod export;
#[doc(hidden)]
pub mod fuzz_entry;
pub mod gate;
pub mod model;
pub mod parallel;
pub mod report;
pub mod rules;
pub mod run;
pub mod schema;
pub mod script;
pub mod source;
