//! The ipc transport's addresses and sockets: unix domain stream sockets
//! named by a file path or, when the name starts with `@`, by a name in
//! Linux's abstract namespace; `ipc://*` binds in a fresh temporary
//! directory. This is libzmq's `ipc_address_t`, `ipc_listener_t` (bind,
//! wildcard, `IPC_FILTER_*`, close) and `ipc_connecter_t::open`.

use std::ffi::{OsStr, OsString};
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;

use mio::net::{UnixListener, UnixStream};

use super::stream::{
    connect_outcome, delegate_source, delegate_stream_io, to_io_error, Bound, Connecter, Listener,
    Stream,
};
use crate::options::Options;
use crate::sys::net as sys;
use crate::{Error, Result};

/// Room in `sockaddr_un::sun_path`, the terminating NUL included.
const SUN_PATH_LEN: usize = 108;

/// The file a wildcard bind creates inside its temporary directory.
const WILDCARD_FILE: &[u8] = b"/socket";

/// Where `ipc://*` creates its directory: the first of these variables
/// that names a directory, else the current directory.
const TMP_ENV_VARS: [&str; 3] = ["TMPDIR", "TEMPDIR", "TMP"];

/// A resolved ipc address: the path as given after `ipc://` (a leading `@`
/// meaning the abstract namespace).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpcAddress {
    path: Vec<u8>,
}

impl IpcAddress {
    /// Checks a path as libzmq does: `ENAMETOOLONG` when it does not fit
    /// `sun_path` with its NUL (107 bytes at most on Linux), `EINVAL` for
    /// an empty abstract name (`ipc://@`). `zmq_connect` resolves here, so
    /// these errors come from it at once.
    pub fn resolve(path: &str) -> Result<IpcAddress> {
        IpcAddress::from_bytes(path.as_bytes().to_vec())
    }

    fn from_bytes(mut path: Vec<u8>) -> Result<IpcAddress> {
        // A C caller's string ends at its first NUL.
        if let Some(nul) = path.iter().position(|&b| b == 0) {
            path.truncate(nul);
        }
        if path.len() >= SUN_PATH_LEN {
            return Err(Error::from_errno(libc::ENAMETOOLONG));
        }
        if path == b"@" {
            return Err(Error::EINVAL);
        }
        Ok(IpcAddress { path })
    }

    /// Whether the name is in the abstract namespace (no file).
    pub fn is_abstract(&self) -> bool {
        self.path.first() == Some(&b'@')
    }

    /// `ipc://` and the path, `@` included for abstract names: libzmq's
    /// `ipc_address_t::to_string`, the `ZMQ_LAST_ENDPOINT` of a bind or
    /// connect.
    pub fn endpoint_string(&self) -> String {
        format!("ipc://{}", String::from_utf8_lossy(&self.path))
    }

    /// The path of the socket file, if the name is not abstract.
    pub fn file_path(&self) -> Option<&Path> {
        (!self.is_abstract()).then(|| Path::new(OsStr::from_bytes(&self.path)))
    }

    fn raw(&self) -> io::Result<sys::RawAddr> {
        let mut bytes = self.path.clone();
        if self.is_abstract() {
            // Abstract names start with a NUL in sun_path.
            bytes[0] = 0;
        }
        sys::RawAddr::from_unix(&bytes)
    }
}

/// The endpoint string libzmq gives a unix socket's own or peer name (for
/// monitor events and the connection's endpoint pair): `ipc://path`,
/// `ipc://@name`, or just `ipc://` for an unnamed (connecting) socket.
pub fn endpoint_of(addr: &std::os::unix::net::SocketAddr) -> String {
    let until_nul = |b: &[u8]| b.split(|&c| c == 0).next().unwrap_or_default().to_vec();
    if let Some(path) = addr.as_pathname() {
        let path = until_nul(path.as_os_str().as_bytes());
        return format!("ipc://{}", String::from_utf8_lossy(&path));
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        #[cfg(target_os = "android")]
        use std::os::android::net::SocketAddrExt;
        #[cfg(target_os = "linux")]
        use std::os::linux::net::SocketAddrExt;
        if let Some(name) = addr.as_abstract_name() {
            if name.first().is_some_and(|&c| c != 0) {
                return format!("ipc://@{}", String::from_utf8_lossy(&until_nul(name)));
            }
        }
    }
    "ipc://".to_string()
}

