#![no_main]
// See zmq::fuzzing::greeting for the input's layout.
libfuzzer_sys::fuzz_target!(|data: &[u8]| zmq::fuzzing::greeting(data));
