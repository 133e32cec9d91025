//! TLS over real loopback tcp connections, both ends driven by hand in one
//! thread as an io thread would: upstream's `test_wss_transport`
//! certificate, CA-signed chains made at test time, verification failures
//! and hostile peers.

use std::io::{ErrorKind, Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mio::net::TcpListener;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair, SanType,
};

use super::*;
use crate::options::consts::ZMQ_PAIR;
use crate::transport::tcp::{connect_tcp, listen_tcp, TcpConnection};

/// upstream's tests/test_wss_transport.cpp: a self-signed CA certificate
/// (CN=zeromq.org, no subjectAltName), its own trust anchor.
const UPSTREAM_CERT: &str = include_str!("tls_fixtures/zeromq_org.cert.pem");
const UPSTREAM_KEY: &str = include_str!("tls_fixtures/zeromq_org.key.pem");

fn opts() -> Options {
    Options::new(ZMQ_PAIR)
}

fn server_opts(cert: &str, key: &str) -> Options {
    let mut o = opts();
    o.wss_cert_pem = cert.as_bytes().to_vec();
    o.wss_key_pem = key.as_bytes().to_vec();
    o
}

fn client_opts(trust: &str, hostname: &str) -> Options {
    let mut o = opts();
    o.wss_trust_pem = trust.as_bytes().to_vec();
    o.wss_hostname = hostname.as_bytes().to_vec();
    o
}

fn listener() -> (TcpListener, SocketAddr) {
    listen_tcp("127.0.0.1:0", &opts()).unwrap()
}

/// Accepts one connection, waiting up to five seconds.
fn accept(listener: &TcpListener) -> mio::net::TcpStream {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match listener.accept() {
            Ok((s, _)) => return s,
            Err(e) if e.kind() == ErrorKind::WouldBlock && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(2));
            }
            Err(e) => panic!("accept: {e}"),
        }
    }
}

/// A connecting client tcp stream and the server's accepted end.
fn tcp_pair() -> (Box<dyn Stream>, Box<dyn Stream>) {
    tcp_pair_with(&opts())
}

/// The same with the options' socket buffer sizes (accepted sockets
/// inherit the listener's).
fn tcp_pair_with(o: &Options) -> (Box<dyn Stream>, Box<dyn Stream>) {
    let (l, addr) = listen_tcp("127.0.0.1:0", o).unwrap();
    let c = connect_tcp(addr, None, o).unwrap();
    let s = accept(&l);
    (Box::new(TcpConnection(c)), Box::new(TcpConnection(s)))
}

/// Waits for the client's connect, as the io thread does on writability.
fn connect(client: &mut TlsStream) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match client.poll_connect() {
            Ok(()) => return,
            Err(e) if e.kind() == ErrorKind::WouldBlock && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(2));
            }
            Err(e) => panic!("connect: {e}"),
        }
    }
}

/// One end as a session drives it: what to send, what came, how it ended.
struct End {
    s: TlsStream,
    outbox: Vec<u8>,
    sent: usize,
    inbox: Vec<u8>,
    eof: bool,
    error: Option<io::Error>,
    /// Writes refused with `WouldBlock`.
    blocked: usize,
}

impl End {
    fn new(s: TlsStream) -> End {
        End {
            s,
            outbox: Vec::new(),
            sent: 0,
            inbox: Vec::new(),
            eof: false,
            error: None,
            blocked: 0,
        }
    }

    fn done(&self) -> bool {
        self.eof || self.error.is_some()
    }

