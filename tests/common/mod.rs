//! Helpers shared by integration tests. A `tests/common/` directory is not compiled as a test
//! binary of its own; a test file that needs it says `mod common;`. Each such test binary
//! compiles its own copy and may use only part of it, hence `allow(dead_code)`.

#[allow(dead_code)]
pub mod powershell;