/// A bound ipc listener. Fields drop in order: the socket is closed before
/// the cleanup runs, as in libzmq; keep that order if you take it apart.
#[derive(Debug)]
pub struct IpcListener {
    pub listener: UnixListener,
    /// The `ZMQ_LAST_ENDPOINT`: the address as resolved, e.g.
    /// `ipc:///tmp/tmpAbC123/socket` for `ipc://*`.
    pub endpoint: String,
    pub cleanup: IpcCleanup,
}

/// What closing an ipc listener removes from the file system: for a
/// wildcard bind, the socket file and then its temporary directory.
///
/// A named path is left in place, as libzmq 4.3.5 does: another process
/// may have bound the same path since (binding takes it over), and removing
/// the file would cut that process off. The next bind to the path removes
/// the stale file first.
#[derive(Debug, Default)]
pub struct IpcCleanup {
    file: Option<Vec<u8>>,
    dir: Option<Vec<u8>>,
}

impl IpcCleanup {
    /// Cleans up now and reports a failure (libzmq's
    /// `ZMQ_EVENT_CLOSE_FAILED`); dropping the guard does the same silently.
    #[cfg(test)]
    pub fn run(mut self) -> Result<()> {
        self.clean().map_err(Error::from)
    }

    fn clean(&mut self) -> io::Result<()> {
        if let Some(file) = self.file.take() {
            if let Err(e) = std::fs::remove_file(OsStr::from_bytes(&file)) {
                // Without the file gone the directory cannot go either.
                self.dir = None;
                return Err(e);
            }
        }
        if let Some(dir) = self.dir.take() {
            std::fs::remove_dir(OsStr::from_bytes(&dir))?;
        }
        Ok(())
    }
}

impl Drop for IpcCleanup {
    fn drop(&mut self) {
        let _ = self.clean();
    }
}

/// Binds and listens for `zmq_bind ("ipc://addr")`.
///
/// A path starting with `*` gets a new directory `tmpXXXXXX` (`mkdtemp`,
/// mode 0700) in `$TMPDIR`, `$TEMPDIR` or `$TMP` (the first that is a
/// directory; the current directory if none is) and binds its file
/// `socket`. Any existing file at the path is removed first, so a stale
/// socket from an earlier run does not block the bind (and a live one of
/// another process is taken over, as the man page warns). The listen
/// backlog is `ZMQ_BACKLOG`.
///
/// With `ZMQ_USE_FD`, the path is only resolved for the endpoint string
/// (no wildcard, no removal) and the application's listening socket is
/// used; the library owns and closes it but never unlinks its file.
///
/// Errors: `ENAMETOOLONG`, `EINVAL` (see [`IpcAddress::resolve`]), and the
/// OS's (`ENOENT` for a missing directory, `EACCES`, `EADDRINUSE` for an
/// abstract name in use).
pub fn listen_ipc(addr: &str, options: &Options) -> Result<IpcListener> {
    let tmp_base = || {
        TMP_ENV_VARS
            .iter()
            .find_map(|var| std::env::var_os(var).filter(|v| Path::new(v).is_dir()))
    };
    listen_ipc_in(addr, options, tmp_base)
}

/// [`listen_ipc`] with the wildcard's base directory given by `tmp_base`
/// (tests use their own instead of the environment's).
fn listen_ipc_in(
    addr: &str,
    options: &Options,
    tmp_base: impl FnOnce() -> Option<OsString>,
) -> Result<IpcListener> {
    if options.use_fd != -1 {
        let address = IpcAddress::resolve(addr)?;
        let listener = adopt_listener(options.use_fd)?;
        return Ok(IpcListener {
            listener,
            endpoint: address.endpoint_string(),
            cleanup: IpcCleanup::default(),
        });
    }

    // From here on, an error drops `cleanup`, which removes the temporary
    // directory of a wildcard bind that did not happen.
    let mut cleanup = IpcCleanup::default();
    let path = if addr.starts_with('*') {
        let dir = sys::mkdtemp(&wildcard_template(tmp_base()))?;
        let mut file = dir.clone();
        file.extend_from_slice(WILDCARD_FILE);
        cleanup.dir = Some(dir);
        file
    } else {
        addr.as_bytes().to_vec()
    };
    let address = IpcAddress::from_bytes(path)?;

    // Remove what an earlier run left behind (libzmq ignores errors here;
    // bind reports whatever still stands in the way).
    if let Some(file) = address.file_path() {
        let _ = std::fs::remove_file(file);
    }

    let fd = sys::socket(libc::AF_UNIX, libc::SOCK_STREAM, 0)?;
    sys::bind(fd.as_fd(), &address.raw()?)?;
    if cleanup.dir.is_some() {
        cleanup.file = Some(address.path.clone());
    }
    sys::listen(fd.as_fd(), options.backlog)?;
    Ok(IpcListener {
        listener: UnixListener::from(fd),
        endpoint: address.endpoint_string(),
        cleanup,
    })
}

