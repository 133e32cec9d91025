//! `Options::set`: libzmq's `options_t::setsockopt`, case by case.

use super::codec::{self, bool_relaxed, bool_strict, c_str, int_value};
use super::consts::*;
use super::*;
use crate::{Error, Result};

/// An `int` option value that also satisfies `valid`.
fn int_where(value: &[u8], valid: impl Fn(i32) -> bool) -> Result<i32> {
    match int_value(value) {
        Ok(v) if valid(v) => Ok(v),
        _ => Err(Error::EINVAL),
    }
}

/// libzmq's `do_setsockopt_string_allow_empty_strict`: `(NULL, 0)` clears;
/// otherwise 1 to `max` bytes. A non-NULL empty value is `EINVAL`.
fn string_strict(value: Option<&[u8]>, max: usize) -> Result<Vec<u8>> {
    match value {
        None => Ok(Vec::new()),
        Some(v) if !v.is_empty() && v.len() <= max => Ok(v.to_vec()),
        Some(_) => Err(Error::EINVAL),
    }
}

/// `ZMQ_SOCKS_USERNAME`/`_PASSWORD`: NULL or empty clears, else 1 to `max`
/// bytes.
fn string_or_clear(value: &[u8], max: usize) -> Result<Vec<u8>> {
    if value.len() <= max {
        Ok(value.to_vec())
    } else {
        Err(Error::EINVAL)
    }
}

/// libzmq's `do_setsockopt_string_allow_empty_relaxed`, which despite its
/// name refuses every empty value: 1 to `max` bytes.
fn string_relaxed(value: &[u8], max: usize) -> Result<Vec<u8>> {
    if !value.is_empty() && value.len() <= max {
        Ok(value.to_vec())
    } else {
        Err(Error::EINVAL)
    }
}

/// libzmq's `do_setsockopt_set`: `(NULL, 0)` clears the set, an `int`-sized
/// value adds one member.
fn add_to_set<T: Ord>(
    set: &mut BTreeSet<T>,
    value: Option<&[u8]>,
    decode: fn([u8; 4]) -> T,
) -> Result<()> {
    match value {
        None => set.clear(),
        Some(v) => {
            let bytes: [u8; 4] = v.try_into().map_err(|_| Error::EINVAL)?;
            set.insert(decode(bytes));
        }
    }
    Ok(())
}

/// `ZMQ_METADATA`'s "X-name:value": the first colon splits, name and value
/// must not be empty, the name starts with "X-" and is at most 255 bytes.
/// A value of exactly `sizeof (int)` bytes is refused (libzmq tests
/// `!is_int`), and an existing name keeps its first value (`map::insert`).
fn parse_metadata(value: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    if value.is_empty() || value.len() == std::mem::size_of::<i32>() {
        return Err(Error::EINVAL);
    }
    let colon = value.iter().position(|&b| b == b':').ok_or(Error::EINVAL)?;
    if colon == 0 || colon == value.len() - 1 {
        return Err(Error::EINVAL);
    }
    let (name, val) = (&value[..colon], &value[colon + 1..]);
    if !name.starts_with(b"X-") || name.len() > 255 {
        return Err(Error::EINVAL);
    }
    Ok((name.to_vec(), val.to_vec()))
}

/// An optional byte string where an empty value means "none"
/// (`ZMQ_HELLO_MSG`, `ZMQ_DISCONNECT_MSG`, `ZMQ_HICCUP_MSG`, `ZMQ_WSS_*`).
fn bytes_or_empty(value: Option<&[u8]>) -> Vec<u8> {
    value.unwrap_or_default().to_vec()
}

impl Options {
    /// `zmq_setsockopt` with a non-NULL `optval` of `value.len()` bytes.
    pub fn set(&mut self, option: i32, value: &[u8]) -> Result<()> {
        self.set_raw(option, Some(value))
    }

