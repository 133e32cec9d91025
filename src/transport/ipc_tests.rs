//! Unix sockets in a private temporary directory and the abstract
//! namespace: bind, connect, rebind, wildcard, filters.

use std::io::{ErrorKind, Read, Write};
use std::os::fd::{AsRawFd, IntoRawFd};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::*;
use crate::options::consts::ZMQ_PAIR;

fn opts() -> Options {
    Options::new(ZMQ_PAIR)
}

/// A fresh directory for one test, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "zmq-ipc-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A name in the abstract namespace no other test run uses.
fn abstract_name(tag: &str) -> String {
    format!("@zmq-rs-test-{}-{tag}", std::process::id())
}

fn accept(listener: &UnixListener) -> UnixStream {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match listener.accept() {
            Ok((s, _)) => return s,
            Err(e) if e.kind() == ErrorKind::WouldBlock && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => panic!("accept: {e}"),
        }
    }
}

fn connect(addr: &str) -> UnixStream {
    let client = connect_ipc(&IpcAddress::resolve(addr).unwrap()).unwrap();
    finish_connect_ipc(&client).unwrap();
    client
}

fn bounce(client: &UnixStream, server: &UnixStream) {
    let dup = |s: &UnixStream| {
        let s = std::os::unix::net::UnixStream::from(s.as_fd().try_clone_to_owned().unwrap());
        s.set_nonblocking(false).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s
    };
    let (mut c, mut s) = (dup(client), dup(server));
    let mut buf = [0u8; 4];
    c.write_all(b"ping").unwrap();
    s.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"ping");
    s.write_all(b"pong").unwrap();
    c.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"pong");
}

#[test]
fn addresses_are_checked_like_libzmq() {
    let longest = "x".repeat(SUN_PATH_LEN - 1);
    assert!(IpcAddress::resolve(&longest).is_ok());
    let too_long = "x".repeat(SUN_PATH_LEN);
    assert_eq!(
        IpcAddress::resolve(&too_long),
        Err(Error::from_errno(libc::ENAMETOOLONG))
    );
    assert_eq!(IpcAddress::resolve("@"), Err(Error::EINVAL));
    let a = IpcAddress::resolve("@tmp-tester").unwrap();
    assert!(a.is_abstract());
    assert_eq!(a.file_path(), None);
    assert_eq!(a.endpoint_string(), "ipc://@tmp-tester");
    let f = IpcAddress::resolve("/tmp/feeds/0").unwrap();
    assert_eq!(f.endpoint_string(), "ipc:///tmp/feeds/0");
    assert_eq!(f.file_path(), Some(Path::new("/tmp/feeds/0")));
    // A C string ends at its NUL.
    assert_eq!(
        IpcAddress::resolve("a\0b").unwrap().endpoint_string(),
        "ipc://a"
    );
}

#[test]
fn bind_connect_and_exchange_over_a_path() {
    let dir = TempDir::new();
    let path = dir.path("sock");
    let bound = listen_ipc(&path, &opts()).unwrap();
    assert_eq!(bound.endpoint, format!("ipc://{path}"));
    let client = connect(&path);
    let server = accept(&bound.listener);
    assert_eq!(
        endpoint_of(&server.local_addr().unwrap()),
        format!("ipc://{path}")
    );
    assert_eq!(endpoint_of(&client.local_addr().unwrap()), "ipc://");
    bounce(&client, &server);
}

#[test]
fn rebinding_over_a_stale_file_works() {
    let dir = TempDir::new();
    let path = dir.path("sock");
    let first = listen_ipc(&path, &opts()).unwrap();
    drop(first);
    // libzmq leaves a named socket file behind on close...
    assert!(Path::new(&path).exists());
    assert_eq!(
        connect_ipc(&IpcAddress::resolve(&path).unwrap()).err(),
        Some(Error::ECONNREFUSED)
    );
    // ...and removes it before binding again.
    let second = listen_ipc(&path, &opts()).unwrap();
    let client = connect(&path);
    let server = accept(&second.listener);
    bounce(&client, &server);
}

