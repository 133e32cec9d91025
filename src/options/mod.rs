//! Socket options: every option libzmq 4.3.5 keeps in its `options_t`,
//! stored, validated and returned exactly as libzmq does.
//!
//! `zmq_setsockopt`/`zmq_getsockopt` reach the socket, which first offers
//! the option to its pattern (see [`is_pattern_option`]), then answers the
//! few values it owns itself (see [`is_socket_level_option`]), and finally
//! passes everything else to [`Options::set`]/[`Options::get`], which take
//! the raw C bytes. The byte-level rules live in [`codec`] so that patterns
//! decode their own options the same way.
//!
//! Which optional features the options accept is fixed by the `HAVE_*`
//! constants below, mirroring the `#ifdef`s of libzmq's `options.cpp`; a
//! build without a feature answers its options with `EINVAL`.

pub mod codec;
pub mod consts;
mod filter;
mod get;
mod set;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

pub use filter::TcpAcceptFilter;

use consts::*;

/// CURVE options (`ZMQ_CURVE_*`) are accepted.
pub const HAVE_CURVE: bool = true;
/// GSSAPI and NORM are not in the reference build (no Kerberos, no NORM):
/// it answers `EINVAL` for their options, and so do we. Turn one on with
/// the feature it stands for. WSS is ours on rustls (the reference would
/// need GnuTLS), so its options are accepted.
pub const HAVE_GSSAPI: bool = false;
pub const HAVE_NORM: bool = false;
pub const HAVE_WSS: bool = true;
/// `ZMQ_IPC_FILTER_UID`/`_GID` need the peer's credentials on IPC sockets.
pub const HAVE_IPC_UID_GID_FILTER: bool = cfg!(any(
    target_os = "linux",
    target_os = "android",
    target_os = "macos",
    target_os = "freebsd"
));
/// `ZMQ_IPC_FILTER_PID` needs `SO_PEERCRED`, which only Linux has.
pub const HAVE_IPC_PID_FILTER: bool = cfg!(any(target_os = "linux", target_os = "android"));

/// Length of a binary CURVE key.
pub const CURVE_KEYSIZE: usize = 32;
/// Length of a CURVE key in Z85 text, without the terminating NUL.
pub const CURVE_KEYSIZE_Z85: usize = 40;

/// Longest `ZMQ_BINDTODEVICE` value (`IFNAMSIZ`).
const BINDDEVSIZ: usize = 16;

/// Options the pattern sockets handle in their own `xsetsockopt` /
/// `xgetsockopt`; [`Options::set`] and [`Options::get`] answer them with
/// `EINVAL`, as libzmq's `options_t` does when a pattern declines them.
///
/// - `ZMQ_SUBSCRIBE`, `ZMQ_UNSUBSCRIBE` (SUB, and XPUB in manual mode)
/// - `ZMQ_ROUTER_MANDATORY`, `ZMQ_ROUTER_RAW`, `ZMQ_ROUTER_HANDOVER`
///   (ROUTER, REP)
/// - `ZMQ_ROUTER_NOTIFY` for setting (ROUTER, REP; see
///   [`Options::set_router_notify`]); *getting* it is a generic option that
///   every socket type answers
/// - `ZMQ_PROBE_ROUTER` (ROUTER, REP, DEALER, REQ)
/// - `ZMQ_REQ_CORRELATE`, `ZMQ_REQ_RELAXED` (REQ)
/// - `ZMQ_CONNECT_ROUTING_ID` (ROUTER, REP, STREAM)
/// - `ZMQ_STREAM_NOTIFY` (STREAM; see [`Options::set_stream_notify`])
/// - `ZMQ_XPUB_VERBOSE`, `ZMQ_XPUB_VERBOSER`, `ZMQ_XPUB_MANUAL`,
///   `ZMQ_XPUB_MANUAL_LAST_VALUE`, `ZMQ_XPUB_WELCOME_MSG` (XPUB, PUB)
/// - `ZMQ_XPUB_NODROP` (XPUB, PUB, RADIO)
/// - `ZMQ_ONLY_FIRST_SUBSCRIBE` (XPUB, PUB, XSUB; SUB's own
///   `xsetsockopt` knows only (UN)SUBSCRIBE)
/// - `ZMQ_XSUB_VERBOSE_UNSUBSCRIBE` (XSUB)
/// - `ZMQ_TOPICS_COUNT`, get only (XPUB, PUB, XSUB, SUB)
///
/// `tests/tables/options.txt` holds what libzmq answers for every option on
/// every type; `tests/tables.rs` checks us against it.
pub fn is_pattern_option(option: i32) -> bool {
    matches!(
        option,
        ZMQ_SUBSCRIBE
            | ZMQ_UNSUBSCRIBE
            | ZMQ_ROUTER_MANDATORY
            | ZMQ_ROUTER_RAW
            | ZMQ_ROUTER_HANDOVER
            | ZMQ_ROUTER_NOTIFY
            | ZMQ_PROBE_ROUTER
            | ZMQ_REQ_CORRELATE
            | ZMQ_REQ_RELAXED
            | ZMQ_CONNECT_ROUTING_ID
            | ZMQ_STREAM_NOTIFY
            | ZMQ_XPUB_VERBOSE
            | ZMQ_XPUB_VERBOSER
            | ZMQ_XPUB_NODROP
            | ZMQ_XPUB_MANUAL
            | ZMQ_XPUB_MANUAL_LAST_VALUE
            | ZMQ_XPUB_WELCOME_MSG
            | ZMQ_ONLY_FIRST_SUBSCRIBE
            | ZMQ_XSUB_VERBOSE_UNSUBSCRIBE
            | ZMQ_TOPICS_COUNT
    )
}