    /// Writes and reads until neither moves; true if anything did.
    fn step(&mut self) -> bool {
        if self.done() {
            return false;
        }
        let mut progress = false;
        if self.s.has_buffered_output() {
            match self.s.flush_buffered() {
                Ok(()) => progress = true,
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(e) => {
                    self.error = Some(e);
                    return true;
                }
            }
        }
        while self.sent < self.outbox.len() {
            // Vectored, cut in uneven pieces, as the engine hands them.
            let rest = &self.outbox[self.sent..];
            let cut = rest.len().min(7);
            let bufs = [IoSlice::new(&rest[..cut]), IoSlice::new(&rest[cut..])];
            match self.s.write_vectored(&bufs) {
                Ok(n) => {
                    assert!(n > 0, "write took nothing");
                    self.sent += n;
                    progress = true;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    self.blocked += 1;
                    break;
                }
                Err(e) => {
                    self.error = Some(e);
                    return true;
                }
            }
        }
        let mut buf = [0u8; 8192];
        loop {
            match self.s.read(&mut buf) {
                Ok(0) => {
                    self.eof = true;
                    return true;
                }
                Ok(n) => {
                    self.inbox.extend_from_slice(&buf[..n]);
                    progress = true;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) => {
                    self.error = Some(e);
                    return true;
                }
            }
        }
        progress
    }
}

