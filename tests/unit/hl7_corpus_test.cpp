// The PAM-FR corpus of tests/fixtures/hl7 (its README lists the files): every message parses with no error and no
// warning, in the PAM view too, is answered by an ACK naming its MSH-10; key fields of several are checked.
#include "common/time.hpp"
#include "hl7/ack.hpp"
#include "hl7/pam.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

using namespace cordee;
using namespace cordee::hl7;

namespace {

const std::filesystem::path kDir = std::filesystem::path(CORDEE_FIXTURES) / "hl7";

std::string ReadFile(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

Message Fixture(const char* name) {
    Message m = Message::Parse(ReadFile(kDir / name));
    REQUIRE(m.ok());
    return m;
}

}  // namespace

TEST_CASE("hl7 corpus: every file parses with no error and no warning, and its ACK names its MSH-10") {
    std::map<std::string, int> triggers;
    int files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(kDir)) {
        if (entry.path().extension() != ".hl7") continue;
        ++files;
        const std::string name = entry.path().filename().string();
        CAPTURE(name);
        const std::string text = ReadFile(entry.path());
        CHECK(text.find('\n') == std::string::npos);  // segments end with \r
        CHECK(text.back() == '\r');
        const Message m = Message::Parse(text);
        REQUIRE(m.ok());
        CHECK(m.warnings().empty());
        const Header& h = m.header();
        CHECK(h.type == "ADT");
        CHECK(h.version == "2.5");
        CHECK(h.version_country == "FRA");
        CHECK(h.version_national == "2.11");
        CHECK(h.time);
        // The file is named after its trigger.
        std::string lower = h.trigger;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) { return static_cast<char>(std::tolower(c)); });
        CHECK(name.rfind(lower + "_", 0) == 0);
        ++triggers[h.trigger];
        const PamMessage pam = ReadPam(m);
        for (const Issue& w : pam.warnings) CHECK_MESSAGE(false, w.text);
        REQUIRE(pam.patient);
        CHECK(!pam.patient->identifiers.empty());
        CHECK(pam.patient->FirstOfType("PI"));
        CHECK(!pam.patient->reliability.empty());
        if (pam.movement) {
            CHECK(pam.movement->action != MovementAction::kNone);
            CHECK(pam.movement->time);
        }
        const std::string ack = BuildAck(m, AckCode::kAccept, {}, "ACK1", NowMicros());
        const Message back = Message::Parse(ack);
        REQUIRE(back.ok());
        CHECK(back.Find("MSA")->Get(2) == h.control_id);
        CHECK(back.header().receiving_facility.namespace_id == h.sending_facility.namespace_id);
    }
    CHECK(files >= 26);
    for (const char* t : {"A28", "A31", "A47", "A40", "A01", "A04", "A05", "A02", "A03", "A06", "A07", "A21", "A22",
                          "A54", "A11", "A12", "A13", "A38", "A52", "A53", "A55", "Z99"})
        CHECK_MESSAGE(triggers[t] > 0, t);
}

TEST_CASE("hl7 corpus: the admission of Hélène Dupont at the CHU de Reims") {
    const Message m = Fixture("a01_admit.hl7");
    CHECK(m.charset() == Charset::kUtf8);
    CHECK(m.header().control_id == "REI000112");
    CHECK(m.header().sending_facility.universal_id == "1.2.250.1.999.519990001");
    CHECK(m.header().time->utc_micros == *ParseRfc3339("2024-03-15T13:27:00Z"));
    const PamMessage pam = ReadPam(m);
    const Patient& p = *pam.patient;
    CHECK(p.FirstOfType("PI")->value == "510012345");
    CHECK(p.FirstOfType("PI")->authority_oid == "1.2.250.1.999.519990001.1");
    REQUIRE(p.Ins());
    CHECK(p.Ins()->value == "252035145412331");
    CHECK(p.Ins()->authority_oid == kInsTestNirOid);
    CHECK(p.InsTrusted());
    CHECK(p.NameOfType("L")->family == "DUPONT");
    CHECK(p.NameOfType("L")->given == "Hélène");
    CHECK(p.NameOfType("L")->further_given == "Hélène Marie");
    CHECK(p.NameOfType("D")->family == "LEFEBVRE");
    CHECK((p.birth->year == 1952 && p.birth->month == 3 && p.birth->day == 14));
    CHECK(p.birth->precision == Precision::kDay);
    CHECK(p.sex == "F");
    REQUIRE(p.addresses.size() == 2);
    CHECK(p.addresses[0].other == "Bât. C & D");  // \T\ in the file
    CHECK(p.addresses[1].type == "BDL");
    CHECK(p.addresses[1].county == "51454");
    CHECK(p.phones[0].number == "0326000001");
    CHECK(p.phones[1].email == "helene.lefebvre@example.fr");
    const Visit& v = *pam.visit;
    CHECK(v.patient_class == "I");
    CHECK(v.location.point_of_care == "CARDIO");
    CHECK(v.location.room == "201");
    CHECK(v.location.facility == "519990001");
    CHECK(v.visit_number.value == "V240001234");
    CHECK(v.visit_number.type == "AN");
    CHECK(v.admit_time->utc_micros == *ParseRfc3339("2024-03-15T13:25:00Z"));
    CHECK(v.expected_discharge->day == 22);
    const Movement& mv = *pam.movement;
    CHECK(mv.id.value == "MVT0002");
    CHECK(mv.id.authority_oid == "1.2.250.1.999.519990001.3");
    CHECK(mv.action == MovementAction::kInsert);
    CHECK(mv.medical_ward.code == "4012");
    CHECK(mv.medical_ward.name == "CARDIOLOGIE");
    REQUIRE(pam.roles.size() == 1);
    CHECK(pam.roles[0].role_code == "FHCP");
    CHECK(pam.roles[0].rpps == "10101234567");
    CHECK(pam.roles[0].family == "BERNARD");
}

