#pragma once
// Images attached to notebook entries are decoded and encoded again (DESIGN.md §5): what is stored is
// only pixels, so that metadata (GPS position, camera owner) and anything hidden after or inside the
// image (scripts, polyglot files) are dropped. Decoding is bounded in pixels so that a small file
// claiming a huge picture cannot exhaust memory.
#include <string>
#include <string_view>

namespace cordee::notebook {

constexpr long kMaxImagePixels = 40'000'000;  // 40 Mpx: above any phone camera

// Returns the re-encoded image; throws 415 unsupported-media-type when it cannot be decoded or is too large.
std::string ReencodePng(std::string_view bytes);
std::string ReencodeJpeg(std::string_view bytes);

}  // namespace cordee::notebook
