// ACKs (src/hl7/ack): the exact text for AA, AE and AR, header fields swapped and escaped again, MSA-2 equal to
// the received MSH-10 when read back, ERR with the HL7 location and table 0357 code, the sender's character set,
// and the answer to messages that could not be used. Pure.
#include "common/time.hpp"
#include "hl7/ack.hpp"
#include "hl7/mllp.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace cordee;
using namespace cordee::hl7;

namespace {

const std::string kReceived =
    "MSH|^~\\&|GAM_REIMS|CHU_REIMS^1.2.250.1.999.519990001^ISO|CORDEE|CORDEE_GCS|20240315142700||ADT^A01^ADT_A01|"
    "CTRL0001|P|2.5^FRA^2.11|||AL|NE|FRA|UNICODE UTF-8\rPID|1\r";
const std::string kAckMsh =
    "MSH|^~\\&|CORDEE|CORDEE_GCS|GAM_REIMS|CHU_REIMS^1.2.250.1.999.519990001^ISO|20240315143000+0100||ACK^A01^ACK|"
    "ACK0001|P|2.5^FRA^2.11||||||UNICODE UTF-8\r";

int64_t Now() { return *ParseRfc3339("2024-03-15T13:30:00Z"); }

// The MSA-2 of an ACK, read back by our own parser.
std::string Msa2(const std::string& ack) {
    const Message m = Message::Parse(ack);
    REQUIRE(m.ok());
    REQUIRE(m.Find("MSA"));
    return m.Find("MSA")->Get(2);
}

}  // namespace

TEST_CASE("hl7 ack AA: sending and receiving swapped, the caller's control id, same version and processing id") {
    const Message m = Message::Parse(kReceived);
    REQUIRE(m.ok());
    const std::string ack = BuildAck(m, AckCode::kAccept, {}, "ACK0001", Now());
    CHECK(ack == kAckMsh + "MSA|AA|CTRL0001\r");
    CHECK(Msa2(ack) == "CTRL0001");
    CHECK(MllpFrame(ack) == "\x0b" + ack + "\x1c\x0d");
    // A plain ASCII sender that declared nothing gets an ACK that declares nothing.
    const Message ascii = Message::Parse("MSH|^~\\&|APP|FAC|CORDEE|GCS|20240101||ADT^A28^ADT_A05|42|T|2.5\r");
    CHECK(BuildAck(ascii, AckCode::kAccept, {}, "7", Now()) ==
          "MSH|^~\\&|CORDEE|GCS|APP|FAC|20240315143000+0100||ACK^A28^ACK|7|T|2.5\rMSA|AA|42\r");
}

TEST_CASE("hl7 ack AE and AR: one ERR per error with its location, table 0357 code and a French text") {
    const Message m = Message::Parse(kReceived);
    const std::vector<Issue> errors{
        {Location{"PID", 1, 7}, ErrorCode::kDataType, "Date de naissance invalide : 30 février 1952."},
        {Location{"ZBE", 1, 4}, ErrorCode::kTableValueNotFound, "Action « MOVE » : INSERT, UPDATE ou CANCEL attendu."}};
    CHECK(BuildAck(m, AckCode::kError, errors, "ACK0001", Now()) ==
          kAckMsh + "MSA|AE|CTRL0001\r"
                    "ERR||PID^1^7|102^Erreur de type de donnée^HL70357|E||||Date de naissance invalide : 30 février 1952.\r"
                    "ERR||ZBE^1^4|103^Valeur absente de la table^HL70357|E||||Action « MOVE » : INSERT, UPDATE ou CANCEL attendu.\r");
    CHECK(BuildAck(m, AckCode::kReject, {{Location{"MSH", 1, 12}, ErrorCode::kUnsupportedVersion, "Version 2.3 : 2.5 attendue."}},
                   "ACK0001", Now()) ==
          kAckMsh + "MSA|AR|CTRL0001\rERR||MSH^1^12|203^Version non prise en charge^HL70357|E||||Version 2.3 : 2.5 attendue.\r");
    // Not accepted and no reason given: the application failed, and says so.
    CHECK(BuildAck(m, AckCode::kError, {}, "ACK0001", Now()) ==
          kAckMsh + "MSA|AE|CTRL0001\rERR|||207^Erreur interne de l'application^HL70357|E||||Le message n'a pas pu être traité.\r");
    // Accepted with warnings: ERR of severity W.
    CHECK(BuildAck(m, AckCode::kAccept, {{Location{"PID", 1, 8}, ErrorCode::kTableValueNotFound, "Sexe inconnu."}}, "ACK0001",
                   Now()) ==
          kAckMsh + "MSA|AA|CTRL0001\rERR||PID^1^8|103^Valeur absente de la table^HL70357|W||||Sexe inconnu.\r");
}