    /// `zmq_setsockopt` with the C caller's `optval`: `None` stands for a
    /// NULL pointer with length 0, which several options treat differently
    /// from an empty value (it clears `ZMQ_SOCKS_PROXY`,
    /// `ZMQ_TCP_ACCEPT_FILTER`, `ZMQ_BINDTODEVICE` and the IPC filters, and
    /// resets the mechanism for `ZMQ_PLAIN_USERNAME`/`_PASSWORD`, where a
    /// non-NULL empty value is `EINVAL`). The C surface should refuse a NULL
    /// pointer with a nonzero length before getting here (libzmq would
    /// dereference it).
    ///
    /// Pattern and socket-level options, unknown options and options of
    /// features this build lacks are `EINVAL`.
    pub fn set_raw(&mut self, option: i32, value: Option<&[u8]>) -> Result<()> {
        let bytes = value.unwrap_or_default();
        let int = |valid: fn(i32) -> bool| int_where(bytes, valid);
        match option {
            ZMQ_SNDHWM => self.sndhwm = int(|v| v >= 0)?,
            ZMQ_RCVHWM => self.rcvhwm = int(|v| v >= 0)?,
            ZMQ_AFFINITY => self.affinity = codec::u64_value(bytes)?,
            ZMQ_ROUTING_ID => {
                if bytes.is_empty() || bytes.len() > 255 {
                    return Err(Error::EINVAL);
                }
                self.routing_id = bytes.to_vec();
            }
            ZMQ_RATE => self.rate = int(|v| v > 0)?,
            ZMQ_RECOVERY_IVL => self.recovery_ivl = int(|v| v >= 0)?,
            ZMQ_SNDBUF => self.sndbuf = int(|v| v >= -1)?,
            ZMQ_RCVBUF => self.rcvbuf = int(|v| v >= -1)?,
            ZMQ_TOS => self.tos = int(|v| v >= 0)?,
            ZMQ_LINGER => self.linger = int(|v| v >= -1)?,
            ZMQ_CONNECT_TIMEOUT => self.connect_timeout = int(|v| v >= 0)?,
            ZMQ_TCP_MAXRT => self.tcp_maxrt = int(|v| v >= 0)?,
            ZMQ_RECONNECT_STOP => self.reconnect_stop = int(|_| true)?,
            ZMQ_RECONNECT_IVL => self.reconnect_ivl = int(|v| v >= -1)?,
            ZMQ_RECONNECT_IVL_MAX => self.reconnect_ivl_max = int(|v| v >= 0)?,
            ZMQ_BACKLOG => self.backlog = int(|v| v >= 0)?,
            ZMQ_MAXMSGSIZE => self.maxmsgsize = codec::i64_value(bytes)?,
            ZMQ_MULTICAST_HOPS => self.multicast_hops = int(|v| v > 0)?,
            ZMQ_MULTICAST_MAXTPDU => self.multicast_maxtpdu = int(|v| v > 0)?,
            ZMQ_RCVTIMEO => self.rcvtimeo = int(|v| v >= -1)?,
            ZMQ_SNDTIMEO => self.sndtimeo = int(|v| v >= -1)?,
            ZMQ_IPV4ONLY => self.ipv6 = !bool_strict(bytes)?,
            ZMQ_IPV6 => self.ipv6 = bool_strict(bytes)?,
            ZMQ_SOCKS_PROXY => self.socks_proxy_address = string_strict(value, usize::MAX)?,
            // Unlike the proxy address, an empty non-NULL value clears too.
            ZMQ_SOCKS_USERNAME => self.socks_proxy_username = string_or_clear(bytes, 255)?,
            ZMQ_SOCKS_PASSWORD => self.socks_proxy_password = string_or_clear(bytes, 255)?,
            ZMQ_TCP_KEEPALIVE => self.tcp_keepalive = int(|v| (-1..=1).contains(&v))?,
            ZMQ_TCP_KEEPALIVE_CNT => self.tcp_keepalive_cnt = int(|v| v >= -1)?,
            ZMQ_TCP_KEEPALIVE_IDLE => self.tcp_keepalive_idle = int(|v| v >= -1)?,
            ZMQ_TCP_KEEPALIVE_INTVL => self.tcp_keepalive_intvl = int(|v| v >= -1)?,
            ZMQ_IMMEDIATE => self.immediate = bool_strict(bytes)?,
            ZMQ_TCP_ACCEPT_FILTER => {
                let text = string_strict(value, 255)?;
                // Only (NULL, 0) clears: "\0..." is a filter that fails to
                // parse, and a non-NULL empty value was refused above.
                if text.is_empty() {
                    self.tcp_accept_filters.clear();
                } else {
                    let filter = TcpAcceptFilter::parse(&text, self.ipv6)?;
                    self.tcp_accept_filters.push(filter);
                }
            }
            ZMQ_IPC_FILTER_UID if HAVE_IPC_UID_GID_FILTER => {
                add_to_set(&mut self.ipc_uid_accept_filters, value, u32::from_ne_bytes)?
            }
            ZMQ_IPC_FILTER_GID if HAVE_IPC_UID_GID_FILTER => {
                add_to_set(&mut self.ipc_gid_accept_filters, value, u32::from_ne_bytes)?
            }
            ZMQ_IPC_FILTER_PID if HAVE_IPC_PID_FILTER => {
                add_to_set(&mut self.ipc_pid_accept_filters, value, i32::from_ne_bytes)?
            }
            ZMQ_PLAIN_SERVER => {
                self.as_server = bool_strict(bytes)?;
                self.mechanism = if self.as_server { ZMQ_PLAIN } else { ZMQ_NULL };
            }
            ZMQ_PLAIN_USERNAME | ZMQ_PLAIN_PASSWORD => match value {
                // NULL resets the mechanism but keeps the stored credential.
                None => self.mechanism = ZMQ_NULL,
                Some(v) if !v.is_empty() && v.len() <= 255 => {
                    if option == ZMQ_PLAIN_USERNAME {
                        self.plain_username = v.to_vec();
                    } else {
                        self.plain_password = v.to_vec();
                    }
                    self.as_server = false;
                    self.mechanism = ZMQ_PLAIN;
                }
                Some(_) => return Err(Error::EINVAL),
            },
            ZMQ_ZAP_DOMAIN => self.zap_domain = string_relaxed(bytes, 255)?,
            ZMQ_CURVE_SERVER if HAVE_CURVE => {
                self.as_server = bool_strict(bytes)?;
                self.mechanism = if self.as_server { ZMQ_CURVE } else { ZMQ_NULL };
            }
            ZMQ_CURVE_PUBLICKEY if HAVE_CURVE => {
                set_curve_key(&mut self.curve_public_key, bytes)?;
                self.mechanism = ZMQ_CURVE;
            }
            ZMQ_CURVE_SECRETKEY if HAVE_CURVE => {
                set_curve_key(&mut self.curve_secret_key, bytes)?;
                self.mechanism = ZMQ_CURVE;
            }
            ZMQ_CURVE_SERVERKEY if HAVE_CURVE => {
                set_curve_key(&mut self.curve_server_key, bytes)?;
                self.mechanism = ZMQ_CURVE;
                self.as_server = false;
            }
            ZMQ_CONFLATE => self.conflate = bool_strict(bytes)?,
            ZMQ_GSSAPI_SERVER if HAVE_GSSAPI => {
                // Unlike PLAIN and CURVE, 0 still selects GSSAPI.
                self.as_server = bool_strict(bytes)?;
                self.mechanism = ZMQ_GSSAPI;
            }
            ZMQ_GSSAPI_PRINCIPAL if HAVE_GSSAPI => {
                self.gss_principal = string_relaxed(bytes, 255)?;
                self.mechanism = ZMQ_GSSAPI;
            }
            ZMQ_GSSAPI_SERVICE_PRINCIPAL if HAVE_GSSAPI => {
                self.gss_service_principal = string_relaxed(bytes, 255)?;
                self.mechanism = ZMQ_GSSAPI;
                self.as_server = false;
            }
            ZMQ_GSSAPI_PLAINTEXT if HAVE_GSSAPI => self.gss_plaintext = bool_strict(bytes)?,
            ZMQ_GSSAPI_PRINCIPAL_NAMETYPE if HAVE_GSSAPI => {
                self.gss_principal_nt = int(|v| (0..=2).contains(&v))?
            }
            ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE if HAVE_GSSAPI => {
                self.gss_service_principal_nt = int(|v| (0..=2).contains(&v))?
            }
            ZMQ_HANDSHAKE_IVL => self.handshake_ivl = int(|v| v >= 0)?,
            ZMQ_INVERT_MATCHING => self.invert_matching = bool_relaxed(bytes)?,
            ZMQ_HEARTBEAT_IVL => self.heartbeat_interval = int(|v| v >= 0)?,
            ZMQ_HEARTBEAT_TTL => {
                // Milliseconds, truncated to deciseconds before the range
                // check: -99..=-1 round to 0 and are accepted.
                let ds = int_value(bytes)? / 100;
                self.heartbeat_ttl = u16::try_from(ds).map_err(|_| Error::EINVAL)?;
            }
            ZMQ_HEARTBEAT_TIMEOUT => self.heartbeat_timeout = int(|v| v >= 0)?,
            ZMQ_USE_FD => self.use_fd = int(|v| v >= -1)?,
            ZMQ_BINDTODEVICE => self.bound_device = string_strict(value, BINDDEVSIZ)?,
            ZMQ_ZAP_ENFORCE_DOMAIN => self.zap_enforce_domain = bool_relaxed(bytes)?,
            ZMQ_LOOPBACK_FASTPATH => self.loopback_fastpath = bool_relaxed(bytes)?,
            ZMQ_METADATA => {
                let (name, val) = parse_metadata(bytes)?;
                self.app_metadata.entry(name).or_insert(val);
            }
            ZMQ_MULTICAST_LOOP => self.multicast_loop = bool_relaxed(bytes)?,
            ZMQ_IN_BATCH_SIZE => self.in_batch_size = int(|v| v > 0)?,
            ZMQ_OUT_BATCH_SIZE => self.out_batch_size = int(|v| v > 0)?,
            ZMQ_BUSY_POLL => self.busy_poll = int(|_| true)?,
            // libzmq does not validate the PEM texts; nor do we.
            ZMQ_WSS_KEY_PEM if HAVE_WSS => self.wss_key_pem = bytes_or_empty(value),
            ZMQ_WSS_CERT_PEM if HAVE_WSS => self.wss_cert_pem = bytes_or_empty(value),
            ZMQ_WSS_TRUST_PEM if HAVE_WSS => self.wss_trust_pem = bytes_or_empty(value),
            ZMQ_WSS_HOSTNAME if HAVE_WSS => self.wss_hostname = bytes_or_empty(value),
            ZMQ_WSS_TRUST_SYSTEM if HAVE_WSS => self.wss_trust_system = bool_strict(bytes)?,
            ZMQ_NORM_MODE if HAVE_NORM => self.norm_mode = int(|v| (0..=4).contains(&v))?,
            ZMQ_NORM_UNICAST_NACK if HAVE_NORM => self.norm_unicast_nacks = bool_strict(bytes)?,
            ZMQ_NORM_BUFFER_SIZE if HAVE_NORM => self.norm_buffer_size = int(|v| v > 0)?,
            ZMQ_NORM_SEGMENT_SIZE if HAVE_NORM => self.norm_segment_size = int(|v| v > 0)?,
            ZMQ_NORM_BLOCK_SIZE if HAVE_NORM => {
                self.norm_block_size = int(|v| (1..=255).contains(&v))?
            }
            ZMQ_NORM_NUM_PARITY if HAVE_NORM => {
                self.norm_num_parity = int(|v| (0..255).contains(&v))?
            }
            ZMQ_NORM_NUM_AUTOPARITY if HAVE_NORM => {
                self.norm_num_autoparity = int(|v| (0..255).contains(&v))?
            }
            ZMQ_NORM_PUSH if HAVE_NORM => self.norm_push_enable = bool_strict(bytes)?,
            ZMQ_HELLO_MSG => self.hello_msg = bytes_or_empty(value),
            ZMQ_DISCONNECT_MSG => self.disconnect_msg = bytes_or_empty(value),
            ZMQ_HICCUP_MSG => self.hiccup_msg = bytes_or_empty(value),
            ZMQ_PRIORITY => self.priority = int(|v| v >= 0)?,
            _ => return Err(Error::EINVAL),
        }
        Ok(())
    }
}

/// libzmq's `set_curve_key`: 32 binary bytes, or 40 Z85 characters with an
/// optional terminating NUL (41 bytes). The Z85 text is what C sees of it,
/// i.e. up to its first NUL, so a shorter valid text overwrites only the
/// start of the key; a failed decode may have overwritten part of it too.
fn set_curve_key(key: &mut [u8; CURVE_KEYSIZE], value: &[u8]) -> Result<()> {
    match value.len() {
        CURVE_KEYSIZE => {
            key.copy_from_slice(value);
            Ok(())
        }
        CURVE_KEYSIZE_Z85 | 41 if codec::z85_decode_into(key, c_str(value)) => Ok(()),
        _ => Err(Error::EINVAL),
    }
}
