#pragma once
// Images attached to notebook entries are decoded and encoded again (DESIGN.md §5): what is stored is
// only pixels, so that metadata (GPS position, camera owner) and anything hidden after or inside the
// image (scripts, polyglot files) are dropped. Decoding is bounded in pixels so that a small file
// claiming a huge picture cannot exhaust memory.
#include <chrono>
#include <semaphore>
#include <string>
#include <string_view>
#include <utility>

namespace cordee::notebook {

constexpr long kMaxImagePixels = 40'000'000;  // 40 Mpx: above any phone camera

// At most N images decoded at once (setting image_decodes, one per core by default): each decode holds its pixels
// (4 bytes a pixel: up to 160 MB), so that 32 large images uploaded together cannot pin gigabytes. An upload that
// finds every slot taken waits for one, up to `wait`; then 503 server-busy with Retry-After (it never fails at once).
class DecodeSlots {
public:
    explicit DecodeSlots(int slots, std::chrono::milliseconds wait = std::chrono::minutes(2))
        : free_(slots), wait_(wait) {}
    class Slot {
    public:
        explicit Slot(DecodeSlots* owner) : owner_(owner) {}
        Slot(Slot&& o) noexcept : owner_(std::exchange(o.owner_, nullptr)) {}
        Slot(const Slot&) = delete;
        Slot& operator=(const Slot&) = delete;
        Slot& operator=(Slot&&) = delete;
        ~Slot() {
            if (owner_) owner_->free_.release();
        }

    private:
        DecodeSlots* owner_;
    };
    Slot Acquire();

private:
    std::counting_semaphore<1024> free_;
    std::chrono::milliseconds wait_;
};

// Returns the re-encoded image; throws 415 unsupported-media-type when it cannot be decoded or is too large.
std::string ReencodePng(std::string_view bytes);
std::string ReencodeJpeg(std::string_view bytes);

}  // namespace cordee::notebook
