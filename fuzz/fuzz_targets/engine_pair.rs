#![no_main]
// See zmq::fuzzing::engine_pair for the input's layout.
libfuzzer_sys::fuzz_target!(|data: &[u8]| zmq::fuzzing::engine_pair(data));
