//! TLS for `wss://`: a [`Stream`] over another stream (a tcp connection),
//! on rustls, with libzmq 4.3.5's `ZMQ_WSS_*` option semantics. The ws
//! layer stacks on it for `wss://` exactly as it stacks on tcp for `ws://`.
//!
//! # What libzmq does (GnuTLS), and what we do
//!
//! - Server (`ws_listener_t`): `ZMQ_WSS_CERT_PEM` (the chain) and
//!   `ZMQ_WSS_KEY_PEM`, loaded when `zmq_bind` creates the listener. A
//!   bad or missing pair is a `zmq_assert` there; [`ServerTls::new`]
//!   returns `EINVAL` instead, for the bind to fail with.
//! - Client (`wss_engine_t`): trusts `ZMQ_WSS_TRUST_PEM` and, with
//!   `ZMQ_WSS_TRUST_SYSTEM`, the system store (errors reading it are
//!   ignored); verifies the peer's chain and the name `ZMQ_WSS_HOSTNAME`
//!   (also sent as SNI). Verification is always on: with nothing trusted,
//!   every server fails. A bad `ZMQ_WSS_TRUST_PEM` is a `zmq_assert` in
//!   libzmq; [`ClientTls::new`] returns `EINVAL`, meant for `zmq_connect`.
//! - GnuTLS trusts a peer certificate that is itself on the trusted list,
//!   whatever its basic constraints (upstream's `test_wss_transport` uses
//!   one self-signed CA certificate as both the server's certificate and
//!   the client's anchor); webpki would call that a CA used as an end
//!   entity, so [`PeerVerifier`] accepts a byte-equal certificate first
//!   (still checking its validity period and the name), and verifies a
//!   chain with webpki otherwise.
//! - GnuTLS matches a DNS name against the subject CN when the
//!   certificate has no subjectAltName (RFC 6125 6.4.4; exactly one CN, a
//!   certificate fit for a TLS server); webpki only reads SANs, so we fall
//!   back to the CN in that case only. An IP address must be an IP SAN
//!   (GnuTLS since 3.6.0).
//!
//! # Where we differ from libzmq, on purpose
//!
//! - Without `ZMQ_WSS_HOSTNAME` libzmq checks no name at all (GnuTLS gets a
//!   NULL host name). [`ClientTls::start`] checks the host part of the
//!   address instead (`host_from_address`); passing `""` there gives
//!   libzmq's chain-only check.
//! - Bad PEM options fail `zmq_bind`/`zmq_connect` with `EINVAL` rather
//!   than aborting the process; a `ZMQ_WSS_TRUST_PEM` with no certificate
//!   in it is an error too (GnuTLS would trust nothing, and fail later).
//!
//! # Errors, and the monitor events they should raise
//!
//! libzmq ends a wss connection with `error (connection_error)` on any TLS
//! failure: a failed handshake (bad certificate, wrong name, an alert from
//! the peer), and any negative `gnutls_record_recv`, for which it sets
//! `errno = EINVAL`. So during the handshake that is
//! `HANDSHAKE_FAILED_NO_DETAIL` then `DISCONNECTED`, and a reconnect (not
//! a protocol error). Our streams report, from `read` (and from
//! `write`/`flush_buffered` once failed):
//!
//! - any TLS failure (verification, alert received, bad or undecryptable
//!   record, a tcp EOF without `close_notify`, which GnuTLS reports as
//!   `GNUTLS_E_PREMATURE_TERMINATION`): `io::Error::from_raw_os_error
//!   (EINVAL)`, kind `InvalidInput`, which the session passes to
//!   `Engine::connection_lost`. The rustls error behind it is kept for
//!   diagnostics ([`TlsStream::tls_error`]);
//! - the peer's `close_notify`: `Ok(0)`, EOF (libzmq: `rc == 0` is
//!   `EPIPE`);
//! - errors of the stream below (`ECONNRESET`, ...): unchanged (libzmq
//!   turns them into `EINVAL` too; only `HANDSHAKE_FAILED_NO_DETAIL`
//!   carries the errno, and there libzmq's is whatever GnuTLS left).
//!
//! Like libzmq we send no `close_notify` when a connection ends.
//!
//! # Driving it
//!
//! The handshake runs inside the stream: `read` returns `WouldBlock` until
//! application data arrives, and writes made before the handshake ends
//! (the client's HTTP upgrade) are held and sent once it does. Handshake
//! records and records not yet taken by the socket are reported through
//! [`Stream::has_buffered_output`]. A client sends its `ClientHello` from
//! `poll_connect`, once tcp is connected.

