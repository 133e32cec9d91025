//! `ZMQ_TCP_ACCEPT_FILTER` entries: parsing "address[/mask]" and matching a
//! peer's address, as libzmq's `tcp_address_mask_t` does.
//!
//! libzmq resolves the address with `getaddrinfo (AI_NUMERICHOST)`, which on
//! glibc means `inet_aton` rules for IPv4 (so "127.1" and "0x7f.0.0.1" are
//! valid) and `inet_pton` rules for IPv6; with `ZMQ_IPV6` set, an IPv4
//! address becomes the IPv4-mapped IPv6 address (`AI_V4MAPPED`), which is how
//! IPv4 peers of a dual-stack listener show up too. We parse these forms
//! ourselves so that no resolver call is needed.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::codec::c_str;
use crate::{Error, Result};

/// One accept filter: a network address and a prefix length.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TcpAcceptFilter {
    /// IPv4 unless the filter was an IPv6 address or `ZMQ_IPV6` was set.
    pub network: IpAddr,
    /// The IPv6 zone given after `%` (0 if none); it does not take part in
    /// matching, as in libzmq.
    pub scope_id: u32,
    /// Prefix length in bits; 0 matches every address of the family.
    pub mask: u32,
}

impl TcpAcceptFilter {
    /// Parses a filter string the way `tcp_address_mask_t::resolve` does.
    /// `ipv6` is the socket's `ZMQ_IPV6` at the time the filter is set.
    pub fn parse(text: &[u8], ipv6: bool) -> Result<TcpAcceptFilter> {
        // libzmq works on the `c_str ()` of the option value.
        let text = c_str(text);
        let (addr, mask) = match text.iter().rposition(|&b| b == b'/') {
            Some(slash) if slash + 1 == text.len() => return Err(Error::EINVAL),
            Some(slash) => (&text[..slash], Some(&text[slash + 1..])),
            None => (text, None),
        };
        let (network, scope_id) = resolve_numeric(addr, ipv6)?;
        let full = if network.is_ipv6() { 128 } else { 32 };
        let mask = match mask {
            None => full,
            Some(b"0") => 0,
            Some(m) => match strtol(m) {
                v if (1..=i64::from(full)).contains(&v) => v as u32,
                _ => return Err(Error::EINVAL),
            },
        };
        Ok(TcpAcceptFilter {
            network,
            scope_id,
            mask,
        })
    }

    /// Whether a peer address passes this filter: same family and the same
    /// first `mask` bits. An IPv4 peer never matches an IPv6 filter and vice
    /// versa (a dual-stack listener sees IPv4 peers as IPv4-mapped IPv6).
    pub fn matches(&self, peer: &IpAddr) -> bool {
        let (ours, theirs): (Vec<u8>, Vec<u8>) = match (self.network, peer) {
            (IpAddr::V4(a), IpAddr::V4(b)) => (a.octets().to_vec(), b.octets().to_vec()),
            (IpAddr::V6(a), IpAddr::V6(b)) => (a.octets().to_vec(), b.octets().to_vec()),
            _ => return false,
        };
        let bits = self.mask.min(ours.len() as u32 * 8) as usize;
        let full = bits / 8;
        if ours[..full] != theirs[..full] {
            return false;
        }
        let rest = bits % 8;
        if rest == 0 {
            return true;
        }
        let keep = 0xffu8 << (8 - rest);
        ours[full] & keep == theirs[full] & keep
    }
}

/// `ip_resolver_t::resolve` with no port, no DNS, no NIC names, not
/// bindable: brackets, then a `%zone`, then a numeric address.
fn resolve_numeric(addr: &[u8], ipv6: bool) -> Result<(IpAddr, u32)> {
    let mut addr = addr;
    if addr.len() >= 2 && addr[0] == b'[' && addr[addr.len() - 1] == b']' {
        addr = &addr[1..addr.len() - 1];
    }
    let mut zone = 0;
    if let Some(pct) = addr.iter().rposition(|&b| b == b'%') {
        let name = &addr[pct + 1..];
        if name.is_empty() {
            return Err(Error::EINVAL);
        }
        zone = if name[0].is_ascii_alphabetic() {
            if_nametoindex(name)
        } else {
            atoi(name) as u32
        };
        if zone == 0 {
            return Err(Error::EINVAL);
        }
        addr = &addr[..pct];
    }
    let ip = if let Some(v4) = inet_aton_exact(addr) {
        if ipv6 {
            IpAddr::V6(v4.to_ipv6_mapped())
        } else {
            IpAddr::V4(v4)
        }
    } else if ipv6 {
        let text = std::str::from_utf8(addr).map_err(|_| Error::EINVAL)?;
        IpAddr::V6(text.parse::<Ipv6Addr>().map_err(|_| Error::EINVAL)?)
    } else {
        return Err(Error::EINVAL);
    };
    let scope = if ip.is_ipv6() { zone } else { 0 };
    Ok((ip, scope))
}

