#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cmg_preflight::fuzz_entry::media_plan(data));
