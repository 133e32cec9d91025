//! The pair of addresses a connection, a pipe or a monitor event is about.
//! A leaf: pipes, commands, sessions and the monitor all carry it, so it
//! depends on none of them.

/// How the local end of a connection came about (libzmq's
/// `endpoint_type_t`); it decides which address a version 1 event names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EndpointType {
    #[default]
    None,
    Bind,
    Connect,
}

/// The local and remote addresses an event is about (libzmq's
/// `endpoint_uri_pair_t`). Either may be empty, e.g. the remote of a
/// listener or both for `MONITOR_STOPPED` and inproc pipes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EndpointPair {
    pub local: String,
    pub remote: String,
    pub local_type: EndpointType,
}

impl EndpointPair {
    pub fn new(
        local: impl Into<String>,
        remote: impl Into<String>,
        local_type: EndpointType,
    ) -> EndpointPair {
        EndpointPair {
            local: local.into(),
            remote: remote.into(),
            local_type,
        }
    }

    /// A bound endpoint with no peer yet (libzmq's
    /// `make_unconnected_bind_endpoint_pair`): listening, bind failures.
    pub fn unconnected_bind(endpoint: impl Into<String>) -> EndpointPair {
        EndpointPair::new(endpoint, "", EndpointType::Bind)
    }

    /// A connect in progress (libzmq's
    /// `make_unconnected_connect_endpoint_pair`): delays and retries.
    pub fn unconnected_connect(endpoint: impl Into<String>) -> EndpointPair {
        EndpointPair::new("", endpoint, EndpointType::Connect)
    }

    /// The one address a version 1 event carries: the local one for a
    /// bound endpoint, else the remote one.
    pub fn identifier(&self) -> &str {
        if self.local_type == EndpointType::Bind {
            &self.local
        } else {
            &self.remote
        }
    }
}