/// The `mkdtemp` template for a wildcard bind: `base/tmpXXXXXX`, or a
/// relative `tmpXXXXXX` without a base (libzmq's behaviour too).
fn wildcard_template(base: Option<OsString>) -> Vec<u8> {
    let mut template = base.map(OsString::into_vec).unwrap_or_default();
    if !template.is_empty() && !template.ends_with(b"/") {
        template.push(b'/');
    }
    template.extend_from_slice(b"tmpXXXXXX");
    template
}

/// Takes the application's listening unix socket (`ZMQ_USE_FD`).
fn adopt_listener(raw: i32) -> Result<UnixListener> {
    if raw < 0 {
        return Err(Error::EBADF);
    }
    {
        // SAFETY: the borrow only lives for this check; if `raw` is not
        // open the call fails with EBADF and nothing else happens.
        let fd = unsafe { BorrowedFd::borrow_raw(raw) };
        if sys::socket_type(fd)? != libc::SOCK_STREAM {
            return Err(Error::EINVAL);
        }
    }
    // SAFETY: `raw` is an open stream socket (checked above) that
    // ZMQ_USE_FD hands over to the library, which closes it with the
    // listener as libzmq does.
    let fd = unsafe { OwnedFd::from_raw_fd(raw) };
    sys::set_nonblocking(fd.as_fd())?;
    Ok(UnixListener::from(fd))
}

/// Starts a non-blocking connection to a bound ipc address. `Ok` means
/// connected or in progress (then wait for writability and call
/// [`finish_connect_ipc`]); an error (`ECONNREFUSED` for a stale file,
/// `ENOENT`, `EAGAIN` when the listener's backlog is full) is one failed
/// attempt, after which libzmq schedules a reconnect.
#[cfg(test)]
pub fn connect_ipc(addr: &IpcAddress) -> Result<UnixStream> {
    start_connect_ipc(addr).map_err(|(e, _)| e)
}

/// [`connect_ipc`], telling on failure which descriptor the attempt had
/// opened (and closed by dropping it), if any.
fn start_connect_ipc(addr: &IpcAddress) -> std::result::Result<UnixStream, (Error, Option<RawFd>)> {
    let raw = addr.raw().map_err(|e| (e.into(), None))?;
    let fd = sys::socket(libc::AF_UNIX, libc::SOCK_STREAM, 0).map_err(|e| (e.into(), None))?;
    match sys::connect(fd.as_fd(), &raw) {
        Ok(()) => {}
        Err(e) if matches!(e.raw_os_error(), Some(libc::EINPROGRESS | libc::EINTR)) => {}
        Err(e) => return Err((e.into(), Some(fd.as_raw_fd()))),
    }
    Ok(UnixStream::from(fd))
}

