#![no_main]
// See zmq::fuzzing::decoder for the input's layout.
libfuzzer_sys::fuzz_target!(|data: &[u8]| zmq::fuzzing::decoder(data));
