// The territory's usual ranges of vital signs (notebook/vitals): the setting's text read strictly, and the flags.
#include "notebook/vitals.hpp"

#include "common/errors.hpp"

#include <doctest/doctest.h>

using namespace cordee;
using namespace cordee::notebook;

namespace {
std::string MessageOf(std::string_view text) {
    try {
        ParseUsualRanges(text);
    } catch (const Error& e) {
        return e.errors().empty() ? std::string(e.what()) : e.errors().front().field + ": " + e.errors().front().message;
    }
    return "";
}
}  // namespace

TEST_CASE("vital ranges: the default reads, each measure once, decimals too") {
    const auto r = ParseUsualRanges(kDefaultVitalRanges);
    CHECK(r.size() == 7);
    CHECK(r.at("systolic").low == 90);
    CHECK(r.at("systolic").high == 140);
    CHECK(r.at("glycemia").low == doctest::Approx(0.7));
    CHECK(r.count("weight") == 0);  // no usual weight
    CHECK(ParseUsualRanges("").empty());
    CHECK(ParseUsualRanges("spo2=90-100,").size() == 1);
}

TEST_CASE("vital ranges: a wrong part is refused with a message naming it") {
    CHECK(MessageOf("systolic=140-90").find("« systolic=140-90 »") != std::string::npos);
    CHECK(MessageOf("systolic=140-90").find("borne basse") != std::string::npos);
    CHECK(MessageOf("tension=90-140").find("mesure inconnue") != std::string::npos);
    CHECK(MessageOf("systolic90-140").find("« = »") != std::string::npos);
    CHECK(MessageOf("systolic=90").find("« - »") != std::string::npos);
    CHECK(MessageOf("systolic=a-140").find("non numériques") != std::string::npos);
    CHECK(MessageOf("systolic=90-140x").find("non numériques") != std::string::npos);
    CHECK(MessageOf("spo2=50-120").find("hors des valeurs possibles") != std::string::npos);
    CHECK(MessageOf("systolic=90-140").empty());
    CHECK(MessageOf(std::string(2001, 'a')).find("2000") != std::string::npos);
}

TEST_CASE("vital flags: below low is low, above high is high, the bounds themselves are usual") {
    const auto r = ParseUsualRanges("systolic=90-140,spo2=94-100");
    boost::json::object v{{"systolic", 141}, {"spo2", 93.5}, {"heart_rate", 200}};
    const auto f = VitalFlags(v, r);
    CHECK(f.size() == 2);
    CHECK(f.at("systolic").as_string() == "high");
    CHECK(f.at("spo2").as_string() == "low");
    CHECK(VitalFlags({{"systolic", 140}, {"spo2", 94}}, r).empty());
    CHECK(VitalFlags({{"systolic", 89}}, r).at("systolic").as_string() == "low");
}
