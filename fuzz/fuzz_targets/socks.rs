#![no_main]
// See zmq::fuzzing::socks for the input's layout.
libfuzzer_sys::fuzz_target!(|data: &[u8]| zmq::fuzzing::socks(data));