/// glibc's `__inet_aton_exact`: one to four parts separated by dots, each
/// decimal, octal (leading 0) or hex (leading 0x); the last part fills the
/// remaining bytes; nothing may follow.
fn inet_aton_exact(text: &[u8]) -> Option<Ipv4Addr> {
    let mut parts: Vec<u32> = Vec::with_capacity(4);
    let mut i = 0;
    let at = |i: usize| text.get(i).copied().unwrap_or(0);
    loop {
        if !at(i).is_ascii_digit() {
            return None;
        }
        let mut base = 10u64;
        let mut digit = false;
        if at(i) == b'0' {
            i += 1;
            if at(i) == b'x' || at(i) == b'X' {
                base = 16;
                i += 1;
            } else {
                base = 8;
                digit = true;
            }
        }
        let mut val: u64 = 0;
        loop {
            let c = at(i);
            let d = match c {
                b'0'..=b'9' if base == 8 && c >= b'8' => return None,
                b'0'..=b'9' => u64::from(c - b'0'),
                b'a'..=b'f' | b'A'..=b'F' if base == 16 => {
                    u64::from(c.to_ascii_lowercase() - b'a') + 10
                }
                _ => break,
            };
            val = val * base + d;
            if val > u64::from(u32::MAX) {
                return None;
            }
            digit = true;
            i += 1;
        }
        if at(i) == b'.' && i < text.len() {
            if parts.len() > 2 || val > 0xff {
                return None;
            }
            parts.push(val as u32);
            i += 1;
        } else {
            if i != text.len() || !digit {
                return None;
            }
            let max: u64 = [0xffff_ffff, 0xff_ffff, 0xffff, 0xff][parts.len()];
            if val > max {
                return None;
            }
            let mut addr = val as u32;
            for (n, p) in parts.iter().enumerate() {
                addr |= p << (24 - 8 * n);
            }
            return Some(Ipv4Addr::from(addr));
        }
    }
}

/// C's `strtol (s, NULL, 10)`: leading white space, an optional sign, then
/// as many decimal digits as there are; 0 when there are none. Saturates
/// as strtol does on overflow (either way the caller rejects it).
fn strtol(s: &[u8]) -> i64 {
    let s = trim_c_space(s);
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut v: i64 = 0;
    for &c in digits.iter().take_while(|c| c.is_ascii_digit()) {
        v = v.saturating_mul(10).saturating_add(i64::from(c - b'0'));
    }
    if neg {
        -v
    } else {
        v
    }
}

/// C's `atoi` (for a zone id): as `strtol`, truncated to `int`.
fn atoi(s: &[u8]) -> i32 {
    strtol(s) as i32
}

fn trim_c_space(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|&c| !matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r'))
        .unwrap_or(s.len());
    &s[start..]
}

