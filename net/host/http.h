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

// CRC-32 as zlib computes it (IEEE 802.3 polynomial, reflected), incrementally.
uint32_t crc32_update(uint32_t crc, const uint8_t* data, size_t length);

} // namespace net::host
