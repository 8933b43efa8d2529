//! cmg-preflight: checks a Configuration Manager site export for everything that
//! "deploy an OS over a CMG using boot media" needs, and says where each gap is.

pub mod export;
pub mod source;
