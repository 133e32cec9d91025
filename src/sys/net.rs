//! The network OS calls of the transports.
//!
//! Everything here is a thin, safe wrapper over one libc call (or a small
//! group that must go together, such as `getaddrinfo`/`freeaddrinfo`):
//! sockets, socket options, address conversion, name resolution, interface
//! addresses, peer credentials and the password/group databases. The
//! transport modules above hold the libzmq logic and no `unsafe`.

use std::ffi::{CStr, CString};
use std::io;
use std::mem::{size_of, MaybeUninit};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

use libc::{c_int, c_void, socklen_t};

/// `-1` means "look at errno", as for most libc calls.
fn cvt(rc: c_int) -> io::Result<c_int> {
    if rc == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc)
    }
}

/// `sendmsg` with `MSG_NOSIGNAL`: `writev` on a connection the peer
/// closed would raise SIGPIPE and kill a C program that did not ignore it.
pub(crate) fn send_vectored(
    fd: BorrowedFd<'_>,
    bufs: &[std::io::IoSlice<'_>],
) -> io::Result<usize> {
    // SAFETY: `msghdr` is plain data; zeroed is a valid empty header.
    let mut hdr: libc::msghdr = unsafe { std::mem::zeroed() };
    // IoSlice is ABI-compatible with iovec on Unix; sendmsg only reads.
    hdr.msg_iov = bufs.as_ptr() as *mut libc::iovec;
    hdr.msg_iovlen = bufs.len().min(libc::UIO_MAXIOV as usize) as _;
    // SAFETY: `hdr` points at live buffers for the duration of the call.
    let n = unsafe { libc::sendmsg(fd.as_raw_fd(), &hdr, libc::MSG_NOSIGNAL) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(n as usize)
}

/// A new socket, close-on-exec (libzmq's `open_socket`) and non-blocking
/// (every socket we hand out is driven by an event loop).
pub(crate) fn socket(domain: c_int, ty: c_int, protocol: c_int) -> io::Result<OwnedFd> {
    let ty = ty | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK;
    // SAFETY: plain syscall with integer arguments.
    let fd = cvt(unsafe { libc::socket(domain, ty, protocol) })?;
    // SAFETY: `fd` was just returned by socket(2) and nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Sets `O_NONBLOCK` on a descriptor we were handed (`ZMQ_USE_FD`).
pub(crate) fn set_nonblocking(fd: BorrowedFd<'_>) -> io::Result<()> {
    // SAFETY: fcntl on a descriptor the caller keeps open for the call.
    let flags = cvt(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFL) })?;
    if flags & libc::O_NONBLOCK == 0 {
        // SAFETY: as above.
        cvt(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, flags | libc::O_NONBLOCK) })?;
    }
    Ok(())
}

/// `setsockopt` with an `int` value.
pub(crate) fn set_int(
    fd: BorrowedFd<'_>,
    level: c_int,
    name: c_int,
    value: c_int,
) -> io::Result<()> {
    set_bytes(fd, level, name, &value.to_ne_bytes())
}

/// `setsockopt` with a raw value (`SO_BINDTODEVICE` takes the name bytes).
pub(crate) fn set_bytes(
    fd: BorrowedFd<'_>,
    level: c_int,
    name: c_int,
    value: &[u8],
) -> io::Result<()> {
    // SAFETY: `value` is valid for `value.len()` bytes for the call.
    cvt(unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            value.as_ptr().cast::<c_void>(),
            value.len() as socklen_t,
        )
    })?;
    Ok(())
}

/// `getsockopt` of an `int` value.
pub(crate) fn get_int(fd: BorrowedFd<'_>, level: c_int, name: c_int) -> io::Result<c_int> {
    let mut value: c_int = 0;
    let mut len = size_of::<c_int>() as socklen_t;
    // SAFETY: `value` and `len` are valid for writing and `len` says how
    // much room `value` has.
    cvt(unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            level,
            name,
            (&mut value as *mut c_int).cast::<c_void>(),
            &mut len,
        )
    })?;
    Ok(value)
}

