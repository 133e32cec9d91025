//! Connection properties attached to received messages (`zmq_msg_gets`).

use std::ffi::{CStr, CString};

/// An immutable set of name/value properties shared by every message that
/// arrived on one connection.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Metadata {
    props: Vec<(String, CString)>,
}

impl Metadata {
    /// Builds a property set; a value with an interior NUL is cut there, as
    /// the C caller could not see past it anyway.
    pub fn new<I, K, V>(props: I) -> Metadata
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: AsRef<[u8]>,
    {
        let props = props
            .into_iter()
            .map(|(k, v)| {
                let v = v.as_ref();
                let end = v.iter().position(|&b| b == 0).unwrap_or(v.len());
                let value = CString::new(&v[..end]).unwrap_or_default();
                (k.into(), value)
            })
            .collect();
        Metadata { props }
    }

    /// The value of a property. "Identity" is libzmq's deprecated name for
    /// "Routing-Id" and still answers.
    pub fn get(&self, name: &str) -> Option<&CStr> {
        let found = self.props.iter().find(|(k, _)| k == name);
        match found {
            Some((_, v)) => Some(v.as_c_str()),
            None if name == "Identity" => self.get("Routing-Id"),
            None => None,
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &CStr)> {
        self.props.iter().map(|(k, v)| (k.as_str(), v.as_c_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_is_an_alias_of_routing_id() {
        let m = Metadata::new([("Routing-Id", b"abc"), ("Socket-Type", b"DEA")]);
        assert_eq!(m.get("Identity").unwrap().to_bytes(), b"abc");
        assert_eq!(m.get("Socket-Type").unwrap().to_bytes(), b"DEA");
        assert!(m.get("socket-type").is_none());
    }
}