/// Read-only values the socket itself answers (libzmq's
/// `socket_base_t::getsockopt`), all written with [`codec::write_value`]'s
/// at-least-this-long rule: `ZMQ_RCVMORE`, `ZMQ_FD` (`EINVAL` on thread-safe
/// sockets), `ZMQ_EVENTS`, `ZMQ_LAST_ENDPOINT` (a string) and
/// `ZMQ_THREAD_SAFE`. Setting any of them is `EINVAL`, as is asking
/// [`Options`] for them. `ZMQ_TYPE` is *not* one of them: it lives in
/// [`Options`].
pub fn is_socket_level_option(option: i32) -> bool {
    matches!(
        option,
        ZMQ_RCVMORE | ZMQ_FD | ZMQ_EVENTS | ZMQ_LAST_ENDPOINT | ZMQ_THREAD_SAFE
    )
}

/// A socket's options, one typed field per member of libzmq's `options_t`.
///
/// Strings are kept as bytes because libzmq keeps them as `std::string`s of
/// whatever the caller passed, embedded NULs included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    pub sndhwm: i32,
    pub rcvhwm: i32,
    pub affinity: u64,
    /// 0 to 255 bytes; empty means "not set".
    pub routing_id: Vec<u8>,
    pub rate: i32,
    pub recovery_ivl: i32,
    pub multicast_hops: i32,
    pub multicast_maxtpdu: i32,
    pub sndbuf: i32,
    pub rcvbuf: i32,
    pub tos: i32,
    pub priority: i32,
    pub socket_type: i32,
    pub linger: i32,
    pub connect_timeout: i32,
    pub tcp_maxrt: i32,
    pub reconnect_stop: i32,
    pub reconnect_ivl: i32,
    pub reconnect_ivl_max: i32,
    pub backlog: i32,
    pub maxmsgsize: i64,
    pub rcvtimeo: i32,
    pub sndtimeo: i32,
    pub ipv6: bool,
    pub immediate: bool,
    /// (X)SUB filters messages; set for SUB only.
    pub filter: bool,
    pub invert_matching: bool,
    /// The routing id message is delivered to the socket (ROUTER, REP).
    pub recv_routing_id: bool,
    /// The socket accepts non-ZMTP peers (STREAM, DGRAM, ROUTER_RAW).
    pub raw_socket: bool,
    /// Raw sockets deliver connect/disconnect notifications.
    pub raw_notify: bool,
    pub socks_proxy_address: Vec<u8>,
    pub socks_proxy_username: Vec<u8>,
    pub socks_proxy_password: Vec<u8>,
    pub tcp_keepalive: i32,
    pub tcp_keepalive_cnt: i32,
    pub tcp_keepalive_idle: i32,
    pub tcp_keepalive_intvl: i32,
    pub tcp_accept_filters: Vec<TcpAcceptFilter>,
    pub ipc_uid_accept_filters: BTreeSet<u32>,
    pub ipc_gid_accept_filters: BTreeSet<u32>,
    pub ipc_pid_accept_filters: BTreeSet<i32>,
    pub mechanism: i32,
    pub as_server: bool,
    pub zap_domain: Vec<u8>,
    pub plain_username: Vec<u8>,
    pub plain_password: Vec<u8>,
    pub curve_public_key: [u8; CURVE_KEYSIZE],
    pub curve_secret_key: [u8; CURVE_KEYSIZE],
    pub curve_server_key: [u8; CURVE_KEYSIZE],
    pub gss_principal: Vec<u8>,
    pub gss_service_principal: Vec<u8>,
    pub gss_principal_nt: i32,
    pub gss_service_principal_nt: i32,
    pub gss_plaintext: bool,
    /// The context's number for the socket (used in ZAP and monitor ids).
    pub socket_id: i32,
    /// Stored for every type; see [`Options::effective_conflate`].
    pub conflate: bool,
    pub handshake_ivl: i32,
    /// Set once the socket has connected or bound somewhere.
    pub connected: bool,
    /// In deciseconds, as sent on the wire; the option is in milliseconds.
    pub heartbeat_ttl: u16,
    pub heartbeat_interval: i32,
    pub heartbeat_timeout: i32,
    pub use_fd: i32,
    pub bound_device: Vec<u8>,
    pub zap_enforce_domain: bool,
    pub loopback_fastpath: bool,
    pub multicast_loop: bool,
    pub in_batch_size: i32,
    pub out_batch_size: i32,
    pub zero_copy: bool,
    pub router_notify: i32,
    /// `ZMQ_METADATA` properties, keyed by name ("X-..."), first value wins.
    pub app_metadata: BTreeMap<Vec<u8>, Vec<u8>>,
    pub monitor_event_version: i32,
    pub wss_key_pem: Vec<u8>,
    pub wss_cert_pem: Vec<u8>,
    pub wss_trust_pem: Vec<u8>,
    pub wss_hostname: Vec<u8>,
    pub wss_trust_system: bool,
    pub hello_msg: Vec<u8>,
    pub can_send_hello_msg: bool,
    pub disconnect_msg: Vec<u8>,
    pub can_recv_disconnect_msg: bool,
    pub hiccup_msg: Vec<u8>,
    pub can_recv_hiccup_msg: bool,
    pub norm_mode: i32,
    pub norm_unicast_nacks: bool,
    pub norm_buffer_size: i32,
    pub norm_segment_size: i32,
    pub norm_block_size: i32,
    pub norm_num_parity: i32,
    pub norm_num_autoparity: i32,
    pub norm_push_enable: bool,
    pub busy_poll: i32,
}