// Nothing outside this module builds these until the ws layer wires up
// `wss://`; its tests exercise all of it.
#![allow(dead_code)]

use std::fmt;
use std::io::{self, IoSlice, Read, Write};
use std::net::Ipv4Addr;
use std::os::fd::RawFd;
use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{verify_server_cert_signed_by_trust_anchor, verify_server_name};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{
    CertificateError, ClientConfig, ClientConnection, Connection, DigitallySignedStruct,
    RootCertStore, ServerConfig, ServerConnection, SignatureScheme,
};

use super::stream::{delegate_source, Stream};
use crate::options::Options;
use crate::{Error, Result};

/// The most plaintext one `write` takes: bounds what sits encrypted in
/// the stream when the socket is slow (further writes wait for it).
const MAX_WRITE: usize = 64 * 1024;

/// The ring provider, built once: rustls's algorithms for every config.
fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| Arc::new(rustls::crypto::ring::default_provider()))
        .clone()
}

/// The errno every TLS failure reports, as libzmq's `wss_engine_t::read`
/// sets for a failed `gnutls_record_recv`.
fn tls_failure() -> io::Error {
    io::Error::from_raw_os_error(libc::EINVAL)
}

/// All certificates in a PEM option; `EINVAL` for a malformed one or none.
fn pem_certificates(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|_| Error::EINVAL)?;
    if certs.is_empty() {
        return Err(Error::EINVAL);
    }
    Ok(certs)
}

/// What a client trusts: the anchors webpki builds chains to, and the raw
/// certificates for GnuTLS's "the peer's certificate is trusted itself".
#[derive(Debug)]
struct Trust {
    roots: RootCertStore,
    certs: Vec<CertificateDer<'static>>,
    provider: Arc<CryptoProvider>,
}

/// The client side of `ZMQ_WSS_*`, read from a socket's options once
/// (`zmq_connect`), then used for each connection attempt: reading the
/// system store is not free, and libzmq's options are the ones in force
/// when the connect was made.
#[derive(Clone, Debug)]
pub(crate) struct ClientTls {
    trust: Arc<Trust>,
    /// `ZMQ_WSS_HOSTNAME`, empty when unset.
    hostname: String,
}

impl ClientTls {
    /// Loads `ZMQ_WSS_TRUST_PEM` (`EINVAL` if it is set and holds no valid
    /// certificate), the system store with `ZMQ_WSS_TRUST_SYSTEM` (what
    /// cannot be read or parsed is skipped, as GnuTLS does) and
    /// `ZMQ_WSS_HOSTNAME` (`EINVAL` if not UTF-8).
    pub(crate) fn new(options: &Options) -> Result<ClientTls> {
        let mut roots = RootCertStore::empty();
        let mut certs = Vec::new();
        if !options.wss_trust_pem.is_empty() {
            for cert in pem_certificates(&options.wss_trust_pem)? {
                roots.add(cert.clone()).map_err(|_| Error::EINVAL)?;
                certs.push(cert);
            }
        }
        if options.wss_trust_system {
            let system = rustls_native_certs::load_native_certs().certs;
            roots.add_parsable_certificates(system.iter().cloned());
            certs.extend(system);
        }
        // GnuTLS reads the name as a C string: it ends at the first NUL.
        let raw = &options.wss_hostname;
        let raw = &raw[..raw.iter().position(|&b| b == 0).unwrap_or(raw.len())];
        let hostname = String::from_utf8(raw.to_vec()).map_err(|_| Error::EINVAL)?;
        Ok(ClientTls {
            trust: Arc::new(Trust {
                roots,
                certs,
                provider: provider(),
            }),
            hostname,
        })
    }

