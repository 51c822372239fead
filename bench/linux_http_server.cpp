// bench-linux-http: the Linux-stack side of the network benchmark (bench/net.py). Serves exactly
// what bulwark-netd's HTTP responder (net/host/netd.cpp) serves on port 80 -- `/`, `/bytes/N`
// (the same xorshift byte stream, same seed, same X-CRC32 header) and `POST /sink` -- with the
// same keep-alive rules (HTTP/1.1 keeps by default, HTTP/1.0 only with "Connection: keep-alive"),
// the same response bytes (the Server header included, so both sides put identical bytes on the
// wire), the same 16 KiB read and generate chunks and TCP_NODELAY: the responder itself is
// net/host/http.h's Responder, shared with netd. The shape is netd's event loop: one thread,
// non-blocking sockets, one epoll set. Built at -O2 without sanitizers (bench/sources.cmake).
#include "net/host/http.h"

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <unordered_map>
#include <vector>

namespace {

using u8 = uint8_t;
using u32 = uint32_t;
using u64 = uint64_t;
namespace host = net::host;

volatile sig_atomic_t g_stop = 0;

// One accepted connection; the responder is the one bulwark-netd uses (net/host/http.h).
struct Session {
    int fd { -1 };
    host::Responder responder { host::Responder::Kind::Http };
    bool done { false };
    u32 events { 0 };         // the epoll interest set now registered
};

// Moves pending output into the socket; generates /bytes/N data as the socket accepts it.
// Returns false when the socket is full (wait for EPOLLOUT) and true when everything is out.
bool flush_output(Session& s)
{
    for (;;) {
        size_t length = 0;
        const u8* data = s.responder.pending(length);
        if (length == 0)
            return true;
        ssize_t sent = ::send(s.fd, data, length, MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return false;
            s.done = true; // reset by the peer
            return true;
        }
        s.responder.sent(size_t(sent));
    }
}

// Level-triggered: readable while the peer may still send, writable while output is blocked.
// A closing session stops watching EPOLLIN (an EOF stays readable and would spin the loop).
void set_interest(int epoll_fd, Session& s, bool blocked)
{
    u32 events = (s.responder.closing() ? 0u : u32(EPOLLIN)) | (blocked ? u32(EPOLLOUT) : 0u);
    if (s.events == events)
        return;
    epoll_event ev {};
    ev.events = events;
    ev.data.fd = s.fd;
    epoll_ctl(epoll_fd, EPOLL_CTL_MOD, s.fd, &ev);
    s.events = events;
}

// Reads what the peer sent, runs the responder, writes what it can; closes when finished.
void service(int epoll_fd, Session& s)
{
    u8 buffer[16384];
    while (!s.responder.closing() && !s.done) {
        ssize_t r = ::recv(s.fd, buffer, sizeof buffer, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                s.done = true; // reset: release the socket
            break;
        }
        if (r == 0) { // peer finished sending
            s.responder.peer_finished();
            break;
        }
        s.responder.consume(buffer, size_t(r));
    }
    if (s.done)
        return;
    bool drained = flush_output(s);
    if (s.done)
        return;
    if (s.responder.finished())
        s.done = true;
    else
        set_interest(epoll_fd, s, !drained);
}

int usage(const char* message)
{
    fprintf(stderr, "bench-linux-http: %s\n", message);
    fprintf(stderr, "usage: bench-linux-http [--ip ADDR] [--port N]\n"
                    "Serves netd's HTTP responder (/, /bytes/N, POST /sink) on the Linux stack.\n");
    return 2;
}

} // namespace

int main(int argc, char** argv)
{
    std::string ip_text = "0.0.0.0";
    unsigned port = 80;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--ip" && i + 1 < argc)
            ip_text = argv[++i];
        else if (arg == "--port" && i + 1 < argc)
            port = unsigned(std::stoul(argv[++i]));
        else if (arg == "-h" || arg == "--help")
            return usage("help"), 0;
        else
            return usage(("unknown or incomplete option " + arg).c_str());
    }
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(port));
    if (port == 0 || port > 65535 || inet_pton(AF_INET, ip_text.c_str(), &addr.sin_addr) != 1)
        return usage("bad --ip or --port");

    struct sigaction sa {};
    sa.sa_handler = [](int) { g_stop = 1; };
    sigaction(SIGTERM, &sa, nullptr); // no SA_RESTART: epoll_wait returns EINTR
    sigaction(SIGINT, &sa, nullptr);

    int listen_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (listen_fd < 0 || ::bind(listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0
        || ::listen(listen_fd, 512) != 0) {
        fprintf(stderr, "bench-linux-http: cannot listen on %s:%u: %s\n", ip_text.c_str(), port, strerror(errno));
        return 1;
    }
    int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    epoll_event lev {};
    lev.events = EPOLLIN;
    lev.data.fd = listen_fd;
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listen_fd, &lev);
    printf("bench-linux-http: http on %s:%u (Linux stack)\n", ip_text.c_str(), port);
    fflush(stdout);

    std::unordered_map<int, std::unique_ptr<Session>> sessions;
    u64 accepted = 0;
    epoll_event events[256];
    while (!g_stop) {
        int n = epoll_wait(epoll_fd, events, 256, -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < n; ++i) {
            int fd = events[i].data.fd;
            if (fd == listen_fd) {
                for (;;) {
                    int c = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (c < 0)
                        break;
                    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    auto s = std::make_unique<Session>();
                    s->fd = c;
                    s->events = EPOLLIN;
                    epoll_event ev {};
                    ev.events = EPOLLIN;
                    ev.data.fd = c;
                    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, c, &ev);
                    sessions.emplace(c, std::move(s));
                    ++accepted;
                }
                continue;
            }
            auto it = sessions.find(fd);
            if (it == sessions.end())
                continue;
            service(epoll_fd, *it->second);
            if (it->second->done) {
                ::close(fd); // also leaves the epoll set
                sessions.erase(it);
            }
        }
    }
    for (auto& [fd, s] : sessions)
        ::close(fd);
    printf("bench-linux-http: %llu connections accepted, %zu open at exit\n",
        static_cast<unsigned long long>(accepted), sessions.size());
    return 0;
}