/// The outcome of a connect that was in progress, once writable.
#[cfg(test)]
pub fn finish_connect_ipc(stream: &UnixStream) -> Result<()> {
    match sys::take_error(stream.as_fd())? {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}

/// `ZMQ_IPC_FILTER_UID/GID/PID` for an accepted connection: with no
/// filters every peer is welcome; otherwise the peer's credentials
/// (`SO_PEERCRED`) must match a uid, its primary gid a gid, or its pid a
/// pid filter, or the peer's user must be listed as a member of one of the
/// filter groups in the group database (libzmq checks supplementary groups
/// this way, through `getpwuid` and `getgrgid`). A refused connection is
/// just closed.
pub fn ipc_filters_allow(options: &Options, stream: &impl AsFd) -> bool {
    if options.ipc_uid_accept_filters.is_empty()
        && options.ipc_gid_accept_filters.is_empty()
        && options.ipc_pid_accept_filters.is_empty()
    {
        return true;
    }
    match peer_credentials(stream.as_fd()) {
        Some(cred) => credentials_allowed(options, cred, sys::user_name, sys::group_members),
        None => false,
    }
}

/// A peer's pid, uid and gid.
#[derive(Debug, Clone, Copy)]
struct Credentials {
    pid: i32,
    uid: u32,
    gid: u32,
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn peer_credentials(fd: BorrowedFd<'_>) -> Option<Credentials> {
    sys::peer_cred(fd).ok().map(|c| Credentials {
        pid: c.pid,
        uid: c.uid,
        gid: c.gid,
    })
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn peer_credentials(_fd: BorrowedFd<'_>) -> Option<Credentials> {
    None
}

/// The filter decision, with the user and group databases passed in.
fn credentials_allowed(
    options: &Options,
    cred: Credentials,
    user_name: impl Fn(u32) -> Option<Vec<u8>>,
    group_members: impl Fn(u32) -> Option<Vec<Vec<u8>>>,
) -> bool {
    if options.ipc_uid_accept_filters.contains(&cred.uid)
        || options.ipc_gid_accept_filters.contains(&cred.gid)
        || options.ipc_pid_accept_filters.contains(&cred.pid)
    {
        return true;
    }
    let Some(name) = user_name(cred.uid) else {
        return false;
    };
    options
        .ipc_gid_accept_filters
        .iter()
        .filter_map(|&gid| group_members(gid))
        .any(|members| members.contains(&name))
}

/// An ipc connection, as sessions see it.
#[derive(Debug)]
pub(crate) struct IpcConnection(pub(crate) UnixStream);

delegate_stream_io!(IpcConnection);

impl Stream for IpcConnection {
    fn short_read_drains(&self) -> bool {
        true
    }

    fn poll_connect(&mut self) -> io::Result<()> {
        connect_outcome(self.0.take_error(), self.0.peer_addr().map(|_| ()))
    }

    fn local_endpoint(&self) -> String {
        self.0
            .local_addr()
            .map(|a| endpoint_of(&a))
            .unwrap_or_default()
    }

    fn peer_endpoint(&self) -> String {
        self.0
            .peer_addr()
            .map(|a| endpoint_of(&a))
            .unwrap_or_default()
    }

    /// libzmq reports an empty address for ipc peers.
    fn peer_address(&self) -> String {
        String::new()
    }

    fn fd(&self) -> RawFd {
        self.0.as_raw_fd()
    }
}

/// A bound ipc listener.
#[derive(Debug)]
pub(crate) struct IpcListen(UnixListener);

delegate_source!(IpcListen);

impl Listener for IpcListen {
    fn accept(&mut self, options: &Options) -> io::Result<Option<Box<dyn Stream>>> {
        let (s, _) = self.0.accept()?;
        if !ipc_filters_allow(options, &s) {
            return Ok(None);
        }
        Ok(Some(Box::new(IpcConnection(s))))
    }

    fn fd(&self) -> RawFd {
        self.0.as_raw_fd()
    }
}

/// `zmq_bind ("ipc://addr")`.
pub(crate) fn bind(addr: &str, options: &Options) -> Result<Bound> {
    let IpcListener {
        listener,
        endpoint,
        cleanup,
    } = listen_ipc(addr, options)?;
    Ok(Bound {
        listener: Box::new(IpcListen(listener)),
        endpoint,
        cleanup: Some(Box::new(cleanup)),
    })
}

/// Connects to a resolved ipc address.
pub(crate) struct IpcConnecter {
    address: IpcAddress,
    /// The socket of the last attempt, if it failed at once (a refused or
    /// missing path): see [`Connecter::take_closed_fd`].
    closed_fd: Option<RawFd>,
}

impl IpcConnecter {
    pub(crate) fn new(addr: &str) -> Result<IpcConnecter> {
        Ok(IpcConnecter {
            address: IpcAddress::resolve(addr)?,
            closed_fd: None,
        })
    }
}

impl Connecter for IpcConnecter {
    fn connect(&mut self, _options: &Options) -> io::Result<Box<dyn Stream>> {
        match start_connect_ipc(&self.address) {
            Ok(s) => Ok(Box::new(IpcConnection(s))),
            Err((e, fd)) => {
                self.closed_fd = fd;
                Err(to_io_error(e))
            }
        }
    }

    fn take_closed_fd(&mut self) -> Option<RawFd> {
        self.closed_fd.take()
    }
}

#[cfg(test)]
#[path = "ipc_tests.rs"]
mod tests;