#[test]
fn binding_takes_over_a_live_path() {
    let dir = TempDir::new();
    let path = dir.path("sock");
    let _first = listen_ipc(&path, &opts()).unwrap();
    let second = listen_ipc(&path, &opts()).unwrap();
    let client = connect(&path);
    let server = accept(&second.listener);
    bounce(&client, &server);
}

#[test]
fn missing_directory_and_missing_listener_fail() {
    let dir = TempDir::new();
    let path = dir.path("no/such/dir/sock");
    assert_eq!(listen_ipc(&path, &opts()).err(), Some(Error::ENOENT));
    assert_eq!(
        connect_ipc(&IpcAddress::resolve(&path).unwrap()).err(),
        Some(Error::ENOENT)
    );
    let too_long = format!("/{}", "x".repeat(SUN_PATH_LEN));
    assert_eq!(
        listen_ipc(&too_long, &opts()).err(),
        Some(Error::from_errno(libc::ENAMETOOLONG))
    );
}

#[test]
fn abstract_names_need_no_file_and_are_exclusive() {
    let name = abstract_name("excl");
    let bound = listen_ipc(&name, &opts()).unwrap();
    assert_eq!(bound.endpoint, format!("ipc://{name}"));
    assert!(!Path::new(&name).exists());
    assert_eq!(listen_ipc(&name, &opts()).err(), Some(Error::EADDRINUSE));
    let client = connect(&name);
    let server = accept(&bound.listener);
    assert_eq!(
        endpoint_of(&server.local_addr().unwrap()),
        format!("ipc://{name}")
    );
    bounce(&client, &server);
    // The name is exact: a longer or shorter one is another socket.
    assert!(connect_ipc(&IpcAddress::resolve(&format!("{name}x")).unwrap()).is_err());
}

#[test]
fn wildcard_binds_in_a_new_directory_that_close_removes() {
    let base = TempDir::new();
    let bound = listen_ipc_in("*", &opts(), || Some(base.0.clone().into_os_string())).unwrap();
    let path = bound.endpoint.strip_prefix("ipc://").unwrap().to_string();
    let dir = Path::new(&path).parent().unwrap().to_path_buf();
    assert_eq!(dir.parent().unwrap(), base.0);
    let dir_name = dir.file_name().unwrap().to_str().unwrap();
    assert!(
        dir_name.starts_with("tmp") && dir_name.len() == 9,
        "{dir_name}"
    );
    assert!(path.ends_with("/socket"));
    let client = connect(&path);
    let server = accept(&bound.listener);
    bounce(&client, &server);
    let IpcListener {
        listener, cleanup, ..
    } = bound;
    drop(listener);
    assert_eq!(cleanup.run(), Ok(()));
    assert!(!dir.exists());
}

#[test]
fn wildcard_template_follows_the_environment_rule() {
    assert_eq!(wildcard_template(None), b"tmpXXXXXX");
    assert_eq!(
        wildcard_template(Some("/var/tmp".into())),
        b"/var/tmp/tmpXXXXXX"
    );
    assert_eq!(
        wildcard_template(Some("/var/tmp/".into())),
        b"/var/tmp/tmpXXXXXX"
    );
}

#[test]
fn failed_wildcard_bind_removes_its_directory() {
    let base = TempDir::new();
    // A base so long that `dir/socket` no longer fits sun_path.
    let deep = base.0.join("d".repeat(100));
    std::fs::create_dir_all(&deep).unwrap();
    let err = listen_ipc_in("*", &opts(), || Some(deep.clone().into_os_string())).unwrap_err();
    assert_eq!(err, Error::from_errno(libc::ENAMETOOLONG));
    assert_eq!(std::fs::read_dir(&deep).unwrap().count(), 0);
}

