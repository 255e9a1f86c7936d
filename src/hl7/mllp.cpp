#include "hl7/mllp.hpp"

#include <algorithm>

namespace cordee::hl7 {

MllpFramer::MllpFramer(size_t max_frame, size_t prefix_bytes)
    : max_frame_(max_frame), prefix_bytes_(std::min(prefix_bytes, max_frame)) {}

void MllpFramer::EndGarbage(std::vector<MllpEvent>& out) {
    if (garbage_run_ == 0) return;
    out.push_back(MllpEvent{MllpEvent::Kind::kGarbage, {}, garbage_run_});
    garbage_run_ = 0;
}

void MllpFramer::EndDropped(std::vector<MllpEvent>& out) {
    ++oversize_frames_;
    out.push_back(MllpEvent{MllpEvent::Kind::kOversize, std::move(frame_), frame_bytes_});
    frame_.clear();
}

void MllpFramer::StartFrame(std::vector<MllpEvent>& out) {
    if (state_ == State::kFrame) {  // a new start block before the end of the last frame: the sender began again
        ++unterminated_frames_;
        out.push_back(MllpEvent{MllpEvent::Kind::kUnterminated, std::move(frame_), frame_bytes_});
    } else if (state_ == State::kDropping) {
        EndDropped(out);
    }
    EndGarbage(out);
    frame_.clear();
    frame_bytes_ = 0;
    state_ = State::kFrame;
}

void MllpFramer::Feed(std::string_view in, std::vector<MllpEvent>& out) {
    size_t i = 0;
    while (i < in.size()) {
        switch (state_) {
            case State::kAfterEnd:
                state_ = State::kOutside;
                if (in[i] == kMllpEndCr) ++i;
                break;
            case State::kOutside: {
                const size_t start = std::min(in.find(kMllpStart, i), in.size());
                garbage_run_ += start - i;
                garbage_bytes_ += start - i;
                i = start;
                if (i < in.size()) {
                    StartFrame(out);
                    ++i;
                }
                break;
            }
            case State::kFrame:
            case State::kDropping: {
                // Up to the next block character; the bytes before it belong to the frame.
                const size_t stop = std::min(in.find_first_of(std::string_view("\x0B\x1C", 2), i), in.size());
                const std::string_view chunk = in.substr(i, stop - i);
                frame_bytes_ += chunk.size();
                if (state_ == State::kFrame && frame_bytes_ > max_frame_) {
                    // Keep only the first bytes: enough to read the header, never the whole oversize frame.
                    frame_.append(chunk.substr(0, prefix_bytes_ > frame_.size() ? prefix_bytes_ - frame_.size() : 0));
                    frame_.resize(std::min(frame_.size(), prefix_bytes_));
                    frame_.shrink_to_fit();
                    state_ = State::kDropping;
                } else if (state_ == State::kFrame) {
                    frame_.append(chunk);
                } else if (frame_.size() < prefix_bytes_) {
                    frame_.append(chunk.substr(0, prefix_bytes_ - frame_.size()));
                }
                i = stop;
                if (i == in.size()) break;
                if (in[i] == kMllpStart) {
                    StartFrame(out);
                    ++i;
                    break;
                }
                ++i;  // the end block
                if (state_ == State::kDropping) {
                    EndDropped(out);
                } else {
                    ++messages_;
                    out.push_back(MllpEvent{MllpEvent::Kind::kMessage, std::move(frame_), frame_bytes_});
                    frame_.clear();
                }
                frame_bytes_ = 0;
                state_ = State::kAfterEnd;
                break;
            }
        }
    }
}

void MllpFramer::Finish(std::vector<MllpEvent>& out) {
    if (state_ == State::kFrame) {
        ++unterminated_frames_;
        out.push_back(MllpEvent{MllpEvent::Kind::kUnterminated, std::move(frame_), frame_bytes_});
    } else if (state_ == State::kDropping) {
        EndDropped(out);
    }
    EndGarbage(out);
    frame_.clear();
    frame_bytes_ = 0;
    state_ = State::kOutside;
}

std::string MllpFrame(std::string_view message) {
    std::string r;
    r.reserve(message.size() + 3);
    r += kMllpStart;
    r += message;
    r += kMllpEnd;
    r += kMllpEndCr;
    return r;
}

}  // namespace cordee::hl7
