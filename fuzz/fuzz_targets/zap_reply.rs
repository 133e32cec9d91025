#![no_main]
// See zmq::fuzzing::zap_reply for the input's layout.
libfuzzer_sys::fuzz_target!(|data: &[u8]| zmq::fuzzing::zap_reply(data));