    /// Starts TLS on a new connection. The name checked (and sent as SNI
    /// when it is a DNS name) is `ZMQ_WSS_HOSTNAME`, else
    /// `host_from_address`, the host part of the endpoint (brackets around
    /// an IPv6 address are dropped); if both are empty only the chain is
    /// checked, as libzmq does without `ZMQ_WSS_HOSTNAME`. `EINVAL` for a
    /// name that is neither a DNS name nor an IP address.
    pub(crate) fn start(
        &self,
        inner: Box<dyn Stream>,
        host_from_address: &str,
    ) -> Result<TlsStream> {
        let name = if self.hostname.is_empty() {
            host_from_address
                .strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .unwrap_or(host_from_address)
        } else {
            &self.hostname
        };
        let expected = if name.is_empty() {
            None
        } else {
            Some(ServerName::try_from(name.to_string()).map_err(|_| Error::EINVAL)?)
        };
        let config = self.config(&expected, None)?;
        // rustls wants a name for every connection; with none to check, an
        // IP address, which sends no SNI (as GnuTLS sends none then) and
        // which the verifier ignores.
        let sni = expected.unwrap_or(ServerName::IpAddress(Ipv4Addr::UNSPECIFIED.into()));
        let conn = ClientConnection::new(config, sni).map_err(|_| Error::EINVAL)?;
        Ok(TlsStream::new(inner, Connection::Client(conn)))
    }

    /// A rustls config whose verifier checks `name` (none: chain only);
    /// `versions` restricts the protocol versions (tests), else rustls's
    /// safe defaults (TLS 1.3 and 1.2, as GnuTLS's default priority).
    fn config(
        &self,
        name: &Option<ServerName<'static>>,
        versions: Option<&[&'static rustls::SupportedProtocolVersion]>,
    ) -> Result<Arc<ClientConfig>> {
        let verifier = Arc::new(PeerVerifier {
            trust: self.trust.clone(),
            name: name.clone(),
        });
        let builder = ClientConfig::builder_with_provider(self.trust.provider.clone());
        let builder = match versions {
            Some(v) => builder.with_protocol_versions(v),
            None => builder.with_safe_default_protocol_versions(),
        }
        .map_err(|_| Error::EINVAL)?;
        Ok(Arc::new(
            builder
                .dangerous()
                .with_custom_certificate_verifier(verifier)
                .with_no_client_auth(),
        ))
    }
}

/// The server side of `ZMQ_WSS_*`, built when `zmq_bind` creates the
/// listener (libzmq loads the credentials there) and shared by every
/// connection it accepts.
#[derive(Clone, Debug)]
pub(crate) struct ServerTls {
    config: Arc<ServerConfig>,
}

impl ServerTls {
    /// Loads `ZMQ_WSS_CERT_PEM` (the server's certificate first, then any
    /// chain) and `ZMQ_WSS_KEY_PEM` (PKCS#8, PKCS#1 or SEC1). `EINVAL` if
    /// either is missing or malformed, or the key is not the
    /// certificate's (GnuTLS checks that too).
    pub(crate) fn new(options: &Options) -> Result<ServerTls> {
        let certs = pem_certificates(&options.wss_cert_pem)?;
        let key = PrivateKeyDer::from_pem_slice(&options.wss_key_pem).map_err(|_| Error::EINVAL)?;
        let config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|_| Error::EINVAL)?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|_| Error::EINVAL)?;
        Ok(ServerTls {
            config: Arc::new(config),
        })
    }

    /// Starts TLS on an accepted connection; the client speaks first.
    pub(crate) fn accept(&self, inner: Box<dyn Stream>) -> Result<TlsStream> {
        let conn = ServerConnection::new(self.config.clone()).map_err(|_| Error::EINVAL)?;
        Ok(TlsStream::new(inner, Connection::Server(conn)))
    }
}

/// Why a stream failed for good (it keeps reporting `EINVAL`).
#[derive(Debug)]
enum Failure {
    /// rustls's verdict: a certificate, an alert, a bad record.
    Tls(rustls::Error),
    /// The stream below ended without the peer's `close_notify`.
    Truncated,
}

/// A TLS connection over another stream.
pub(crate) struct TlsStream {
    inner: Box<dyn Stream>,
    conn: Connection,
    failure: Option<Failure>,
}

impl fmt::Debug for TlsStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsStream")
            .field("inner", &self.inner)
            .field("handshaking", &self.conn.is_handshaking())
            .field("failure", &self.failure)
            .finish()
    }
}

impl TlsStream {
    /// The client end over `inner` (a tcp connection, connected or
    /// connecting): [`ClientTls::new`] then [`ClientTls::start`].
    pub(crate) fn client(
        inner: Box<dyn Stream>,
        options: &Options,
        host_from_address: &str,
    ) -> Result<TlsStream> {
        ClientTls::new(options)?.start(inner, host_from_address)
    }

    /// The server end over an accepted `inner`: [`ServerTls::new`] then
    /// [`ServerTls::accept`].
    pub(crate) fn server(inner: Box<dyn Stream>, options: &Options) -> Result<TlsStream> {
        ServerTls::new(options)?.accept(inner)
    }

