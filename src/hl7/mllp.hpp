#pragma once
// MLLP (Minimal Lower Layer Protocol, HL7 v2 over TCP): each message is sent as 0x0B, message, 0x1C 0x0D.
// MllpFramer is the pure part of a listener: it is fed bytes as they arrive (a frame split over many reads,
// several frames in one read) and gives back, in order, the complete messages and what went wrong on the way.
// What it gives depends only on the bytes, never on how they were split into reads.
//
//  - bytes before a start block are skipped and reported once per run (kGarbage, with their count);
//  - a frame larger than the bound is dropped: its bytes are not kept, and when it ends (its end block, or the
//    next start block where the framer resyncs) it is reported (kOversize) with its first bytes, so that the
//    listener can still answer AR naming its MSH-10 (Message::Parse reads the header of a prefix);
//  - a start block inside a frame means the sender began again: the unfinished frame is reported
//    (kUnterminated) and the new one read;
//  - Finish() at the connection's end reports an unfinished frame (kUnterminated) or trailing garbage.
// The frame ends at 0x1C; the 0x0D after it is consumed when it comes (a missing one is tolerated), so that a
// message is given as soon as its 0x1C is read.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cordee::hl7 {

inline constexpr char kMllpStart = 0x0B;
inline constexpr char kMllpEnd = 0x1C;
inline constexpr char kMllpEndCr = 0x0D;

struct MllpEvent {
    enum class Kind { kMessage, kGarbage, kOversize, kUnterminated };
    Kind kind = Kind::kMessage;
    std::string data;    // kMessage: the message; kOversize: its first bytes; kUnterminated: what was received
    uint64_t bytes = 0;  // size of the message, of the garbage run, or of the dropped frame

    bool operator==(const MllpEvent&) const = default;
};

class MllpFramer {
public:
    // Frames of more than `max_frame` bytes (between the blocks) are dropped; `prefix_bytes` of them are kept.
    explicit MllpFramer(size_t max_frame = 1 << 20, size_t prefix_bytes = 4096);

    // Reads `bytes`, appending to `out` what they complete.
    void Feed(std::string_view bytes, std::vector<MllpEvent>& out);
    // The connection ended: what was left unfinished.
    void Finish(std::vector<MllpEvent>& out);

    // Counters since construction (for the listener's metrics).
    uint64_t messages() const { return messages_; }
    uint64_t garbage_bytes() const { return garbage_bytes_; }
    uint64_t oversize_frames() const { return oversize_frames_; }
    uint64_t unterminated_frames() const { return unterminated_frames_; }
    // True while a frame has begun and not ended (a listener's idle time-out may care).
    bool in_frame() const { return state_ == State::kFrame || state_ == State::kDropping; }

private:
    enum class State { kOutside, kFrame, kDropping, kAfterEnd };
    void StartFrame(std::vector<MllpEvent>& out);
    void EndGarbage(std::vector<MllpEvent>& out);
    void EndDropped(std::vector<MllpEvent>& out);

    size_t max_frame_, prefix_bytes_;
    State state_ = State::kOutside;
    std::string frame_;         // the frame being read (kFrame) or the first bytes of a dropped one (kDropping)
    uint64_t frame_bytes_ = 0;  // bytes of the current frame so far
    uint64_t garbage_run_ = 0;  // bytes skipped since the last frame
    uint64_t messages_ = 0, garbage_bytes_ = 0, oversize_frames_ = 0, unterminated_frames_ = 0;
};

// `message` between the MLLP blocks, ready to write to the socket.
std::string MllpFrame(std::string_view message);

}  // namespace cordee::hl7