/// `getsockopt (SOL_SOCKET, SO_TYPE)`: tells a socket from another fd.
pub(crate) fn socket_type(fd: BorrowedFd<'_>) -> io::Result<c_int> {
    get_int(fd, libc::SOL_SOCKET, libc::SO_TYPE)
}

/// The `SO_ERROR` of a socket whose non-blocking connect has finished.
pub(crate) fn take_error(fd: BorrowedFd<'_>) -> io::Result<Option<io::Error>> {
    let err = get_int(fd, libc::SOL_SOCKET, libc::SO_ERROR)?;
    Ok((err != 0).then(|| io::Error::from_raw_os_error(err)))
}

pub(crate) fn listen(fd: BorrowedFd<'_>, backlog: c_int) -> io::Result<()> {
    // SAFETY: plain syscall with integer arguments.
    cvt(unsafe { libc::listen(fd.as_raw_fd(), backlog) })?;
    Ok(())
}

/// An IP socket address in the C layout, ready for bind/connect.
pub(crate) struct RawAddr {
    storage: libc::sockaddr_storage,
    len: socklen_t,
}

impl RawAddr {
    pub fn from_inet(addr: &SocketAddr) -> RawAddr {
        // SAFETY: sockaddr_storage is plain data; all zeroes is valid.
        let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
        let len = match addr {
            SocketAddr::V4(a) => {
                let sin = libc::sockaddr_in {
                    sin_family: libc::AF_INET as libc::sa_family_t,
                    sin_port: a.port().to_be(),
                    // s_addr is in network order: the octets as they are.
                    sin_addr: libc::in_addr {
                        s_addr: u32::from_ne_bytes(a.ip().octets()),
                    },
                    sin_zero: [0; 8],
                };
                // SAFETY: sockaddr_storage is large and aligned enough for
                // any sockaddr type.
                unsafe { std::ptr::write(&mut storage as *mut _ as *mut libc::sockaddr_in, sin) };
                size_of::<libc::sockaddr_in>()
            }
            SocketAddr::V6(a) => {
                let sin6 = libc::sockaddr_in6 {
                    sin6_family: libc::AF_INET6 as libc::sa_family_t,
                    sin6_port: a.port().to_be(),
                    sin6_flowinfo: a.flowinfo(),
                    sin6_addr: libc::in6_addr {
                        s6_addr: a.ip().octets(),
                    },
                    sin6_scope_id: a.scope_id(),
                };
                // SAFETY: as above.
                unsafe { std::ptr::write(&mut storage as *mut _ as *mut libc::sockaddr_in6, sin6) };
                size_of::<libc::sockaddr_in6>()
            }
        };
        RawAddr {
            storage,
            len: len as socklen_t,
        }
    }

    /// A `sockaddr_un` of `path` (an abstract name when the first byte is
    /// NUL). Its length is the family plus the path bytes, with no
    /// terminating NUL, as libzmq's `ipc_address_t` computes it: abstract
    /// names are length-sensitive, so peers must agree on it.
    pub fn from_unix(path: &[u8]) -> io::Result<RawAddr> {
        // SAFETY: sockaddr_storage is plain data; all zeroes is valid.
        let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
        // SAFETY: sockaddr_storage is large and aligned enough for a
        // sockaddr_un, and we hold the only reference to it.
        let sun = unsafe { &mut *(&mut storage as *mut _ as *mut libc::sockaddr_un) };
        if path.len() >= sun.sun_path.len() {
            return Err(io::Error::from_raw_os_error(libc::ENAMETOOLONG));
        }
        sun.sun_family = libc::AF_UNIX as libc::sa_family_t;
        for (dst, &src) in sun.sun_path.iter_mut().zip(path) {
            *dst = src as libc::c_char;
        }
        let len = std::mem::offset_of!(libc::sockaddr_un, sun_path) + path.len();
        Ok(RawAddr {
            storage,
            len: len as socklen_t,
        })
    }

    fn as_ptr(&self) -> *const libc::sockaddr {
        (&self.storage as *const libc::sockaddr_storage).cast()
    }
}

