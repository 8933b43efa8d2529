//! Helpers shared by the test binaries (a folder module, so it is no test binary itself).
#![allow(dead_code)]

pub mod cmdlets;
pub mod powershell;
