#![no_main]
// See zmq::fuzzing::ws_client for the input's layout.
libfuzzer_sys::fuzz_target!(|data: &[u8]| zmq::fuzzing::ws_client(data));
