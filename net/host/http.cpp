// Incremental HTTP/1.x request-head parser and CRC-32 for bulwark-netd.
#include "net/host/http.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <sstream>

namespace net::host {

namespace {

std::string lowercase(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

std::string trim(const std::string& s)
{
    size_t b = s.find_first_not_of(" \t");
    size_t e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

} // namespace

void HttpRequestParser::reset()
{
    m_buffer.clear();
    m_request = HttpRequest {};
}

HttpRequestParser::Status HttpRequestParser::feed(const uint8_t* data, size_t length, size_t& consumed)
{
    consumed = 0;
    while (consumed < length) {
        m_buffer.push_back(char(data[consumed++]));
        size_t n = m_buffer.size();
        if (n >= 4 && m_buffer.compare(n - 4, 4, "\r\n\r\n") == 0)
            return finish();
        if (n > max_header_bytes)
            return Status::Bad;
    }
    return Status::NeedMore;
}

HttpRequestParser::Status HttpRequestParser::finish()
{
    std::istringstream lines(m_buffer);
    std::string line;
    if (!std::getline(lines, line))
        return Status::Bad;
    std::istringstream request_line(trim(line));
    std::string version;
    if (!(request_line >> m_request.method >> m_request.target >> version) || version.rfind("HTTP/1.", 0) != 0)
        return Status::Bad;
    // HTTP/1.1 keeps the connection by default; 1.0 only when asked (RFC 9112 §9.3).
    m_request.keep_alive = version == "HTTP/1.1";
    while (std::getline(lines, line)) {
        line = trim(line);
        if (line.empty())
            break;
        size_t colon = line.find(':');
        if (colon == std::string::npos)
            return Status::Bad;
        std::string name = lowercase(trim(line.substr(0, colon)));
        std::string value = trim(line.substr(colon + 1));
        if (name == "connection") {
            std::string v = lowercase(value);
            if (v == "close")
                m_request.keep_alive = false;
            else if (v == "keep-alive")
                m_request.keep_alive = true;
        } else if (name == "content-length") {
            if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos || value.size() > 12)
                return Status::Bad;
            m_request.content_length = std::stoull(value);
        }
    }
    return Status::Complete;
}

namespace {

// The /bytes/N stream: xorshift64 seeded from N, one byte per step.
uint64_t stream_seed(uint64_t size) { return size * 0x9e3779b97f4a7c15ull + 1; }
uint8_t next_stream_byte(uint64_t& s)
{
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return uint8_t(s);
}

const char* page()
{
    return "<!doctype html><html><head><title>Bulwark</title></head><body><h1>Bulwark</h1>"
           "<p>Served by Bulwark's TCP/IP stack (net/) over a TAP device.</p></body></html>\n";
}

} // namespace

void Responder::respond(int status, const std::string& type, const std::string& body)
{
    m_out += "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : status == 404 ? " Not Found" : " Bad Request")
        + "\r\nServer: bulwark-netd\r\nContent-Type: " + type + "\r\nContent-Length: " + std::to_string(body.size())
        + "\r\n" + (m_keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n") + "\r\n" + body;
}

void Responder::start_stream(uint64_t size)
{
    // The CRC goes in a header, so compute it over the same deterministic stream first.
    uint64_t state = stream_seed(size);
    uint32_t crc = 0;
    uint8_t chunk[4096];
    for (uint64_t left = size; left > 0;) {
        size_t n = size_t(std::min<uint64_t>(left, sizeof chunk));
        for (size_t i = 0; i < n; ++i)
            chunk[i] = next_stream_byte(state);
        crc = crc32_update(crc, chunk, n);
        left -= n;
    }
    char crc_text[16];
    snprintf(crc_text, sizeof crc_text, "%08x", crc);
    m_out += "HTTP/1.1 200 OK\r\nServer: bulwark-netd\r\nContent-Type: application/octet-stream\r\nContent-Length: "
        + std::to_string(size) + "\r\nX-CRC32: " + crc_text + "\r\n"
        + (m_keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n") + "\r\n";
    m_stream_left = size;
    m_stream_state = stream_seed(size);
}

void Responder::handle_request()
{
    const HttpRequest& r = m_parser.request();
    m_keep_alive = r.keep_alive;
    if (r.method == "POST" && r.target == "/sink") {
        m_in_body = true;
        m_body_left = r.content_length;
        m_body_bytes = 0;
        m_body_crc = 0;
        return;
    }
    if (r.method != "GET" && r.method != "HEAD") {
        respond(400, "text/plain", "unsupported method\n");
        return;
    }
    if (r.target == "/" || r.target == "/index.html") {
        respond(200, "text/html", page());
    } else if (r.target.rfind("/bytes/", 0) == 0) {
        std::string n = r.target.substr(7);
        if (n.empty() || n.size() > 10 || n.find_first_not_of("0123456789") != std::string::npos)
            respond(400, "text/plain", "bad size\n");
        else
            start_stream(std::stoull(n));
    } else {
        respond(404, "text/plain", "not found\n");
    }
}

void Responder::consume(const uint8_t* data, size_t length)
{
    switch (m_kind) {
    case Kind::Discard:
        return;
    case Kind::Echo:
        m_out.append(reinterpret_cast<const char*>(data), length);
        return;
    case Kind::Http:
        consume_http(data, length);
        return;
    }
}

void Responder::consume_http(const uint8_t* data, size_t length)
{
    size_t at = 0;
    while (at < length && !m_closing) {
        if (m_in_body) {
            size_t n = size_t(std::min<uint64_t>(m_body_left, length - at));
            m_body_crc = crc32_update(m_body_crc, data + at, n);
            m_body_bytes += n;
            m_body_left -= n;
            at += n;
            if (m_body_left == 0) {
                m_in_body = false;
                char reply[64];
                snprintf(reply, sizeof reply, "%llu %08x\n", static_cast<unsigned long long>(m_body_bytes), m_body_crc);
                respond(200, "text/plain", reply);
                m_parser.reset();
                m_closing = !m_keep_alive;
            }
            continue;
        }
        size_t used = 0;
        auto status = m_parser.feed(data + at, length - at, used);
        at += used;
        if (status == HttpRequestParser::Status::Bad) {
            m_keep_alive = false;
            respond(400, "text/plain", "bad request\n");
            m_closing = true;
        } else if (status == HttpRequestParser::Status::Complete) {
            handle_request();
            if (!m_in_body) {
                m_parser.reset();
                m_closing = !m_keep_alive;
            }
        }
    }
}

const uint8_t* Responder::pending(size_t& length)
{
    if (m_out_offset == m_out.size()) {
        m_out.clear();
        m_out_offset = 0;
        size_t n = size_t(std::min<uint64_t>(m_stream_left, 16384));
        for (size_t i = 0; i < n; ++i)
            m_out.push_back(char(next_stream_byte(m_stream_state)));
        m_stream_left -= n;
    }
    length = m_out.size() - m_out_offset;
    return reinterpret_cast<const uint8_t*>(m_out.data()) + m_out_offset;
}

uint32_t crc32_update(uint32_t crc, const uint8_t* data, size_t length)
{
    static const std::array<uint32_t, 256> table = [] {
        std::array<uint32_t, 256> t {};
        for (uint32_t i = 0; i < 256; ++i) {
            uint32_t c = i;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    crc = ~crc;
    for (size_t i = 0; i < length; ++i)
        crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

} // namespace net::host