impl Options {
    /// The options of a new socket of `socket_type` in a context with
    /// default settings (`ZMQ_BLOCKY` and `ZMQ_ZERO_COPY_RECV` on).
    pub fn new(socket_type: i32) -> Options {
        Options::with_context(socket_type, true, true)
    }

    /// The options of a new socket of `socket_type`, given the context's
    /// `ZMQ_BLOCKY` (linger -1 if set, else 0) and `ZMQ_ZERO_COPY_RECV`.
    ///
    /// This is libzmq's `options_t` constructor followed by what
    /// `socket_base_t` and each pattern's constructor change, in that order:
    /// XSUB, SUB and DISH set linger to 0 whatever `ZMQ_BLOCKY` says.
    pub fn with_context(socket_type: i32, blocky: bool, zero_copy_recv: bool) -> Options {
        let mut o = Options::libzmq_defaults();
        o.socket_type = socket_type;
        o.linger = if blocky { -1 } else { 0 };
        o.zero_copy = zero_copy_recv;
        match socket_type {
            ZMQ_ROUTER | ZMQ_REP => {
                o.recv_routing_id = true;
                o.can_send_hello_msg = true;
                o.can_recv_disconnect_msg = true;
            }
            ZMQ_DEALER | ZMQ_REQ | ZMQ_CLIENT => {
                o.can_send_hello_msg = true;
                o.can_recv_hiccup_msg = true;
            }
            ZMQ_SERVER => {
                o.can_send_hello_msg = true;
                o.can_recv_disconnect_msg = true;
            }
            ZMQ_PEER => {
                o.can_send_hello_msg = true;
                o.can_recv_disconnect_msg = true;
                o.can_recv_hiccup_msg = true;
            }
            ZMQ_STREAM | ZMQ_DGRAM => o.raw_socket = true,
            ZMQ_SUB => {
                o.filter = true;
                o.linger = 0;
            }
            ZMQ_XSUB | ZMQ_DISH => o.linger = 0,
            _ => {}
        }
        o
    }

