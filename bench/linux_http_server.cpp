// bench-linux-http: the Linux-stack side of the network benchmark (bench/net.py). Serves exactly
// what bulwark-netd's HTTP responder (net/host/netd.cpp) serves on port 80 -- `/`, `/bytes/N`
// (the same xorshift byte stream, same seed, same X-CRC32 header) and `POST /sink` -- with the
// same keep-alive rules (HTTP/1.1 keeps by default, HTTP/1.0 only with "Connection: keep-alive"),
// the same response bytes (the Server header included, so both sides put identical bytes on the
// wire), the same 16 KiB read and generate chunks and TCP_NODELAY. The shape is netd's event loop:
// one thread, non-blocking sockets, one epoll set. Built at -O2 without sanitizers
// (bench/sources.cmake). Only the request parser and CRC-32 are shared with netd (net/host/http).
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

// One accepted connection; the HTTP fields mirror netd.cpp's Session.
struct Session {
    int fd { -1 };
    std::vector<u8> out;      // bytes produced but not yet accepted by send()
    size_t out_offset { 0 };
    host::HttpRequestParser parser;
    bool in_body { false };
    u64 body_left { 0 };
    u64 body_bytes { 0 };
    u32 body_crc { 0 };
    bool keep_alive { true };
    u64 stream_left { 0 };    // /bytes/N still to generate
    u64 stream_state { 0 };
    bool closing { false };   // close once `out` drains
    bool done { false };
    u32 events { 0 };         // the epoll interest set now registered
};

// Everything from here to consume() is netd.cpp's responder, unchanged in behaviour.
u64 next_pattern(u64& s)
{
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
}

std::string page()
{
    return "<!doctype html><html><head><title>Bulwark</title></head><body><h1>Bulwark</h1>"
           "<p>Served by Bulwark's TCP/IP stack (net/) over a TAP device.</p></body></html>\n";
}

void respond(Session& s, int status, const std::string& type, const std::string& body, const std::string& extra = "")
{
    std::string head = "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : status == 404 ? " Not Found" : " Bad Request")
        + "\r\nServer: bulwark-netd\r\nContent-Type: " + type + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n"
        + extra + (s.keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n") + "\r\n";
    s.out.insert(s.out.end(), head.begin(), head.end());
    s.out.insert(s.out.end(), body.begin(), body.end());
}

void start_stream(Session& s, u64 size)
{
    // The CRC goes in a header, so compute it over the same deterministic stream first.
    u64 state = size * 0x9e3779b97f4a7c15ull + 1;
    u32 crc = 0;
    u8 chunk[4096];
    for (u64 left = size; left > 0;) {
        size_t n = size_t(std::min<u64>(left, sizeof chunk));
        for (size_t i = 0; i < n; ++i)
            chunk[i] = u8(next_pattern(state));
        crc = host::crc32_update(crc, chunk, n);
        left -= n;
    }
    char crc_text[16];
    snprintf(crc_text, sizeof crc_text, "%08x", crc);
    std::string head = "HTTP/1.1 200 OK\r\nServer: bulwark-netd\r\nContent-Type: application/octet-stream\r\nContent-Length: "
        + std::to_string(size) + "\r\nX-CRC32: " + crc_text + "\r\n"
        + (s.keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n") + "\r\n";
    s.out.insert(s.out.end(), head.begin(), head.end());
    s.stream_left = size;
    s.stream_state = size * 0x9e3779b97f4a7c15ull + 1;
}

void handle_request(Session& s)
{
    const host::HttpRequest& r = s.parser.request();
    s.keep_alive = r.keep_alive;
    if (r.method == "POST" && r.target == "/sink") {
        s.in_body = true;
        s.body_left = r.content_length;
        s.body_bytes = 0;
        s.body_crc = 0;
        return;
    }
    if (r.method != "GET" && r.method != "HEAD") {
        respond(s, 400, "text/plain", "unsupported method\n");
        return;
    }
    if (r.target == "/" || r.target == "/index.html") {
        respond(s, 200, "text/html", page());
    } else if (r.target.rfind("/bytes/", 0) == 0) {
        std::string n = r.target.substr(7);
        if (n.empty() || n.size() > 10 || n.find_first_not_of("0123456789") != std::string::npos)
            respond(s, 400, "text/plain", "bad size\n");
        else
            start_stream(s, std::stoull(n));
    } else {
        respond(s, 404, "text/plain", "not found\n");
    }
}

void consume(Session& s, const u8* data, size_t length)
{
    size_t at = 0;
    while (at < length && !s.closing) {
        if (s.in_body) {
            size_t n = size_t(std::min<u64>(s.body_left, length - at));
            s.body_crc = host::crc32_update(s.body_crc, data + at, n);
            s.body_bytes += n;
            s.body_left -= n;
            at += n;
            if (s.body_left == 0) {
                s.in_body = false;
                char reply[64];
                snprintf(reply, sizeof reply, "%llu %08x\n", static_cast<unsigned long long>(s.body_bytes), s.body_crc);
                respond(s, 200, "text/plain", reply);
                s.parser.reset();
                if (!s.keep_alive)
                    s.closing = true;
            }
            continue;
        }
        size_t used = 0;
        auto status = s.parser.feed(data + at, length - at, used);
        at += used;
        if (status == host::HttpRequestParser::Status::Bad) {
            s.keep_alive = false;
            respond(s, 400, "text/plain", "bad request\n");
            s.closing = true;
        } else if (status == host::HttpRequestParser::Status::Complete) {
            handle_request(s);
            if (!s.in_body) {
                s.parser.reset();
                if (!s.keep_alive)
                    s.closing = true;
            }
        }
    }
}

// Moves pending output into the socket; generates /bytes/N data as the socket accepts it.
// Returns false when the socket is full (wait for EPOLLOUT) and true when everything is out.
bool flush_output(Session& s)
{
    for (;;) {
        if (s.out_offset == s.out.size()) {
            s.out.clear();
            s.out_offset = 0;
            if (s.stream_left == 0)
                return true;
            size_t n = size_t(std::min<u64>(s.stream_left, 16384));
            s.out.resize(n);
            for (size_t i = 0; i < n; ++i)
                s.out[i] = u8(next_pattern(s.stream_state));
            s.stream_left -= n;
        }
        ssize_t sent = ::send(s.fd, s.out.data() + s.out_offset, s.out.size() - s.out_offset, MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return false;
            s.done = true; // reset by the peer
            return true;
        }
        s.out_offset += size_t(sent);
    }
}

// Level-triggered: readable while the peer may still send, writable while output is blocked.
// A closing session stops watching EPOLLIN (an EOF stays readable and would spin the loop).
void set_interest(int epoll_fd, Session& s, bool blocked)
{
    u32 events = (s.closing ? 0u : u32(EPOLLIN)) | (blocked ? u32(EPOLLOUT) : 0u);
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
    while (!s.closing && !s.done) {
        ssize_t r = ::recv(s.fd, buffer, sizeof buffer, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                s.done = true; // reset: release the socket
            break;
        }
        if (r == 0) { // peer finished sending
            s.closing = true;
            break;
        }
        consume(s, buffer, size_t(r));
    }
    if (s.done)
        return;
    bool drained = flush_output(s);
    if (s.done)
        return;
    if (s.closing && drained)
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