TEST_CASE("hl7 ack: what is copied is escaped again, with the standard delimiters, and reads back the same") {
    const Message m = Message::Parse(
        "MSH|^~\\&|APP\\T\\1|FAC^1.2.3^ISO|RCV|RFAC|20240101||ADT^A01|ID\\S\\1\\E\\2\\F\\3|P|2.5\r");
    REQUIRE(m.ok());
    CHECK(m.header().control_id == "ID^1\\2|3");
    const std::string ack = BuildAck(m, AckCode::kAccept, {}, "A|1", Now());
    CHECK(ack == "MSH|^~\\&|RCV|RFAC|APP\\T\\1|FAC^1.2.3^ISO|20240315143000+0100||ACK^A01^ACK|A\\F\\1|P|2.5\r"
                 "MSA|AA|ID\\S\\1\\E\\2\\F\\3\r");
    CHECK(Msa2(ack) == "ID^1\\2|3");
    // A message with its own delimiters: its text holds a '^' that is no delimiter for it, escaped for ours.
    const Message odd = Message::Parse("MSH#*@!$#APP#FAC###20240101##ADT*A28#X^Y!F!Z#P#2.5\r");
    REQUIRE(odd.ok());
    CHECK(odd.header().control_id == "X^Y#Z");
    const std::string odd_ack = BuildAck(odd, AckCode::kAccept, {}, "1", Now());
    CHECK(odd_ack.find("\rMSA|AA|X\\S\\Y#Z\r") != std::string::npos);
    CHECK(Msa2(odd_ack) == "X^Y#Z");
    // The error text and location are escaped too.
    const std::string err = BuildAck(odd, AckCode::kError, {{Location{"P|D", 1, 3}, ErrorCode::kDataType, "a|b^c"}}, "1", Now());
    CHECK(err.find("ERR||P\\F\\D^1^3|102^Erreur de type de donnée^HL70357|E||||a\\F\\b\\S\\c\r") != std::string::npos);
}

TEST_CASE("hl7 ack: an 8859/1 sender gets an 8859/1 ACK") {
    const Message m = Message::Parse("MSH|^~\\&|PASTEL|CH_TROYES|CORDEE|GCS|20240101||ADT^A28^ADT_A05|T\xC9" "1|P|2.5^FRA^2.11"
                                     "||||||8859/1\rPID|1||1||GIRARD^J\xE9r\xF4me\r");
    REQUIRE(m.ok());
    CHECK(m.header().control_id == "TÉ1");
    const std::string ack =
        BuildAck(m, AckCode::kError, {{Location{"PID", 1, 7}, ErrorCode::kRequiredFieldMissing, "Date de naissance absente : Œ’é."}},
                 "A1", Now());
    CHECK(ack == "MSH|^~\\&|CORDEE|GCS|PASTEL|CH_TROYES|20240315143000+0100||ACK^A28^ACK|A1|P|2.5^FRA^2.11||||||8859/1\r"
                 "MSA|AE|T\xC9" "1\r"
                 "ERR||PID^1^7|101^Champ obligatoire absent^HL70357|E||||Date de naissance absente : OE'\xE9.\r");
    CHECK(Msa2(ack) == "TÉ1");
    // Undeclared ISO-8859-1 bytes: the ACK declares what it is written in.
    const Message undeclared = Message::Parse("MSH|^~\\&|P|T|C|G|20240101||ADT^A28|\xC9|P|2.5\r");
    const std::string ack2 = BuildAck(undeclared, AckCode::kAccept, {}, "A2", Now());
    CHECK(ack2.find("|2.5||||||8859/1\rMSA|AA|\xC9\r") != std::string::npos);
    CHECK(Msa2(ack2) == "É");
}

TEST_CASE("hl7 ack for messages that could not be used: AR, MSA-2 the salvaged MSH-10, else empty") {
    SUBCASE("no MSH at all") {
        const Message m = Message::Parse("garbage");
        CHECK(BuildRejectAck(m, "ACK0003", Now()) ==
              "MSH|^~\\&|||||20240315143000+0100||ACK^^ACK|ACK0003|P|2.5||||||UNICODE UTF-8\r"
              "MSA|AR|\r"
              "ERR||MSH^1|100^Erreur de séquence des segments^HL70357|E||||Le message ne commence pas par un segment MSH.\r");
    }
    SUBCASE("no MSH-9: the control id is salvaged") {
        const Message m = Message::Parse("MSH|^~\\&|APP|FAC|||20240101|||C77|P|2.5\r");
        const std::string ack = BuildRejectAck(m, "A", Now());
        CHECK(ack.find("\rMSA|AR|C77\rERR||MSH^1^9|101^Champ obligatoire absent^HL70357|E||||") != std::string::npos);
        CHECK(Msa2(ack) == "C77");
        CHECK(ack.substr(0, 25) == "MSH|^~\\&|||APP|FAC|202403");
    }
    SUBCASE("bad encoding characters: fields still found") {
        const Message m = Message::Parse("MSH|^^\\&|APP|FAC|||20240101||ADT^A01|C78|P|2.5\r");
        const std::string ack = BuildRejectAck(m, "A", Now());
        CHECK(Msa2(ack) == "C78");
        CHECK(ack.find("ACK^^ACK") != std::string::npos);  // the trigger could not be told from the type
        CHECK(ack.find("|ADT\\S\\A01|") == std::string::npos);
        CHECK(ack.find("ERR||MSH^1^2|102^") != std::string::npos);
    }
    SUBCASE("too large: the header of its first segment is read") {
        const Message m = Message::Parse(kReceived + std::string(3000, 'x'), Limits{2000, 100});
        const std::string ack = BuildRejectAck(m, "A", Now());
        CHECK(Msa2(ack) == "CTRL0001");
        CHECK(ack.find("ACK^A01^ACK") != std::string::npos);
        CHECK(ack.find("|207^Erreur interne de l'application^HL70357|E||||Message trop volumineux") != std::string::npos);
    }
    SUBCASE("invalid UTF-8: AR naming the field") {
        const Message m = Message::Parse(kReceived + "NTE|1||caf\xE9\r");
        const std::string ack = BuildRejectAck(m, "A", Now());
        CHECK(ack.find("ERR||NTE^1^3|102^") != std::string::npos);
        CHECK(Msa2(ack) == "CTRL0001");
    }
    CHECK(AckCodeName(AckCode::kReject) == "AR");
}