/// Converts a C socket address to std's; `None` for other families.
fn inet_from_raw(sa: *const libc::sockaddr, len: socklen_t) -> Option<SocketAddr> {
    if sa.is_null() {
        return None;
    }
    // SAFETY: the caller passes a pointer to at least a sockaddr header
    // (from getaddrinfo/getifaddrs/getsockname), and we only read the full
    // sockaddr_in/_in6 when `len` says it is there.
    unsafe {
        match c_int::from((*sa).sa_family) {
            libc::AF_INET if len as usize >= size_of::<libc::sockaddr_in>() => {
                let sin = std::ptr::read_unaligned(sa.cast::<libc::sockaddr_in>());
                let ip = Ipv4Addr::from(sin.sin_addr.s_addr.to_ne_bytes());
                Some(SocketAddr::V4(SocketAddrV4::new(
                    ip,
                    u16::from_be(sin.sin_port),
                )))
            }
            libc::AF_INET6 if len as usize >= size_of::<libc::sockaddr_in6>() => {
                let sin6 = std::ptr::read_unaligned(sa.cast::<libc::sockaddr_in6>());
                Some(SocketAddr::V6(SocketAddrV6::new(
                    Ipv6Addr::from(sin6.sin6_addr.s6_addr),
                    u16::from_be(sin6.sin6_port),
                    sin6.sin6_flowinfo,
                    sin6.sin6_scope_id,
                )))
            }
            _ => None,
        }
    }
}

pub(crate) fn bind(fd: BorrowedFd<'_>, addr: &RawAddr) -> io::Result<()> {
    // SAFETY: `addr` holds a valid sockaddr of `addr.len` bytes.
    cvt(unsafe { libc::bind(fd.as_raw_fd(), addr.as_ptr(), addr.len) })?;
    Ok(())
}

/// Starts a connect; on a non-blocking socket `EINPROGRESS` means "started".
pub(crate) fn connect(fd: BorrowedFd<'_>, addr: &RawAddr) -> io::Result<()> {
    // SAFETY: `addr` holds a valid sockaddr of `addr.len` bytes.
    cvt(unsafe { libc::connect(fd.as_raw_fd(), addr.as_ptr(), addr.len) })?;
    Ok(())
}

/// `getsockname` of an IP socket; `None` if it is not one.
pub(crate) fn local_inet_addr(fd: BorrowedFd<'_>) -> io::Result<Option<SocketAddr>> {
    // SAFETY: sockaddr_storage is plain data; all zeroes is valid.
    let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let mut len = size_of::<libc::sockaddr_storage>() as socklen_t;
    // SAFETY: `storage` has room for `len` bytes, which getsockname updates.
    cvt(unsafe {
        libc::getsockname(
            fd.as_raw_fd(),
            (&mut storage as *mut libc::sockaddr_storage).cast(),
            &mut len,
        )
    })?;
    Ok(inet_from_raw(
        (&storage as *const libc::sockaddr_storage).cast(),
        len,
    ))
}

/// `getnameinfo (NI_NUMERICHOST)`: the host part libzmq prints in endpoint
/// strings (glibc adds `%zone` for scoped link-local addresses).
pub(crate) fn numeric_host(addr: &SocketAddr) -> Option<String> {
    let raw = RawAddr::from_inet(addr);
    let mut host = [0 as libc::c_char; libc::NI_MAXHOST as usize];
    // SAFETY: `raw` is a valid sockaddr; `host` has the room we say; no
    // service buffer is asked for.
    let rc = unsafe {
        libc::getnameinfo(
            raw.as_ptr(),
            raw.len,
            host.as_mut_ptr(),
            host.len() as socklen_t,
            std::ptr::null_mut(),
            0,
            libc::NI_NUMERICHOST,
        )
    };
    if rc != 0 {
        return None;
    }
    // SAFETY: getnameinfo NUL-terminated `host` on success.
    let text = unsafe { CStr::from_ptr(host.as_ptr()) };
    Some(text.to_string_lossy().into_owned())
}

/// What `getaddrinfo` failed with: an `EAI_*` code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GaiError(pub c_int);