/// Steps both ends until `until` holds; panics after ten seconds.
fn run(a: &mut End, b: &mut End, until: impl Fn(&End, &End) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !until(a, b) {
        assert!(Instant::now() < deadline, "timed out");
        let moved = a.step() | b.step();
        if !moved {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

/// A client and a server over a fresh tcp connection, connected.
fn pair(client: &Options, host: &str, server: &Options) -> (End, End) {
    let (c, s) = tcp_pair();
    let mut c = TlsStream::client(c, client, host).unwrap();
    let s = TlsStream::server(s, server).unwrap();
    connect(&mut c);
    (End::new(c), End::new(s))
}

fn upstream_server() -> Options {
    server_opts(UPSTREAM_CERT, UPSTREAM_KEY)
}

/// Runs a handshake by sending a few bytes each way; both must arrive.
fn exchange(c: &mut End, s: &mut End) {
    c.outbox.extend_from_slice(b"hello");
    s.outbox.extend_from_slice(b"world");
    run(c, s, |c, s| {
        assert!(c.error.is_none(), "client: {:?} {:?}", c.error, c.s);
        assert!(s.error.is_none(), "server: {:?} {:?}", s.error, s.s);
        c.inbox.len() == 5 && s.inbox.len() == 5
    });
    assert_eq!(s.inbox, b"hello");
    assert_eq!(c.inbox, b"world");
}

/// Runs until the client fails; returns its rustls error, after checking
/// the errno libzmq reports (`EINVAL`) and that the server failed too.
fn client_failure(c: &mut End, s: &mut End) -> rustls::Error {
    c.outbox.extend_from_slice(b"hello");
    run(c, s, |c, s| c.done() && s.done());
    let e = c.error.as_ref().expect("the client failed");
    assert_eq!(e.raw_os_error(), Some(libc::EINVAL), "{e}");
    assert!(s.inbox.is_empty(), "nothing got through");
    // The client's alert fails the server's handshake too.
    let se = s.error.as_ref().expect("the server failed");
    assert_eq!(se.raw_os_error(), Some(libc::EINVAL), "{se}");
    assert!(matches!(
        s.s.tls_error(),
        Some(rustls::Error::AlertReceived(_))
    ));
    c.s.tls_error().expect("a TLS error").clone()
}

/// Which certificate verdicts a test expects.
type Verdict = fn(&CertificateError) -> bool;

fn is_cert_error(e: &rustls::Error, want: Verdict) -> bool {
    matches!(e, rustls::Error::InvalidCertificate(c) if want(c))
}

fn wrong_name(c: &CertificateError) -> bool {
    matches!(
        c,
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
    )
}

fn unknown_issuer(c: &CertificateError) -> bool {
    matches!(c, CertificateError::UnknownIssuer)
}

/// Any certificate verdict: webpki rejects an untrusted CA certificate
/// (upstream's) as a CA used as an end entity before asking who signed it.
fn any_cert_error(_: &CertificateError) -> bool {
    true
}

/// A CA and a server certificate it signed, in PEM.
struct Chain {
    ca_pem: String,
    leaf_pem: String,
    leaf_key: String,
}

/// `sans` are the leaf's subjectAltNames (DNS names or IP addresses),
/// `cn` its subject CN.
fn chain(sans: &[&str], cn: &str) -> Chain {
    let sans: Vec<String> = sans.iter().map(|s| s.to_string()).collect();
    let mut leaf = CertificateParams::new(sans).unwrap();
    leaf.distinguished_name.push(DnType::CommonName, cn);
    chain_with(leaf)
}

/// A new CA and the `leaf` it signed.
fn chain_with(leaf: CertificateParams) -> Chain {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    // A name of its own: webpki finds issuers by name.
    static SERIAL: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    ca.distinguished_name
        .push(DnType::CommonName, format!("test CA {n}"));
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf_cert = leaf.signed_by(&leaf_key, &ca_cert, &ca_key).unwrap();
    Chain {
        ca_pem: ca_cert.pem(),
        leaf_pem: leaf_cert.pem(),
        leaf_key: leaf_key.serialize_pem(),
    }
}

/// A self-signed certificate and key (a stranger to everyone).
fn self_signed(name: &str) -> (String, String) {
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec![name.to_string()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    (cert.pem(), key.serialize_pem())
}

#[test]
fn upstream_certificate_round_trips_both_ways() {
    // Small socket buffers, so that the megabyte meets a full socket.
    let mut small = opts();
    small.sndbuf = 4096;
    small.rcvbuf = 4096;
    let (c, s) = tcp_pair_with(&small);
    let mut c =
        TlsStream::client(c, &client_opts(UPSTREAM_CERT, "zeromq.org"), "127.0.0.1").unwrap();
    let s = TlsStream::server(s, &upstream_server()).unwrap();
    connect(&mut c);
    let (mut c, mut s) = (End::new(c), End::new(s));
    exchange(&mut c, &mut s);

    // A megabyte each way, at once.
    let big: Vec<u8> = (0..1 << 20).map(|i: u32| (i * 7 + i / 251) as u8).collect();
    let back: Vec<u8> = big.iter().rev().copied().collect();
    c.outbox.extend_from_slice(&big);
    s.outbox.extend_from_slice(&back);
    let want = 5 + big.len();
    run(&mut c, &mut s, |c, s| {
        assert!(!c.done() && !s.done(), "{:?} {:?}", c.error, s.error);
        c.inbox.len() == want && s.inbox.len() == want
    });
    assert!(s.inbox[5..] == big[..]);
    assert!(c.inbox[5..] == back[..]);
    assert!(!c.s.has_buffered_output() && !s.s.has_buffered_output());
    assert!(c.blocked > 0 && s.blocked > 0, "never pushed back");
}

#[test]
fn stream_reports_the_tcp_endpoints() {
    let (c, s) = tcp_pair();
    let (cl, cp, ca, cfd) = (
        c.local_endpoint(),
        c.peer_endpoint(),
        c.peer_address(),
        c.fd(),
    );
    let (sl, sp, sa) = (s.local_endpoint(), s.peer_endpoint(), s.peer_address());
    let c = TlsStream::client(c, &client_opts(UPSTREAM_CERT, ""), "").unwrap();
    let s = TlsStream::server(s, &upstream_server()).unwrap();
    assert!(cl.starts_with("tcp://127.0.0.1:"), "{cl}");
    assert_eq!(
        (
            c.local_endpoint(),
            c.peer_endpoint(),
            c.peer_address(),
            c.fd()
        ),
        (cl, cp, ca, cfd)
    );
    assert_eq!(
        (s.local_endpoint(), s.peer_endpoint(), s.peer_address()),
        (sl, sp, sa)
    );
}

#[test]
fn client_hello_goes_out_at_connect_before_any_write() {
    let (mut c, mut s) = pair(
        &client_opts(UPSTREAM_CERT, "zeromq.org"),
        "",
        &upstream_server(),
    );
    // Nobody writes: the handshake still completes, and the server then
    // speaks first.
    run(&mut c, &mut s, |c, s| {
        !c.s.conn.is_handshaking() && !s.s.conn.is_handshaking()
    });
    s.outbox.extend_from_slice(b"first");
    run(&mut c, &mut s, |c, _| c.inbox.len() == 5);
    assert_eq!(c.inbox, b"first");
}

#[test]
fn wrong_hostname_fails() {
    let (mut c, mut s) = pair(
        &client_opts(UPSTREAM_CERT, "example.com"),
        "127.0.0.1",
        &upstream_server(),
    );
    let e = client_failure(&mut c, &mut s);
    assert!(is_cert_error(&e, wrong_name), "{e:?}");
    // Failed for good: every later call says so.
    assert_eq!(
        c.s.write(b"x").unwrap_err().raw_os_error(),
        Some(libc::EINVAL)
    );
    assert_eq!(
        c.s.read(&mut [0; 4]).unwrap_err().raw_os_error(),
        Some(libc::EINVAL)
    );
}

#[test]
fn address_host_is_checked_without_zmq_wss_hostname() {
    // upstream's certificate names zeromq.org, not 127.0.0.1.
    let (mut c, mut s) = pair(
        &client_opts(UPSTREAM_CERT, ""),
        "127.0.0.1",
        &upstream_server(),
    );
    let e = client_failure(&mut c, &mut s);
    assert!(is_cert_error(&e, wrong_name), "{e:?}");

    // ZMQ_WSS_HOSTNAME wins over the address.
    let (mut c, mut s) = pair(
        &client_opts(UPSTREAM_CERT, "zeromq.org"),
        "127.0.0.1",
        &upstream_server(),
    );
    exchange(&mut c, &mut s);
}

#[test]
fn no_name_at_all_checks_the_chain_only_as_libzmq() {
    let (mut c, mut s) = pair(&client_opts(UPSTREAM_CERT, ""), "", &upstream_server());
    exchange(&mut c, &mut s);

    // The chain is still checked.
    let (other, _) = self_signed("zeromq.org");
    let (mut c, mut s) = pair(&client_opts(&other, ""), "", &upstream_server());
    let e = client_failure(&mut c, &mut s);
    assert!(is_cert_error(&e, any_cert_error), "{e:?}");
}

#[test]
fn untrusted_server_certificate_fails() {
    let (other, _) = self_signed("zeromq.org");
    let (mut c, mut s) = pair(
        &client_opts(&other, "zeromq.org"),
        "127.0.0.1",
        &upstream_server(),
    );
    let e = client_failure(&mut c, &mut s);
    assert!(is_cert_error(&e, any_cert_error), "{e:?}");

    // A leaf from a CA the client does not trust.
    let ch = chain(&["wss.test"], "wss.test");
    let stranger = chain(&["wss.test"], "wss.test");
    let server = server_opts(&format!("{}{}", ch.leaf_pem, ch.ca_pem), &ch.leaf_key);
    let (mut c, mut s) = pair(&client_opts(&stranger.ca_pem, "wss.test"), "", &server);
    let e = client_failure(&mut c, &mut s);
    assert!(is_cert_error(&e, unknown_issuer), "{e:?}");
}

#[test]
fn nothing_trusted_fails_verification_is_on_by_default() {
    let mut o = opts();
    o.wss_hostname = b"zeromq.org".to_vec();
    let (mut c, mut s) = pair(&o, "127.0.0.1", &upstream_server());
    let e = client_failure(&mut c, &mut s);
    assert!(is_cert_error(&e, any_cert_error), "{e:?}");

    let ch = chain(&["wss.test"], "wss.test");
    let server = server_opts(&ch.leaf_pem, &ch.leaf_key);
    let (mut c, mut s) = pair(&client_opts("", "wss.test"), "", &server);
    let e = client_failure(&mut c, &mut s);
    assert!(is_cert_error(&e, unknown_issuer), "{e:?}");
}

#[test]
fn system_store_is_tolerated_and_does_not_trust_strangers() {
    let mut o = opts();
    o.wss_trust_system = true;
    o.wss_hostname = b"zeromq.org".to_vec();
    // Whatever the machine's store holds (or fails to), this works...
    let tls = ClientTls::new(&o).unwrap();
    // ...and upstream's self-signed certificate is not in it.
    let (c, s) = tcp_pair();
    let mut c = tls.start(c, "").unwrap();
    connect(&mut c);
    let (mut c, mut s) = (
        End::new(c),
        End::new(TlsStream::server(s, &upstream_server()).unwrap()),
    );
    let e = client_failure(&mut c, &mut s);
    assert!(is_cert_error(&e, any_cert_error), "{e:?}");

    // Both sources together: the PEM one is trusted.
    o.wss_trust_pem = UPSTREAM_CERT.as_bytes().to_vec();
    let (mut c, mut s) = pair(&o, "", &upstream_server());
    exchange(&mut c, &mut s);
}

#[test]
fn ca_signed_chain_verifies_with_san() {
    let ch = chain(&["wss.test", "127.0.0.1"], "ignored.test");
    // The server sends its certificate and the CA; the client trusts the
    // CA only.
    let server = server_opts(&format!("{}{}", ch.leaf_pem, ch.ca_pem), &ch.leaf_key);
    for (hostname, host) in [("wss.test", ""), ("WSS.Test", ""), ("", "127.0.0.1")] {
        let (mut c, mut s) = pair(&client_opts(&ch.ca_pem, hostname), host, &server);
        exchange(&mut c, &mut s);
    }
    // The leaf alone verifies too (the CA is the anchor itself).
    let server = server_opts(&ch.leaf_pem, &ch.leaf_key);
    let (mut c, mut s) = pair(&client_opts(&ch.ca_pem, "wss.test"), "", &server);
    exchange(&mut c, &mut s);
    // With SANs, the CN is not a name of the server (GnuTLS too).
    let (mut c, mut s) = pair(&client_opts(&ch.ca_pem, "ignored.test"), "", &server);
    let e = client_failure(&mut c, &mut s);
    assert!(is_cert_error(&e, wrong_name), "{e:?}");
}

#[test]
fn ca_signed_chain_falls_back_to_the_cn_without_san() {
    let ch = chain(&[], "cn-only.test");
    let server = server_opts(&ch.leaf_pem, &ch.leaf_key);
    let (mut c, mut s) = pair(&client_opts(&ch.ca_pem, "cn-only.test"), "", &server);
    exchange(&mut c, &mut s);
    let (mut c, mut s) = pair(&client_opts(&ch.ca_pem, "other.test"), "", &server);
    let e = client_failure(&mut c, &mut s);
    assert!(is_cert_error(&e, wrong_name), "{e:?}");
    // No CN fallback for an IP address.
    let (mut c, mut s) = pair(&client_opts(&ch.ca_pem, ""), "127.0.0.1", &server);
    let e = client_failure(&mut c, &mut s);
    assert!(is_cert_error(&e, wrong_name), "{e:?}");

    // Nor for a certificate with a subjectAltName of another kind, or
    // meant for clients only (GnuTLS asks for a TLS server's purpose).
    let mut email = CertificateParams::new(Vec::<String>::new()).unwrap();
    email
        .distinguished_name
        .push(DnType::CommonName, "cn-only.test");
    email.subject_alt_names = vec![SanType::Rfc822Name("a@cn-only.test".try_into().unwrap())];
    let mut client_only = CertificateParams::new(Vec::<String>::new()).unwrap();
    client_only
        .distinguished_name
        .push(DnType::CommonName, "cn-only.test");
    client_only.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    // (webpki rejects the latter first, for its purpose.)
    let cases: [(CertificateParams, Verdict); 2] =
        [(email, wrong_name), (client_only, any_cert_error)];
    for (leaf, want) in cases {
        let ch = chain_with(leaf);
        let server = server_opts(&ch.leaf_pem, &ch.leaf_key);
        let (mut c, mut s) = pair(&client_opts(&ch.ca_pem, "cn-only.test"), "", &server);
        let e = client_failure(&mut c, &mut s);
        assert!(is_cert_error(&e, want), "{e:?}");
    }
}

#[test]
fn tls12_only_client_round_trips() {
    let (c, s) = tcp_pair();
    let tls = ClientTls::new(&client_opts(UPSTREAM_CERT, "zeromq.org")).unwrap();
    let name = ServerName::try_from("zeromq.org").unwrap();
    let config = tls
        .config(&Some(name.clone()), Some(&[&rustls::version::TLS12]))
        .unwrap();
    let conn = ClientConnection::new(config, name).unwrap();
    let mut c = TlsStream::new(c, Connection::Client(conn));
    connect(&mut c);
    let (mut c, mut s) = (
        End::new(c),
        End::new(TlsStream::server(s, &upstream_server()).unwrap()),
    );
    exchange(&mut c, &mut s);
    assert_eq!(
        c.s.conn.protocol_version(),
        Some(rustls::ProtocolVersion::TLSv1_2)
    );
}

#[test]
fn close_notify_is_eof_and_a_bare_tcp_close_is_an_error() {
    let (mut c, mut s) = pair(
        &client_opts(UPSTREAM_CERT, "zeromq.org"),
        "",
        &upstream_server(),
    );
    exchange(&mut c, &mut s);
    s.s.conn.send_close_notify();
    s.s.flush_buffered().unwrap();
    run(&mut c, &mut s, |c, _| c.done());
    assert!(c.eof && c.error.is_none(), "{:?}", c.error);

    let (mut c, mut s) = pair(
        &client_opts(UPSTREAM_CERT, "zeromq.org"),
        "",
        &upstream_server(),
    );
    exchange(&mut c, &mut s);
    drop(s);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !c.done() {
        assert!(Instant::now() < deadline);
        c.step();
    }
    let e = c.error.expect("an unclean close is an error");
    assert_eq!(e.raw_os_error(), Some(libc::EINVAL));
    assert!(matches!(c.s.failure, Some(Failure::Truncated)));
}

/// A raw tcp peer of a TLS end: what the TLS end's reads say after the
/// peer sent `bytes` and (if `close`) closed.
fn hostile_peer(tls_is_server: bool, bytes: &[u8], close: bool) -> (io::Error, TlsStream) {
    let (c, s) = tcp_pair();
    let (mut tls, mut raw) = if tls_is_server {
        (TlsStream::server(s, &upstream_server()).unwrap(), c)
    } else {
        let mut t = TlsStream::client(c, &client_opts(UPSTREAM_CERT, "zeromq.org"), "").unwrap();
        connect(&mut t);
        (t, s)
    };
    let mut written = 0;
    let deadline = Instant::now() + Duration::from_secs(5);
    // Take the client's hello first: closing with unread input would
    // reset the connection rather than end it.
    if !tls_is_server {
        let mut hello = [0u8; 4096];
        while !matches!(raw.read(&mut hello), Ok(n) if n > 0) {
            assert!(Instant::now() < deadline, "no hello");
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    while written < bytes.len() {
        assert!(Instant::now() < deadline);
        match raw.write(&bytes[written..]) {
            Ok(n) => written += n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(1))
            }
            Err(e) => panic!("raw write: {e}"),
        }
    }
    if close {
        drop(raw);
    }
    let mut buf = [0u8; 1024];
    loop {
        assert!(Instant::now() < deadline, "no error");
        match tls.read(&mut buf) {
            Ok(n) => panic!("read {n} bytes from a hostile peer"),
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(1))
            }
            Err(e) => return (e, tls),
        }
    }
}

#[test]
fn garbage_from_a_raw_peer_is_an_error() {
    for tls_is_server in [true, false] {
        let (e, tls) = hostile_peer(tls_is_server, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", false);
        assert_eq!(e.raw_os_error(), Some(libc::EINVAL), "{e}");
        assert!(tls.tls_error().is_some(), "{tls:?}");
    }
    // A record header announcing more than TLS allows.
    let (e, _) = hostile_peer(true, &[0x16, 0x03, 0x01, 0xff, 0xff, 1, 2, 3], false);
    assert_eq!(e.raw_os_error(), Some(libc::EINVAL), "{e}");
}

#[test]
fn truncated_record_is_an_error() {
    // A handshake record announcing 512 bytes, 4 of them sent, then FIN.
    for tls_is_server in [true, false] {
        let (e, tls) = hostile_peer(
            tls_is_server,
            &[0x16, 0x03, 0x01, 0x02, 0x00, 1, 0, 1, 0xfc],
            true,
        );
        assert_eq!(e.raw_os_error(), Some(libc::EINVAL), "{e}");
        assert!(tls.failure.is_some());
    }
    // A peer that closes before saying anything.
    let (e, _) = hostile_peer(true, b"", true);
    assert_eq!(e.raw_os_error(), Some(libc::EINVAL), "{e}");
}

#[test]
fn bad_pem_options_are_einval() {
    let ch = chain(&["wss.test"], "wss.test");
    let bad = [
        server_opts("", ""),
        server_opts(UPSTREAM_CERT, ""),
        server_opts("", UPSTREAM_KEY),
        server_opts("not a certificate", UPSTREAM_KEY),
        server_opts(
            "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
            UPSTREAM_KEY,
        ),
        server_opts(
            UPSTREAM_CERT,
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        ),
        // Someone else's key.
        server_opts(UPSTREAM_CERT, &ch.leaf_key),
    ];
    for o in &bad {
        assert_eq!(ServerTls::new(o).unwrap_err(), Error::EINVAL);
    }
    assert!(ServerTls::new(&server_opts(&ch.leaf_pem, &ch.leaf_key)).is_ok());

    assert_eq!(
        ClientTls::new(&client_opts("garbage", "")).unwrap_err(),
        Error::EINVAL
    );
    let mut o = opts();
    o.wss_hostname = vec![0xff, 0xfe];
    assert_eq!(ClientTls::new(&o).unwrap_err(), Error::EINVAL);
    // A name that is neither a DNS name nor an address.
    let (c, _s) = tcp_pair();
    assert_eq!(
        TlsStream::client(c, &client_opts(UPSTREAM_CERT, "bad name!"), "").unwrap_err(),
        Error::EINVAL
    );
}

#[test]
fn hostname_ends_at_a_nul_as_a_c_string() {
    let mut o = client_opts(UPSTREAM_CERT, "zeromq.org");
    o.wss_hostname.push(0);
    let (mut c, mut s) = pair(&o, "", &upstream_server());
    exchange(&mut c, &mut s);
}

#[test]
fn host_matching_rules() {
    assert!(host_matches("zeromq.org", "ZeroMQ.org"));
    assert!(host_matches("zeromq.org.", "zeromq.org"));
    assert!(host_matches("*.wild.test", "a.wild.test"));
    assert!(!host_matches("*.wild.test", "a.b.wild.test"));
    assert!(!host_matches("*.wild.test", "wild.test"));
    assert!(!host_matches("*.test", "a.test"));
    assert!(!host_matches("zeromq.org", "zeromq.org.evil"));
}

#[test]
fn a_trusted_certificate_is_taken_as_it_is_within_its_validity() {
    // A self-signed server certificate, trusted itself (GnuTLS's rule).
    let (cert, key) = self_signed("wss.test");
    let server = server_opts(&cert, &key);
    let (mut c, mut s) = pair(&client_opts(&cert, "wss.test"), "", &server);
    exchange(&mut c, &mut s);
    // Its name is still checked.
    let (mut c, mut s) = pair(&client_opts(&cert, "other.test"), "", &server);
    let e = client_failure(&mut c, &mut s);
    assert!(is_cert_error(&e, wrong_name), "{e:?}");

    // And its validity period.
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["wss.test".to_string()]).unwrap();
    params.not_before = rcgen::date_time_ymd(1999, 1, 1);
    params.not_after = rcgen::date_time_ymd(2000, 1, 1);
    let expired = params.self_signed(&key).unwrap().pem();
    let server = server_opts(&expired, &key.serialize_pem());
    let (mut c, mut s) = pair(&client_opts(&expired, "wss.test"), "", &server);
    let e = client_failure(&mut c, &mut s);
    assert!(
        is_cert_error(&e, |c| matches!(c, CertificateError::Expired)),
        "{e:?}"
    );
}