    /// `options_t::options_t ()`, before any socket touches it.
    fn libzmq_defaults() -> Options {
        Options {
            sndhwm: 1000,
            rcvhwm: 1000,
            affinity: 0,
            routing_id: Vec::new(),
            rate: 100,
            recovery_ivl: 10000,
            multicast_hops: 1,
            multicast_maxtpdu: 1500,
            sndbuf: -1,
            rcvbuf: -1,
            tos: 0,
            priority: 0,
            socket_type: -1,
            linger: -1,
            connect_timeout: 0,
            tcp_maxrt: 0,
            reconnect_stop: 0,
            reconnect_ivl: 100,
            reconnect_ivl_max: 0,
            backlog: 100,
            maxmsgsize: -1,
            rcvtimeo: -1,
            sndtimeo: -1,
            ipv6: false,
            immediate: false,
            filter: false,
            invert_matching: false,
            recv_routing_id: false,
            raw_socket: false,
            raw_notify: true,
            socks_proxy_address: Vec::new(),
            socks_proxy_username: Vec::new(),
            socks_proxy_password: Vec::new(),
            tcp_keepalive: -1,
            tcp_keepalive_cnt: -1,
            tcp_keepalive_idle: -1,
            tcp_keepalive_intvl: -1,
            tcp_accept_filters: Vec::new(),
            ipc_uid_accept_filters: BTreeSet::new(),
            ipc_gid_accept_filters: BTreeSet::new(),
            ipc_pid_accept_filters: BTreeSet::new(),
            mechanism: ZMQ_NULL,
            as_server: false,
            zap_domain: Vec::new(),
            plain_username: Vec::new(),
            plain_password: Vec::new(),
            curve_public_key: [0; CURVE_KEYSIZE],
            curve_secret_key: [0; CURVE_KEYSIZE],
            curve_server_key: [0; CURVE_KEYSIZE],
            gss_principal: Vec::new(),
            gss_service_principal: Vec::new(),
            gss_principal_nt: ZMQ_GSSAPI_NT_HOSTBASED,
            gss_service_principal_nt: ZMQ_GSSAPI_NT_HOSTBASED,
            gss_plaintext: false,
            socket_id: 0,
            conflate: false,
            handshake_ivl: 30000,
            connected: false,
            heartbeat_ttl: 0,
            heartbeat_interval: 0,
            heartbeat_timeout: -1,
            use_fd: -1,
            bound_device: Vec::new(),
            zap_enforce_domain: false,
            loopback_fastpath: false,
            multicast_loop: true,
            in_batch_size: 8192,
            out_batch_size: 8192,
            zero_copy: true,
            router_notify: 0,
            app_metadata: BTreeMap::new(),
            monitor_event_version: 1,
            wss_key_pem: Vec::new(),
            wss_cert_pem: Vec::new(),
            wss_trust_pem: Vec::new(),
            wss_hostname: Vec::new(),
            wss_trust_system: false,
            hello_msg: Vec::new(),
            can_send_hello_msg: false,
            disconnect_msg: Vec::new(),
            can_recv_disconnect_msg: false,
            hiccup_msg: Vec::new(),
            can_recv_hiccup_msg: false,
            norm_mode: ZMQ_NORM_CC,
            norm_unicast_nacks: false,
            norm_buffer_size: 2048,
            norm_segment_size: 1400,
            norm_block_size: 16,
            norm_num_parity: 4,
            norm_num_autoparity: 0,
            norm_push_enable: false,
            busy_poll: 0,
        }
    }

    /// Whether `ZMQ_CONFLATE` takes effect: libzmq stores it for every type
    /// but honours it only for DEALER, PULL, PUSH, PUB and SUB.
    pub fn effective_conflate(&self) -> bool {
        self.conflate
            && matches!(
                self.socket_type,
                ZMQ_DEALER | ZMQ_PULL | ZMQ_PUSH | ZMQ_PUB | ZMQ_SUB
            )
    }

    /// `ZMQ_HEARTBEAT_TTL` in milliseconds (the option's unit).
    pub fn heartbeat_ttl_ms(&self) -> i32 {
        i32::from(self.heartbeat_ttl) * 100
    }

    /// ROUTER's (and REP's) `ZMQ_ROUTER_NOTIFY`: an int from 0 to
    /// `ZMQ_NOTIFY_CONNECT | ZMQ_NOTIFY_DISCONNECT`, stored here because
    /// every socket type answers it on get.
    pub fn set_router_notify(&mut self, value: &[u8]) -> crate::Result<()> {
        match codec::int_value(value)? {
            v @ 0..=3 => {
                self.router_notify = v;
                Ok(())
            }
            _ => Err(crate::Error::EINVAL),
        }
    }

    /// STREAM's `ZMQ_STREAM_NOTIFY`: a strict 0/1 boolean.
    pub fn set_stream_notify(&mut self, value: &[u8]) -> crate::Result<()> {
        self.raw_notify = codec::bool_strict(value)?;
        Ok(())
    }

    /// What ROUTER's `ZMQ_ROUTER_RAW` with a nonzero value does to the
    /// shared options (turning it off leaves them as they are).
    pub fn enable_router_raw(&mut self) {
        self.recv_routing_id = false;
        self.raw_socket = true;
    }
}
