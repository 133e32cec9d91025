//! PEER (rfc-51): a SERVER that can also connect, and learns the routing
//! id of the connection it makes (`zmq_connect_peer`, on `Socket`). The
//! routing, ids and single-part rule are SERVER's, as in libzmq where
//! `peer_t` derives from `server_t`.

use super::server::Server;

pub fn new_peer() -> Server {
    Server::default()
}