/// `getaddrinfo (node, NULL, {family, SOCK_STREAM, flags})`: the addresses
/// in the order the resolver gives them (port 0).
pub(crate) fn getaddrinfo(
    node: &str,
    family: c_int,
    flags: c_int,
) -> Result<Vec<SocketAddr>, GaiError> {
    // A C caller cannot pass a NUL inside the name; the string ends there.
    let node = node.split('\0').next().unwrap_or_default();
    let node = CString::new(node).map_err(|_| GaiError(libc::EAI_NONAME))?;
    // SAFETY: addrinfo is plain data; all zeroes is the documented way to
    // prepare hints.
    let mut hints: libc::addrinfo = unsafe { std::mem::zeroed() };
    hints.ai_family = family;
    hints.ai_socktype = libc::SOCK_STREAM;
    hints.ai_flags = flags;
    let mut res: *mut libc::addrinfo = std::ptr::null_mut();
    // SAFETY: `node` is NUL-terminated, `hints` initialised, `res` is an
    // out-pointer that getaddrinfo fills on success.
    let rc = unsafe { libc::getaddrinfo(node.as_ptr(), std::ptr::null(), &hints, &mut res) };
    if rc != 0 {
        return Err(GaiError(rc));
    }
    let mut out = Vec::new();
    let mut cur = res;
    while !cur.is_null() {
        // SAFETY: `cur` walks the list getaddrinfo returned, which stays
        // valid until freeaddrinfo below.
        let ai = unsafe { &*cur };
        if let Some(a) = inet_from_raw(ai.ai_addr, ai.ai_addrlen) {
            out.push(a);
        }
        cur = ai.ai_next;
    }
    // SAFETY: `res` came from a successful getaddrinfo and is freed once.
    unsafe { libc::freeaddrinfo(res) };
    Ok(out)
}

/// The addresses of family `family` of the interface called `name`, in
/// `getifaddrs` order.
pub(crate) fn interface_addrs(name: &str, family: c_int) -> io::Result<Vec<SocketAddr>> {
    let mut ifa: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: `ifa` is an out-pointer that getifaddrs fills on success.
    cvt(unsafe { libc::getifaddrs(&mut ifa) })?;
    let mut out = Vec::new();
    let mut cur = ifa;
    while !cur.is_null() {
        // SAFETY: `cur` walks the list getifaddrs returned, valid until
        // freeifaddrs below; ifa_name is a NUL-terminated string.
        let entry = unsafe { &*cur };
        let matches_name = !entry.ifa_name.is_null()
            // SAFETY: see above.
            && unsafe { CStr::from_ptr(entry.ifa_name) }.to_bytes() == name.as_bytes();
        // SAFETY: a non-null ifa_addr points to a sockaddr of its family.
        if matches_name
            && !entry.ifa_addr.is_null()
            && c_int::from(unsafe { (*entry.ifa_addr).sa_family }) == family
        {
            let len = if family == libc::AF_INET6 {
                size_of::<libc::sockaddr_in6>()
            } else {
                size_of::<libc::sockaddr_in>()
            };
            if let Some(a) = inet_from_raw(entry.ifa_addr, len as socklen_t) {
                out.push(a);
            }
        }
        cur = entry.ifa_next;
    }
    // SAFETY: `ifa` came from a successful getifaddrs and is freed once.
    unsafe { libc::freeifaddrs(ifa) };
    Ok(out)
}

/// `if_nametoindex`; 0 when there is no such interface.
pub(crate) fn if_nametoindex(name: &str) -> u32 {
    let Ok(name) = CString::new(name) else {
        return 0;
    };
    // SAFETY: `name` is NUL-terminated.
    unsafe { libc::if_nametoindex(name.as_ptr()) }
}

/// The peer's credentials on a connected unix socket (`SO_PEERCRED`).
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) fn peer_cred(fd: BorrowedFd<'_>) -> io::Result<libc::ucred> {
    let mut cred = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = size_of::<libc::ucred>() as socklen_t;
    // SAFETY: `cred` and `len` are valid for writing; `len` is its size.
    cvt(unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast::<c_void>(),
            &mut len,
        )
    })?;
    Ok(cred)
}

/// Calls a `get*_r` function with a growing buffer until it fits.
/// `call(buf)` returns the function's result code and whether an entry was
/// found; the entry's strings live in `buf`.
fn with_db_buffer<T>(mut call: impl FnMut(&mut [libc::c_char]) -> (c_int, Option<T>)) -> Option<T> {
    let mut size = 1024;
    loop {
        let mut buf = vec![0 as libc::c_char; size];
        match call(&mut buf) {
            (libc::ERANGE, _) if size < (1 << 20) => size *= 4,
            (0, found) => return found,
            _ => return None,
        }
    }
}

