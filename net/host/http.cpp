// Incremental HTTP/1.x request-head parser and CRC-32 for bulwark-netd.
#include "net/host/http.h"

#include <algorithm>
#include <array>
#include <cctype>
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