TEST_CASE("hl7 corpus: cancellations and the update name the movement and the trigger they change") {
    const std::map<std::string, std::pair<std::string, std::string>> expected{
        {"a11_cancel_admit.hl7", {"MVT0002", "A01"}},    {"a12_cancel_transfer.hl7", {"MVT0003", "A02"}},
        {"a13_cancel_discharge.hl7", {"MVT0007", "A03"}}, {"a38_cancel_preadmit.hl7", {"MVT0001", "A05"}},
        {"a52_cancel_leave_out.hl7", {"MVT0005", "A21"}}, {"a53_cancel_return.hl7", {"MVT0006", "A22"}},
        {"a55_cancel_attending.hl7", {"MVT0004", "A54"}}};
    for (const auto& [file, movement] : expected) {
        CAPTURE(file);
        const PamMessage pam = ReadPam(Fixture(file.c_str()));
        REQUIRE(pam.movement);
        CHECK(pam.movement->action == MovementAction::kCancel);
        CHECK(pam.movement->id.value == movement.first);
        CHECK(pam.movement->original_trigger == movement.second);
    }
    const PamMessage update = ReadPam(Fixture("z99_update_transfer.hl7"));
    CHECK(update.movement->action == MovementAction::kUpdate);
    CHECK(update.movement->original_trigger == "A02");
    CHECK(update.movement->time->utc_micros == *ParseRfc3339("2024-03-17T08:45:00Z"));
    const PamMessage discharge = ReadPam(Fixture("a03_discharge.hl7"));
    CHECK(discharge.visit->discharge_time->utc_micros == *ParseRfc3339("2024-03-22T09:30:00Z"));
    const PamMessage zoned = ReadPam(Fixture("a07_inpatient_to_outpatient.hl7"));
    CHECK(zoned.movement->time->offset_minutes == 60);
}

TEST_CASE("hl7 corpus: identities of the CH de Troyes in ISO 8859-1, statuses, merges and identifier changes") {
    const Message girard = Fixture("a28_create_provisional_8859.hl7");
    CHECK(girard.charset() == Charset::kLatin1);
    CHECK(girard.header().charset_declared == "8859/1");
    const PamMessage g = ReadPam(girard);
    CHECK(g.patient->NameOfType("L")->given == "Jean-Pierre");
    CHECK(g.patient->NameOfType("L")->further_given == "Jean-Pierre André");
    CHECK(g.patient->addresses[0].street == "4 rue de l'Église");
    CHECK(!g.patient->Ins());
    CHECK(g.patient->HasReliability("PROV"));
    // The Troyes ACK is in 8859/1 too.
    const std::string ack = BuildAck(girard, AckCode::kError, {{Location{"PID", 1, 7}, ErrorCode::kDataType, "Date érronée."}},
                                     "A", NowMicros());
    CHECK(ack.find("||||||8859/1\r") != std::string::npos);
    CHECK(ack.find("Date \xE9rron\xE9" "e.") != std::string::npos);

    const PamMessage doubtful = ReadPam(Fixture("a28_create_doubtful.hl7"));
    CHECK(doubtful.patient->NameOfType("L")->family == "CŒUR");
    CHECK(doubtful.patient->Ins());
    CHECK(!doubtful.patient->InsTrusted());  // PROV~DOUT: the INS is not to be trusted
    CHECK(doubtful.patient->reliability == std::vector<std::string>{"PROV", "DOUT"});
    CHECK(doubtful.patient->addresses[1].county == "99352");

    const PamMessage fictitious = ReadPam(Fixture("a28_create_fictitious_8859.hl7"));
    CHECK(fictitious.patient->HasReliability("FICT"));
    CHECK(fictitious.patient->birth->precision == Precision::kYear);

    const PamMessage merge = ReadPam(Fixture("a40_merge.hl7"));
    CHECK(merge.patient->FirstOfType("PI")->value == "510034567");
    CHECK(merge.merge->prior_identifiers.at(0).value == "510099998");
    CHECK(merge.merge->prior_identifiers.at(0).type == "PI");
    const PamMessage change = ReadPam(Fixture("a47_change_identifier.hl7"));
    CHECK(change.merge->prior_identifiers.at(0).value == "510023455");

    const PamMessage update = ReadPam(Fixture("a31_update_identity.hl7"));
    CHECK(update.roles.at(0).action == "UP");
    CHECK(update.roles.at(0).rpps == "10109876543");
    CHECK(update.roles.at(0).given == "Étienne");

    // Admitted late, on the night summer time begins: 03:30 in Paris is 01:30 UTC.
    const PamMessage historic = ReadPam(Fixture("a01_admit_historic_8859.hl7"));
    CHECK(historic.movement->historic);
    CHECK(historic.movement->time->utc_micros == *ParseRfc3339("2024-03-31T01:30:00Z"));
    CHECK(historic.visit->admit_time->utc_micros == *ParseRfc3339("2024-03-31T01:30:00Z"));
}