/// `if_nametoindex`, read from sysfs so that no unsafe FFI is needed; 0 when
/// there is no such interface.
fn if_nametoindex(name: &[u8]) -> u32 {
    // Interface names are short and never contain '/', nor are "." or "..";
    // refusing those keeps the path inside /sys/class/net.
    let valid = name.len() < 16 && !name.contains(&b'/') && name != b"." && name != b"..";
    let Ok(name) = std::str::from_utf8(name) else {
        return 0;
    };
    if !valid {
        return 0;
    }
    std::fs::read_to_string(format!("/sys/class/net/{name}/ifindex"))
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(s: &str) -> IpAddr {
        IpAddr::V4(s.parse().unwrap())
    }

    fn v6(s: &str) -> IpAddr {
        IpAddr::V6(s.parse().unwrap())
    }

    fn parse(s: &str, ipv6: bool) -> Result<TcpAcceptFilter> {
        TcpAcceptFilter::parse(s.as_bytes(), ipv6)
    }

    #[test]
    fn upstream_bad_filter_strings_are_einval() {
        for bad in [
            "foo",
            "0.0.0.0foo",
            "0.0.0.0/foo",
            "0.0.0.0/",
            "0.0.0.0/-1",
            "0.0.0.0/33",
        ] {
            assert_eq!(parse(bad, false), Err(Error::EINVAL), "{bad}");
        }
    }

    #[test]
    fn ipv4_filter_defaults_to_full_mask() {
        let f = parse("127.0.0.1", false).unwrap();
        assert_eq!((f.network, f.mask), (v4("127.0.0.1"), 32));
        assert!(f.matches(&v4("127.0.0.1")));
        assert!(!f.matches(&v4("127.0.0.2")));
        assert!(!f.matches(&v6("::1")));
    }

    #[test]
    fn prefix_masks_match_partial_bytes() {
        let f = parse("10.1.128.0/17", false).unwrap();
        assert!(f.matches(&v4("10.1.200.3")));
        assert!(!f.matches(&v4("10.1.127.3")));
        let any = parse("1.2.3.4/0", false).unwrap();
        assert!(any.matches(&v4("9.9.9.9")));
        assert!(!any.matches(&v6("::9")));
        assert_eq!(parse("1.2.3.4/ 8", false).unwrap().mask, 8);
        assert_eq!(parse("1.2.3.4/8junk", false).unwrap().mask, 8);
    }

    #[test]
    fn inet_aton_shorthand_forms_are_accepted() {
        assert_eq!(parse("127.1", false).unwrap().network, v4("127.0.0.1"));
        assert_eq!(
            parse("0x7f.0.0.01", false).unwrap().network,
            v4("127.0.0.1")
        );
        assert_eq!(parse("10.65536", false).unwrap().network, v4("10.1.0.0"));
        assert_eq!(parse("16777217", false).unwrap().network, v4("1.0.0.1"));
        assert_eq!(parse("08.1.1.1", false), Err(Error::EINVAL));
        assert_eq!(parse("1.2.3.4.5", false), Err(Error::EINVAL));
        assert_eq!(parse("1.2.3.256", false), Err(Error::EINVAL));
        assert_eq!(parse("1.2.3.", false), Err(Error::EINVAL));
        assert_eq!(parse("0x", false), Err(Error::EINVAL));
    }

    #[test]
    fn ipv6_filters_need_the_ipv6_option() {
        assert_eq!(parse("::1", false), Err(Error::EINVAL));
        let f = parse("[fe80::1]/64", true).unwrap();
        assert_eq!((f.network, f.mask), (v6("fe80::1"), 64));
        assert!(f.matches(&v6("fe80::abcd")));
        assert_eq!(parse("::1/129", true), Err(Error::EINVAL));
    }

    #[test]
    fn ipv4_with_ipv6_option_becomes_mapped() {
        let f = parse("127.0.0.1", true).unwrap();
        assert_eq!((f.network, f.mask), (v6("::ffff:127.0.0.1"), 128));
        assert!(f.matches(&v6("::ffff:127.0.0.1")));
        assert!(!f.matches(&v4("127.0.0.1")));
    }

    #[test]
    fn zone_ids_are_parsed_and_checked() {
        assert_eq!(parse("fe80::1%3", true).unwrap().scope_id, 3);
        assert_eq!(parse("fe80::1%", true), Err(Error::EINVAL));
        assert_eq!(parse("fe80::1%0", true), Err(Error::EINVAL));
        assert_eq!(parse("fe80::1%nosuchif0", true), Err(Error::EINVAL));
        assert_eq!(parse("fe80::1%../lo", true), Err(Error::EINVAL));
        // Interface names resolve through the system, when it has them.
        match std::fs::read_to_string("/sys/class/net/lo/ifindex") {
            Ok(index) => {
                let index: u32 = index.trim().parse().unwrap();
                assert_eq!(parse("fe80::1%lo", true).unwrap().scope_id, index);
            }
            Err(_) => assert_eq!(parse("fe80::1%lo", true), Err(Error::EINVAL)),
        }
        // A zone on an IPv4 address is checked and then dropped.
        assert_eq!(parse("1.2.3.4%7", false).unwrap().scope_id, 0);
    }

    #[test]
    fn text_after_a_nul_is_ignored() {
        let f = TcpAcceptFilter::parse(b"127.0.0.1\0garbage", false).unwrap();
        assert_eq!(f.network, v4("127.0.0.1"));
    }
}
