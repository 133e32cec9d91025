// cppzmq on an installed libzmq (tests/install/run.sh): REQ/REP and
// PUB/SUB through zmq.hpp, and the same checks as check.c that the library
// is ours and comes from where it should.
//
//   check_cppzmq LIBFILE | static
#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <cstring>
#include <iostream>
#include <string>
#include <zmq.hpp>

static void check (bool ok, const char *what)
{
    if (!ok) {
        std::cerr << "check_cppzmq: failed: " << what << "\n";
        std::exit (1);
    }
}

int main (int argc, char *argv[])
{
    check (argc == 2, "usage: check_cppzmq LIBFILE|static");
    int major, minor, patch;
    std::tie (major, minor, patch) = zmq::version ();
    check (major == 4 && minor == 3 && patch == 5, "version 4.3.5");
    check (zmq_has ("wss") == 1, "zmq_has(\"wss\") == 1");

    Dl_info info;
    check (dladdr (reinterpret_cast<void *> (&zmq_send), &info) != 0, "dladdr");
    char from[PATH_MAX], self[PATH_MAX];
    check (realpath (info.dli_fname, from) != nullptr, "realpath");
    if (std::string (argv[1]) == "static") {
        check (realpath ("/proc/self/exe", self) != nullptr, "realpath self");
        check (std::strcmp (from, self) == 0, "zmq_send linked into the program");
    } else
        check (std::strcmp (from, argv[1]) == 0, "zmq_send from the installed libzmq");

    zmq::context_t ctx;
    zmq::socket_t rep (ctx, zmq::socket_type::rep);
    zmq::socket_t req (ctx, zmq::socket_type::req);
    rep.bind ("inproc://cppzmq");
    req.connect ("inproc://cppzmq");
    req.send (zmq::str_buffer ("Hello"), zmq::send_flags::none);
    zmq::message_t request;
    check (rep.recv (request, zmq::recv_flags::none).has_value (), "recv request");
    check (request.to_string () == "Hello", "request is Hello");
    rep.send (zmq::str_buffer ("World"), zmq::send_flags::none);
    zmq::message_t reply;
    check (req.recv (reply, zmq::recv_flags::none).has_value (), "recv reply");
    check (reply.to_string () == "World", "reply is World");

    zmq::socket_t pub (ctx, zmq::socket_type::pub);
    zmq::socket_t sub (ctx, zmq::socket_type::sub);
    pub.bind ("inproc://news");
    sub.connect ("inproc://news");
    sub.set (zmq::sockopt::subscribe, "weather");
    // inproc subscriptions reach the publisher when it next looks at its
    // pipes: a poll on it processes them.
    zmq::pollitem_t item = {pub.handle (), 0, ZMQ_POLLOUT, 0};
    zmq::poll (&item, 1, std::chrono::milliseconds (0));
    pub.send (zmq::str_buffer ("sports: 3-1"), zmq::send_flags::none);
    pub.send (zmq::str_buffer ("weather: sunny"), zmq::send_flags::none);
    zmq::message_t news;
    check (sub.recv (news, zmq::recv_flags::none).has_value (), "recv news");
    check (news.to_string () == "weather: sunny", "filtered news");

    std::cout << "check_cppzmq: cppzmq " << CPPZMQ_VERSION_MAJOR << "." << CPPZMQ_VERSION_MINOR << "."
              << CPPZMQ_VERSION_PATCH << " on libzmq " << major << "." << minor << "." << patch << " from "
              << from << ", wss " << zmq_has ("wss") << "\n";
    return 0;
}
