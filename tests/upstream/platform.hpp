/* platform.hpp for compiling libzmq 4.3.5's test suite on Linux.

   Upstream generates this file with cmake (builds/cmake/platform.hpp.in).
   This is what upstream's cmake generates on Debian bookworm (x86_64) for the
   configuration of tools/build-reference-libzmq.sh: drafts ON (ws, radix
   tree), CURVE via libsodium, no TLS/NSS/libbsd/tipc/pgm/norm/vmci. Selected with
   -DZMQ_CUSTOM_PLATFORM_HPP by tests/upstream/run.py.

   Only some switches reach the tests; they decide which code paths compile:
     ZMQ_HAVE_IPC, ZMQ_HAVE_SO_PEERCRED  ipc tests, ipc peer filters
     ZMQ_HAVE_PPOLL                      zmq_ppoll tests
     ZMQ_HAVE_CURVE, ZMQ_USE_LIBSODIUM   curve tests
     ZMQ_HAVE_UIO, HAVE_MKDTEMP          iov, ipc wildcard
   test_capabilities checks zmq_has() against ZMQ_HAVE_IPC, _TIPC, _CURVE,
   _OPENPGM, _NORM, _VMCI, HAVE_LIBGSSAPI_KRB5 and ZMQ_BUILD_DRAFT_API: the
   library under test must report ipc, curve and draft, and not tipc, pgm,
   norm, gssapi or vmci (upstream's cmake would find TIPC on a Debian kernel
   with the module; the reference build turns it off).

   Upstream quirk kept on purpose: cmake checks SO_PRIORITY, SO_BINDTODEVICE
   and O_CLOEXEC with -std=c11 and no _GNU_SOURCE, so they come out undefined
   on glibc; the reference libzmq therefore rejects ZMQ_PRIORITY and
   test_setsockopt compiles that case out. */

#ifndef __ZMQ_PLATFORM_HPP_INCLUDED__
#define __ZMQ_PLATFORM_HPP_INCLUDED__

#define ZMQ_USE_CV_IMPL_STL11

#define ZMQ_IOTHREAD_POLLER_USE_EPOLL
#define ZMQ_IOTHREAD_POLLER_USE_EPOLL_CLOEXEC
#define ZMQ_HAVE_PPOLL

#define ZMQ_POLL_BASED_ON_POLL

#define HAVE_POSIX_MEMALIGN 1
#define ZMQ_CACHELINE_SIZE 64

#define HAVE_FORK
#define HAVE_CLOCK_GETTIME
#define HAVE_MKDTEMP
#define ZMQ_HAVE_UIO

#define ZMQ_HAVE_NOEXCEPT

#define ZMQ_HAVE_EVENTFD
#define ZMQ_HAVE_EVENTFD_CLOEXEC
#define ZMQ_HAVE_IFADDRS
/* #undef ZMQ_HAVE_SO_BINDTODEVICE  (upstream cmake quirk, see above) */

#define ZMQ_HAVE_SO_PEERCRED
#define ZMQ_HAVE_BUSY_POLL

/* #undef ZMQ_HAVE_O_CLOEXEC  (upstream cmake quirk, see above) */

#define ZMQ_HAVE_SOCK_CLOEXEC
#define ZMQ_HAVE_SO_KEEPALIVE
/* #undef ZMQ_HAVE_SO_PRIORITY  (upstream cmake quirk, see above) */
#define ZMQ_HAVE_TCP_KEEPCNT
#define ZMQ_HAVE_TCP_KEEPIDLE
#define ZMQ_HAVE_TCP_KEEPINTVL
#define ZMQ_HAVE_PTHREAD_SETNAME_2
#define ZMQ_HAVE_PTHREAD_SET_AFFINITY
#define HAVE_ACCEPT4
#define HAVE_STRNLEN

#define ZMQ_HAVE_IPC
#define ZMQ_HAVE_STRUCT_SOCKADDR_UN

#define ZMQ_USE_BUILTIN_SHA1
#define ZMQ_HAVE_WS

#define ZMQ_HAVE_CURVE
#define ZMQ_USE_LIBSODIUM
#define ZMQ_USE_RADIX_TREE
#define HAVE_IF_NAMETOINDEX

#if defined __linux__
#define ZMQ_HAVE_LINUX
#endif

#endif
