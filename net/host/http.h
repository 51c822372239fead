// The small HTTP/1.x responder's request side (RFC 9112): just enough to serve GET /, GET
// /bytes/N and POST /sink to curl and ab, with keep-alive. Host-only (bulwark-netd).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace net::host {

struct HttpRequest {
    std::string method;
    std::string target;
    bool keep_alive { false };
    uint64_t content_length { 0 };
};

// Feeds bytes in; a request is complete when its header block has ended. Headers beyond
// max_header_bytes, or a malformed request line, make the parser fail (the connection is closed).
class HttpRequestParser {
public:
    static constexpr size_t max_header_bytes = 8192;
    enum class Status { NeedMore, Complete, Bad };

    // Consumes bytes from `data` up to the end of the header block; `consumed` says how many.
    Status feed(const uint8_t* data, size_t length, size_t& consumed);
    const HttpRequest& request() const { return m_request; }
    void reset();

private:
    Status finish();
    std::string m_buffer;
    HttpRequest m_request;
};

// What one connection's service sends back: TCP echo, discard, or the HTTP responder (GET /,
// GET /bytes/N with an X-CRC32 header, POST /sink answering "N crc"). Shared by bulwark-netd and
// the Linux baseline server in bench/, so both put the same bytes on the wire.
class Responder {
public:
    enum class Kind { Echo, Discard, Http };
    explicit Responder(Kind kind) : m_kind(kind) { }

    // Bytes received from the peer.
    void consume(const uint8_t* data, size_t length);
    // The peer finished sending: close once everything pending is sent.
    void peer_finished() { m_closing = true; }
    // The bytes to send next (generating /bytes/N data on demand); empty when nothing is pending.
    const uint8_t* pending(size_t& length);
    // `count` bytes of pending() were accepted by the connection.
    void sent(size_t count) { m_out_offset += count; }
    // True once no more input is wanted (a reply ends the connection, the peer finished, or a bad
    // request); the connection closes when pending() is also empty.
    bool closing() const { return m_closing; }
    bool finished() const { return m_closing && m_out_offset == m_out.size() && m_stream_left == 0; }

private:
    void respond(int status, const std::string& type, const std::string& body);
    void start_stream(uint64_t size);
    void handle_request();
    void consume_http(const uint8_t* data, size_t length);

    Kind m_kind;
    std::string m_out;        // bytes produced but not yet sent
    size_t m_out_offset { 0 };
    HttpRequestParser m_parser;
    bool m_in_body { false };
    uint64_t m_body_left { 0 };
    uint64_t m_body_bytes { 0 };
    uint32_t m_body_crc { 0 };
    bool m_keep_alive { true };
    uint64_t m_stream_left { 0 }; // /bytes/N still to generate
    uint64_t m_stream_state { 0 };
    bool m_closing { false };
};

// CRC-32 as zlib computes it (IEEE 802.3 polynomial, reflected), incrementally.
uint32_t crc32_update(uint32_t crc, const uint8_t* data, size_t length);

} // namespace net::host
