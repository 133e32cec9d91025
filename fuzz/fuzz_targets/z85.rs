#![no_main]
// See zmq::fuzzing::z85 for the input's layout.
libfuzzer_sys::fuzz_target!(|data: &[u8]| zmq::fuzzing::z85(data));