#[test]
fn use_fd_adopts_the_listener_and_leaves_its_file() {
    let dir = TempDir::new();
    let path = dir.path("app");
    let app = std::os::unix::net::UnixListener::bind(&path).unwrap();
    let mut o = opts();
    o.use_fd = app.into_raw_fd();
    let bound = listen_ipc(&path, &o).unwrap();
    assert_eq!(bound.endpoint, format!("ipc://{path}"));
    let client = connect(&path);
    let server = accept(&bound.listener);
    bounce(&client, &server);
    drop(bound);
    assert!(Path::new(&path).exists());
}

/// Accepts one connection to a listener with `o`'s filters and says
/// whether the filters let it in.
fn filtered(o: &Options) -> bool {
    let dir = TempDir::new();
    let path = dir.path("sock");
    let bound = listen_ipc(&path, o).unwrap();
    let _client = connect(&path);
    let server = accept(&bound.listener);
    ipc_filters_allow(o, &server)
}

#[test]
fn filters_check_the_peers_credentials() {
    // SAFETY: getuid/getgid/getpid only read this process's ids.
    let (uid, gid, pid) = unsafe { (libc::getuid(), libc::getgid(), libc::getpid()) };
    assert!(filtered(&opts()));

    let mut o = opts();
    o.ipc_uid_accept_filters.insert(uid);
    assert!(filtered(&o));
    let mut o = opts();
    o.ipc_uid_accept_filters.insert(uid + 1);
    assert!(!filtered(&o));

    let mut o = opts();
    o.ipc_gid_accept_filters.insert(gid);
    assert!(filtered(&o));
    let mut o = opts();
    o.ipc_gid_accept_filters.insert(gid + 12345);
    assert!(!filtered(&o));

    let mut o = opts();
    o.ipc_pid_accept_filters.insert(pid);
    assert!(filtered(&o));
    let mut o = opts();
    o.ipc_pid_accept_filters.insert(pid + 1);
    assert!(!filtered(&o));
}

#[test]
fn supplementary_groups_come_from_the_group_database() {
    let cred = Credentials {
        pid: 10,
        uid: 1000,
        gid: 1000,
    };
    let users = |uid: u32| (uid == 1000).then(|| b"alice".to_vec());
    let groups = |gid: u32| match gid {
        27 => Some(vec![b"bob".to_vec(), b"alice".to_vec()]),
        28 => Some(vec![b"bob".to_vec()]),
        _ => None,
    };
    let with_gid = |gid: u32| {
        let mut o = opts();
        o.ipc_gid_accept_filters.insert(gid);
        o
    };
    assert!(credentials_allowed(&with_gid(27), cred, users, groups));
    assert!(!credentials_allowed(&with_gid(28), cred, users, groups));
    assert!(!credentials_allowed(&with_gid(99), cred, users, groups));
    // A peer whose uid has no user name only passes on its ids.
    let stranger = Credentials { uid: 4242, ..cred };
    assert!(!credentials_allowed(&with_gid(27), stranger, users, groups));
    assert!(credentials_allowed(
        &with_gid(1000),
        stranger,
        users,
        groups
    ));
}

#[test]
fn group_database_lookups_work() {
    // SAFETY: getuid only reads this process's id.
    let uid = unsafe { libc::getuid() };
    if uid == 0 {
        assert_eq!(sys::user_name(0).as_deref(), Some(&b"root"[..]));
        assert!(sys::group_members(0).is_some());
    }
    assert_eq!(sys::user_name(u32::MAX - 7), None);
    assert_eq!(sys::group_members(u32::MAX - 7), None);
}

#[test]
fn connecting_to_a_path_that_is_not_bound_fails_cleanly() {
    let dir = TempDir::new();
    let path = dir.path("plain-file");
    std::fs::write(&path, b"").unwrap();
    let err = connect_ipc(&IpcAddress::resolve(&path).unwrap()).err();
    assert_eq!(err, Some(Error::ECONNREFUSED));
    // Binding removes the regular file first, as libzmq's unlink does.
    let bound = listen_ipc(&path, &opts()).unwrap();
    let client = connect(&path);
    let server = accept(&bound.listener);
    assert!(client.as_raw_fd() >= 0);
    bounce(&client, &server);
}
