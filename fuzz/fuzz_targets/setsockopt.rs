#![no_main]
// See zmq::fuzzing::setsockopt for the input's layout.
libfuzzer_sys::fuzz_target!(|data: &[u8]| zmq::fuzzing::setsockopt(data));
