//! `Options::get`: libzmq's `options_t::getsockopt`, case by case.

use super::codec::{self, write_int, write_string};
use super::consts::*;
use super::*;
use crate::{Error, Result};

impl Options {
    /// `zmq_getsockopt` into the caller's buffer (`optval`, `*optvallen`);
    /// returns the new `*optvallen`.
    ///
    /// As in libzmq: `int` options want a buffer of exactly `sizeof (int)`,
    /// `ZMQ_AFFINITY` and `ZMQ_MAXMSGSIZE` exactly 8 bytes; strings are
    /// written NUL-terminated into any large enough buffer (the length
    /// counts the NUL, the rest of the buffer is zeroed); the routing id is
    /// written the same way without a NUL; a CURVE key comes back binary into
    /// a 32-byte buffer or as Z85 text plus NUL into a 41-byte one.
    ///
    /// Options that can be set but not read (`ZMQ_TCP_ACCEPT_FILTER`, the
    /// IPC filters, `ZMQ_METADATA`, `ZMQ_HELLO_MSG`, `ZMQ_DISCONNECT_MSG`,
    /// `ZMQ_HICCUP_MSG`, `ZMQ_WSS_*`), pattern and socket-level options and
    /// unknown ones are `EINVAL`. So is `ZMQ_BUSY_POLL`, after writing the
    /// value: libzmq 4.3.5 forgets to return success for it.
    pub fn get(&self, option: i32, out: &mut [u8]) -> Result<usize> {
        match option {
            ZMQ_SNDHWM => write_int(out, self.sndhwm),
            ZMQ_RCVHWM => write_int(out, self.rcvhwm),
            ZMQ_AFFINITY => codec::write_u64(out, self.affinity),
            ZMQ_ROUTING_ID => codec::write_value(out, &self.routing_id),
            ZMQ_RATE => write_int(out, self.rate),
            ZMQ_RECOVERY_IVL => write_int(out, self.recovery_ivl),
            ZMQ_SNDBUF => write_int(out, self.sndbuf),
            ZMQ_RCVBUF => write_int(out, self.rcvbuf),
            ZMQ_TOS => write_int(out, self.tos),
            ZMQ_TYPE => write_int(out, self.socket_type),
            ZMQ_LINGER => write_int(out, self.linger),
            ZMQ_CONNECT_TIMEOUT => write_int(out, self.connect_timeout),
            ZMQ_TCP_MAXRT => write_int(out, self.tcp_maxrt),
            ZMQ_RECONNECT_STOP => write_int(out, self.reconnect_stop),
            ZMQ_RECONNECT_IVL => write_int(out, self.reconnect_ivl),
            ZMQ_RECONNECT_IVL_MAX => write_int(out, self.reconnect_ivl_max),
            ZMQ_BACKLOG => write_int(out, self.backlog),
            ZMQ_MAXMSGSIZE => codec::write_i64(out, self.maxmsgsize),
            ZMQ_MULTICAST_HOPS => write_int(out, self.multicast_hops),
            ZMQ_MULTICAST_MAXTPDU => write_int(out, self.multicast_maxtpdu),
            ZMQ_RCVTIMEO => write_int(out, self.rcvtimeo),
            ZMQ_SNDTIMEO => write_int(out, self.sndtimeo),
            ZMQ_IPV4ONLY => write_int(out, i32::from(!self.ipv6)),
            ZMQ_IPV6 => write_int(out, i32::from(self.ipv6)),
            ZMQ_IMMEDIATE => write_int(out, i32::from(self.immediate)),
            ZMQ_SOCKS_PROXY => write_string(out, &self.socks_proxy_address),
            ZMQ_SOCKS_USERNAME => write_string(out, &self.socks_proxy_username),
            ZMQ_SOCKS_PASSWORD => write_string(out, &self.socks_proxy_password),
            ZMQ_TCP_KEEPALIVE => write_int(out, self.tcp_keepalive),
            ZMQ_TCP_KEEPALIVE_CNT => write_int(out, self.tcp_keepalive_cnt),
            ZMQ_TCP_KEEPALIVE_IDLE => write_int(out, self.tcp_keepalive_idle),
            ZMQ_TCP_KEEPALIVE_INTVL => write_int(out, self.tcp_keepalive_intvl),
            ZMQ_MECHANISM => write_int(out, self.mechanism),
            ZMQ_PLAIN_SERVER => write_int(out, self.serves(ZMQ_PLAIN)),
            ZMQ_PLAIN_USERNAME => write_string(out, &self.plain_username),
            ZMQ_PLAIN_PASSWORD => write_string(out, &self.plain_password),
            ZMQ_ZAP_DOMAIN => write_string(out, &self.zap_domain),
            ZMQ_CURVE_SERVER if HAVE_CURVE => write_int(out, self.serves(ZMQ_CURVE)),
            ZMQ_CURVE_PUBLICKEY if HAVE_CURVE => get_curve_key(out, &self.curve_public_key),
            ZMQ_CURVE_SECRETKEY if HAVE_CURVE => get_curve_key(out, &self.curve_secret_key),
            ZMQ_CURVE_SERVERKEY if HAVE_CURVE => get_curve_key(out, &self.curve_server_key),
            ZMQ_CONFLATE => write_int(out, i32::from(self.conflate)),
            ZMQ_GSSAPI_SERVER if HAVE_GSSAPI => write_int(out, self.serves(ZMQ_GSSAPI)),
            ZMQ_GSSAPI_PRINCIPAL if HAVE_GSSAPI => write_string(out, &self.gss_principal),
            ZMQ_GSSAPI_SERVICE_PRINCIPAL if HAVE_GSSAPI => {
                write_string(out, &self.gss_service_principal)
            }
            ZMQ_GSSAPI_PLAINTEXT if HAVE_GSSAPI => write_int(out, i32::from(self.gss_plaintext)),
            ZMQ_GSSAPI_PRINCIPAL_NAMETYPE if HAVE_GSSAPI => write_int(out, self.gss_principal_nt),
            ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE if HAVE_GSSAPI => {
                write_int(out, self.gss_service_principal_nt)
            }
            ZMQ_HANDSHAKE_IVL => write_int(out, self.handshake_ivl),
            ZMQ_INVERT_MATCHING => write_int(out, i32::from(self.invert_matching)),
            ZMQ_HEARTBEAT_IVL => write_int(out, self.heartbeat_interval),
            ZMQ_HEARTBEAT_TTL => write_int(out, self.heartbeat_ttl_ms()),
            ZMQ_HEARTBEAT_TIMEOUT => write_int(out, self.heartbeat_timeout),
            ZMQ_USE_FD => write_int(out, self.use_fd),
            ZMQ_BINDTODEVICE => write_string(out, &self.bound_device),
            ZMQ_ZAP_ENFORCE_DOMAIN => write_int(out, i32::from(self.zap_enforce_domain)),
            ZMQ_LOOPBACK_FASTPATH => write_int(out, i32::from(self.loopback_fastpath)),
            ZMQ_MULTICAST_LOOP => write_int(out, i32::from(self.multicast_loop)),
            ZMQ_ROUTER_NOTIFY => write_int(out, self.router_notify),
            ZMQ_IN_BATCH_SIZE => write_int(out, self.in_batch_size),
            ZMQ_OUT_BATCH_SIZE => write_int(out, self.out_batch_size),
            ZMQ_PRIORITY => write_int(out, self.priority),
            ZMQ_BUSY_POLL => {
                // Written when the size fits, but never reported as success.
                let _ = write_int(out, self.busy_poll);
                Err(Error::EINVAL)
            }
            ZMQ_NORM_MODE if HAVE_NORM => write_int(out, self.norm_mode),
            ZMQ_NORM_UNICAST_NACK if HAVE_NORM => {
                write_int(out, i32::from(self.norm_unicast_nacks))
            }
            ZMQ_NORM_BUFFER_SIZE if HAVE_NORM => write_int(out, self.norm_buffer_size),
            ZMQ_NORM_SEGMENT_SIZE if HAVE_NORM => write_int(out, self.norm_segment_size),
            ZMQ_NORM_BLOCK_SIZE if HAVE_NORM => write_int(out, self.norm_block_size),
            ZMQ_NORM_NUM_PARITY if HAVE_NORM => write_int(out, self.norm_num_parity),
            ZMQ_NORM_NUM_AUTOPARITY if HAVE_NORM => write_int(out, self.norm_num_autoparity),
            ZMQ_NORM_PUSH if HAVE_NORM => write_int(out, i32::from(self.norm_push_enable)),
            _ => Err(Error::EINVAL),
        }
    }

    /// libzmq reports a `*_SERVER` option as set only while the mechanism is
    /// still the one that option selected.
    fn serves(&self, mechanism: i32) -> i32 {
        i32::from(self.as_server && self.mechanism == mechanism)
    }
}

/// A CURVE key into a 32-byte buffer (binary) or a 41-byte one (Z85 + NUL);
/// any other size is `EINVAL`. The length is left as the caller gave it.
fn get_curve_key(out: &mut [u8], key: &[u8; CURVE_KEYSIZE]) -> Result<usize> {
    match out.len() {
        CURVE_KEYSIZE => out.copy_from_slice(key),
        n if n == CURVE_KEYSIZE_Z85 + 1 => {
            out[..CURVE_KEYSIZE_Z85].copy_from_slice(&codec::z85_encode(key));
            out[CURVE_KEYSIZE_Z85] = 0;
        }
        _ => return Err(Error::EINVAL),
    }
    Ok(out.len())
}
