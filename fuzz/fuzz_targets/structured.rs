#![no_main]
// Body and oracle: vcap_diag_fuzz::structured (src/lib.rs).
libfuzzer_sys::fuzz_target!(|data: &[u8]| vcap_diag_fuzz::structured(data));