    fn new(inner: Box<dyn Stream>, mut conn: Connection) -> TlsStream {
        // No rustls limit: `write` bounds what it takes itself, and only
        // refuses data when the socket below refused some (so a writable
        // event is sure to follow); a limit hit while the handshake holds
        // the data back could leave the writer waiting for an event that
        // never comes.
        conn.set_buffer_limit(None);
        TlsStream {
            inner,
            conn,
            failure: None,
        }
    }

    /// What ended the connection, if TLS did (diagnostics and tests).
    pub(crate) fn tls_error(&self) -> Option<&rustls::Error> {
        match &self.failure {
            Some(Failure::Tls(e)) => Some(e),
            _ => None,
        }
    }

    /// Whether the connection failed, then its error again.
    fn check_failed(&self) -> io::Result<()> {
        match self.failure {
            Some(_) => Err(tls_failure()),
            None => Ok(()),
        }
    }

    fn fail(&mut self, failure: Failure) -> io::Error {
        self.failure = Some(failure);
        tls_failure()
    }

    /// Writes queued TLS records until none is left (`Ok(true)`) or the
    /// stream below would block (`Ok(false)`).
    fn push_output(&mut self) -> io::Result<bool> {
        while self.conn.wants_write() {
            match self.conn.write_tls(&mut self.inner) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    /// Decrypts what arrived and runs the handshake; on a TLS error, sends
    /// the alert rustls queued if the socket takes it now.
    fn process(&mut self) -> io::Result<()> {
        if let Err(e) = self.conn.process_new_packets() {
            let _ = self.push_output();
            return Err(self.fail(Failure::Tls(e)));
        }
        Ok(())
    }
}

impl Read for TlsStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.check_failed()?;
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            match self.conn.reader().read(buf) {
                // Data, or 0 after the peer's close_notify.
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                    return Err(self.fail(Failure::Truncated));
                }
                Err(e) => {
                    // A failed connection; `process` has recorded why.
                    return Err(match self.failure {
                        Some(_) => tls_failure(),
                        None => e,
                    });
                }
            }
            // Nothing decrypted is waiting: read more records. Only a
            // `WouldBlock` from the stream below is passed on, so the next
            // readable event is sure to come.
            // At EOF (`Ok(0)`) the reader, next time round, tells a
            // close_notify from a truncation.
            self.conn.read_tls(&mut self.inner)?;
            self.process()?;
            // Handshake replies, and data held back until the handshake
            // ended, go out now if the socket takes them.
            self.push_output()?;
        }
    }
}

impl Write for TlsStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_vectored(&[IoSlice::new(buf)])
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.check_failed()?;
        // Take new data only once the socket took the records before it.
        if !self.push_output()? {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let mut room = MAX_WRITE;
        let mut taken = Vec::with_capacity(bufs.len());
        for b in bufs {
            if room == 0 {
                break;
            }
            let n = b.len().min(room);
            taken.push(IoSlice::new(&b[..n]));
            room -= n;
        }
        if room == MAX_WRITE {
            return Ok(0);
        }
        let n = match self.conn.writer().write_vectored(&taken) {
            Ok(n) => n,
            Err(_) => return Err(tls_failure()),
        };
        // Best effort: what the socket does not take now is reported by
        // `has_buffered_output` and makes the next write wait.
        self.push_output()?;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_buffered()
    }
}

delegate_source!(TlsStream, inner);

impl Stream for TlsStream {
    fn poll_connect(&mut self) -> io::Result<()> {
        self.inner.poll_connect()?;
        // tcp is up: the client speaks first, so send its hello now rather
        // than when the layer above first writes.
        self.push_output()?;
        Ok(())
    }

    fn finish_connect(&mut self, options: &Options) {
        self.inner.finish_connect(options);
    }

    fn local_endpoint(&self) -> String {
        self.inner.local_endpoint()
    }

    fn peer_endpoint(&self) -> String {
        self.inner.peer_endpoint()
    }

    fn peer_address(&self) -> String {
        self.inner.peer_address()
    }

    fn fd(&self) -> RawFd {
        self.inner.fd()
    }

    fn has_buffered_output(&self) -> bool {
        self.conn.wants_write()
    }

    fn flush_buffered(&mut self) -> io::Result<()> {
        if self.push_output()? {
            Ok(())
        } else {
            Err(io::ErrorKind::WouldBlock.into())
        }
    }
}