/// The login name of user `uid` (`getpwuid`), if the user exists.
pub(crate) fn user_name(uid: u32) -> Option<Vec<u8>> {
    with_db_buffer(|buf| {
        let mut pw = MaybeUninit::<libc::passwd>::uninit();
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: every pointer is valid for writing, `buf` has the length
        // we pass, and `result` is non-null only when `pw` was filled.
        let rc = unsafe {
            libc::getpwuid_r(
                uid,
                pw.as_mut_ptr(),
                buf.as_mut_ptr(),
                buf.len(),
                &mut result,
            )
        };
        if rc != 0 || result.is_null() {
            return (rc, None);
        }
        // SAFETY: on success `pw` is initialised and pw_name points into
        // `buf`, a NUL-terminated string.
        let name = unsafe { CStr::from_ptr(pw.assume_init().pw_name) };
        (0, Some(name.to_bytes().to_vec()))
    })
}

/// The member names of group `gid` (`getgrgid`'s `gr_mem`), if it exists.
pub(crate) fn group_members(gid: u32) -> Option<Vec<Vec<u8>>> {
    with_db_buffer(|buf| {
        let mut gr = MaybeUninit::<libc::group>::uninit();
        let mut result: *mut libc::group = std::ptr::null_mut();
        // SAFETY: as in `user_name`.
        let rc = unsafe {
            libc::getgrgid_r(
                gid,
                gr.as_mut_ptr(),
                buf.as_mut_ptr(),
                buf.len(),
                &mut result,
            )
        };
        if rc != 0 || result.is_null() {
            return (rc, None);
        }
        // SAFETY: on success `gr` is initialised; gr_mem is a NULL-ended
        // array of NUL-terminated strings inside `buf`.
        let members = unsafe {
            let gr = gr.assume_init();
            let mut out = Vec::new();
            let mut mem = gr.gr_mem;
            while !mem.is_null() && !(*mem).is_null() {
                out.push(CStr::from_ptr(*mem).to_bytes().to_vec());
                mem = mem.add(1);
            }
            out
        };
        (0, Some(members))
    })
}

/// `mkdtemp`: creates a unique directory (mode 0700) from a template
/// ending in `XXXXXX` and returns its name.
pub(crate) fn mkdtemp(template: &[u8]) -> io::Result<Vec<u8>> {
    let mut buf = CString::new(template)
        .map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?
        .into_bytes_with_nul();
    // SAFETY: `buf` is a writable NUL-terminated template; mkdtemp only
    // rewrites the trailing X's in place.
    let p = unsafe { libc::mkdtemp(buf.as_mut_ptr().cast::<libc::c_char>()) };
    if p.is_null() {
        return Err(io::Error::last_os_error());
    }
    buf.pop();
    Ok(buf)
}

/// C's `inet_addr`: the IPv4 address in `text` (cut at the first NUL, as a
/// C string would be), in any form the C parser takes (`127.0.0.1`,
/// `127.1`, `0x7f.1`). `None` where it answers `INADDR_NONE`, which is
/// also what it answers for `255.255.255.255`: libzmq's DGRAM refuses that
/// address for the same reason.
pub(crate) fn inet_addr(text: &[u8]) -> Option<Ipv4Addr> {
    let end = text.iter().position(|&b| b == 0).unwrap_or(text.len());
    let text = CString::new(&text[..end]).ok()?;
    // SAFETY: `text` is NUL-terminated and lives for the call; the
    // declaration below is glibc's.
    let s_addr = unsafe { c_inet_addr(text.as_ptr()) };
    (s_addr != libc::INADDR_NONE).then(|| Ipv4Addr::from(s_addr.to_ne_bytes()))
}

// The libc crate does not declare `inet_addr`; POSIX's signature.
extern "C" {
    #[link_name = "inet_addr"]
    fn c_inet_addr(cp: *const libc::c_char) -> libc::in_addr_t;
}
