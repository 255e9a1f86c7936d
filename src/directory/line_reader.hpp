#pragma once
// Streams a national extraction line by line with bounded memory: `\n` or `\r\n` line ends, and each
// line turned into UTF-8 (a line that is not valid UTF-8 is read as ISO-8859-1, as older files are).
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace cordee::directory {

class LineReader {
public:
    // `buffer_bytes` (at least 1) is where reading starts; it doubles for a longer line. Small values are for tests.
    explicit LineReader(const std::string& path, size_t buffer_bytes = 1 << 20);
    bool ok() const { return ok_; }
    uint64_t size() const { return size_; }
    uint64_t position() const { return consumed_; }
    int64_t line_number() const { return line_; }
    bool last_line_unterminated() const { return unterminated_; }
    // Next line without its end, in UTF-8; false at the end of the file.
    bool Next(std::string& line);

private:
    bool Fill();
    std::ifstream in_;
    bool ok_ = false;
    uint64_t size_ = 0, consumed_ = 0;
    int64_t line_ = 0;
    bool unterminated_ = false, eof_ = false;
    std::vector<char> buf_;
    size_t begin_ = 0, end_ = 0;
};

std::string Latin1ToUtf8(std::string_view s);
// Splits on `sep` into views of `line` (which must outlive them).
void SplitFields(std::string_view line, char sep, std::vector<std::string_view>& out);

}  // namespace cordee::directory
