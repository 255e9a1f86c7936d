#pragma once
// The ACK (original acknowledgement mode) answering a received message:
//
//   MSH|^~\&|<its MSH-5>|<its MSH-6>|<its MSH-3>|<its MSH-4>|<now>||ACK^<its trigger>^ACK|<new id>|<its MSH-11>|
//       <its MSH-12>[||||||<charset>]
//   MSA|AA|<its MSH-10>
//   ERR||<segment^sequence^field…>|<table 0357 code>^<French text>^HL70357|E||||<what is wrong, in French>
//
// Always written with the standard delimiters `|^~\&`: what is copied from the message is decoded, then escaped
// again, so MSA-2 read back is exactly the received MSH-10. It is written in the message's own character set
// (ISO-8859-1 for an 8859/1 message, else UTF-8), declared in MSH-18 when the message declared one or when the
// ACK holds non-ASCII text (our French error texts). A message that could not be used (Message::error) is
// answered with what could be salvaged of its header: MSA-2 is its MSH-10 when that could be read, else empty.
#include "hl7/message.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cordee::hl7 {

enum class AckCode { kAccept, kError, kReject };  // AA, AE, AR
std::string_view AckCodeName(AckCode code);

// The ACK of `received`. `errors` become ERR segments (severity E); with AE or AR and no error, one ERR 207 says
// that the application failed. With AA, `errors` may carry warnings (ERR severity W). `control_id` is the ACK's
// own MSH-10 (the caller's id generator); `now_micros` its MSH-7.
std::string BuildAck(const Message& received, AckCode code, const std::vector<Issue>& errors,
                     std::string_view control_id, int64_t now_micros);

// The answer to a message that cannot be used (!received.ok()): AR with its error (a 207 if it has none).
std::string BuildRejectAck(const Message& received, std::string_view control_id, int64_t now_micros);

}  // namespace cordee::hl7
