#![no_main]
// See zmq::fuzzing::ws_server for the input's layout.
libfuzzer_sys::fuzz_target!(|data: &[u8]| zmq::fuzzing::ws_server(data));