/// The client's certificate check: GnuTLS's, on webpki (see the module
/// docs). Handshake signatures are rustls's own checks.
#[derive(Debug)]
struct PeerVerifier {
    trust: Arc<Trust>,
    /// The name to check; `None` checks the chain only.
    name: Option<ServerName<'static>>,
}

impl ServerCertVerifier for PeerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let cert = ParsedCertificate::try_from(end_entity)?;
        if self.trust.certs.iter().any(|c| c == end_entity) {
            // Trusted as it is: GnuTLS asks nothing more of its chain.
            check_validity(end_entity, now)?;
        } else {
            verify_server_cert_signed_by_trust_anchor(
                &cert,
                &self.trust.roots,
                intermediates,
                now,
                self.trust.provider.signature_verification_algorithms.all,
            )?;
        }
        if let Some(name) = &self.name {
            check_name(&cert, end_entity, name)?;
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.trust.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.trust.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.trust
            .provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The validity period of a certificate trusted as it is (webpki checks
/// it for chains).
fn check_validity(der: &[u8], now: UnixTime) -> std::result::Result<(), rustls::Error> {
    let (_, cert) = x509_parser::parse_x509_certificate(der)
        .map_err(|_| rustls::Error::InvalidCertificate(CertificateError::BadEncoding))?;
    let now = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    let validity = cert.validity();
    if now < validity.not_before.timestamp() {
        return Err(CertificateError::NotValidYet.into());
    }
    if now > validity.not_after.timestamp() {
        return Err(CertificateError::Expired.into());
    }
    Ok(())
}

/// webpki's name check, then GnuTLS's fallback to the subject CN for a DNS
/// name when the certificate has no subjectAltName.
fn check_name(
    cert: &ParsedCertificate<'_>,
    der: &[u8],
    name: &ServerName<'_>,
) -> std::result::Result<(), rustls::Error> {
    let err = match verify_server_name(cert, name) {
        Ok(()) => return Ok(()),
        Err(e) => e,
    };
    let by_name = matches!(
        err,
        rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
        )
    );
    match name {
        ServerName::DnsName(dns) if by_name && cn_matches(der, dns.as_ref()) => Ok(()),
        _ => Err(err),
    }
}

/// GnuTLS's CN fallback (`gnutls_x509_crt_check_hostname2`): only for a
/// certificate with no subjectAltName (of a kind GnuTLS reads), fit for a
/// TLS server (no extended key usage, or one allowing serverAuth), with
/// exactly one CN (RFC 6125 1.8).
fn cn_matches(der: &[u8], host: &str) -> bool {
    use x509_parser::extensions::GeneralName;

    let Ok((_, cert)) = x509_parser::parse_x509_certificate(der) else {
        return false;
    };
    match cert.subject_alternative_name() {
        Ok(None) => {}
        Ok(Some(san)) => {
            // Any name of a kind GnuTLS reads (a DNS name, or "other
            // addresses") rules the CN out.
            if san.value.general_names.iter().any(|g| {
                matches!(
                    g,
                    GeneralName::DNSName(_)
                        | GeneralName::RFC822Name(_)
                        | GeneralName::URI(_)
                        | GeneralName::IPAddress(_)
                        | GeneralName::DirectoryName(_)
                        | GeneralName::OtherName(..)
                )
            }) {
                return false;
            }
        }
        Err(_) => return false,
    }
    match cert.extended_key_usage() {
        Ok(None) => {}
        Ok(Some(eku)) if eku.value.server_auth || eku.value.any => {}
        _ => return false,
    }
    let mut cns = cert.subject().iter_common_name();
    let (Some(cn), None) = (cns.next(), cns.next()) else {
        return false;
    };
    cn.as_str().is_ok_and(|cn| host_matches(cn, host))
}

/// A certificate name against a host name: ASCII case-insensitive, a
/// trailing dot ignored, and `*` as the whole leftmost label standing for
/// one label (not for a bare `*.tld`).
fn host_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.strip_suffix('.').unwrap_or(pattern);
    let host = host.strip_suffix('.').unwrap_or(host);
    if let Some(rest) = pattern.strip_prefix("*.") {
        if !rest.contains('.') {
            return false;
        }
        return match host.split_once('.') {
            Some((label, host_rest)) => !label.is_empty() && host_rest.eq_ignore_ascii_case(rest),
            None => false,
        };
    }
    pattern.eq_ignore_ascii_case(host)
}

#[cfg(test)]
#[path = "tls_tests.rs"]
mod tests;
