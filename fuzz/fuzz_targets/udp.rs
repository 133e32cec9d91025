#![no_main]
// See zmq::fuzzing::udp for the input's layout.
libfuzzer_sys::fuzz_target!(|data: &[u8]| zmq::fuzzing::udp(data));
