#include "directory/line_reader.hpp"

#include "common/text.hpp"

#include <algorithm>
#include <cstring>

namespace cordee::directory {

LineReader::LineReader(const std::string& path, size_t buffer_bytes)
    : in_(path, std::ios::binary), buf_(std::max<size_t>(buffer_bytes, 1)) {
    ok_ = static_cast<bool>(in_);
    if (ok_) {
        in_.seekg(0, std::ios::end);
        size_ = static_cast<uint64_t>(in_.tellg());
        in_.seekg(0);
    }
}

bool LineReader::Fill() {
    if (eof_) return false;
    // Keep the unfinished line at the front, read more behind it; grow only for a line longer than the buffer.
    const size_t left = end_ - begin_;
    if (begin_ > 0) std::memmove(buf_.data(), buf_.data() + begin_, left);
    begin_ = 0;
    end_ = left;
    if (end_ == buf_.size()) buf_.resize(buf_.size() * 2);
    in_.read(buf_.data() + end_, static_cast<std::streamsize>(buf_.size() - end_));
    const auto n = static_cast<size_t>(in_.gcount());
    if (n == 0) eof_ = true;
    end_ += n;
    return n > 0;
}

bool LineReader::Next(std::string& line) {
    for (;;) {
        const char* start = buf_.data() + begin_;
        const void* nl = std::memchr(start, '\n', end_ - begin_);
        if (nl) {
            const size_t len = static_cast<const char*>(nl) - start;
            std::string_view raw(start, len);
            if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
            line = IsValidUtf8(raw) ? std::string(raw) : Latin1ToUtf8(raw);
            begin_ += len + 1;
            consumed_ += len + 1;
            ++line_;
            return true;
        }
        if (!Fill()) {
            if (begin_ == end_) return false;
            std::string_view raw(buf_.data() + begin_, end_ - begin_);
            if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
            line = IsValidUtf8(raw) ? std::string(raw) : Latin1ToUtf8(raw);
            consumed_ += end_ - begin_;
            begin_ = end_;
            ++line_;
            unterminated_ = true;
            return true;
        }
    }
}

std::string Latin1ToUtf8(std::string_view s) {
    std::string out;
    out.reserve(s.size() + s.size() / 8);
    for (unsigned char c : s) {
        if (c < 0x80) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back(static_cast<char>(0xC0 | (c >> 6)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        }
    }
    return out;
}

void SplitFields(std::string_view line, char sep, std::vector<std::string_view>& out) {
    out.clear();
    size_t start = 0;
    for (;;) {
        const size_t p = line.find(sep, start);
        if (p == std::string_view::npos) {
            out.push_back(line.substr(start));
            return;
        }
        out.push_back(line.substr(start, p - start));
        start = p + 1;
    }
}

}  // namespace cordee::directory
