// The HL7 v2 ER7 parser (src/hl7/message) and the PAM view (src/hl7/pam): numbering, delimiters, segment ends,
// escapes both ways, character sets, unusable messages with their location, bounds, tolerance. Pure.
#include "hl7/message.hpp"
#include "hl7/pam.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace cordee::hl7;

namespace {

const std::string kMsh =
    "MSH|^~\\&|GAM_REIMS|CHU_REIMS^1.2.250.1.999.519990001^ISO|CORDEE|CORDEE_GCS|20240315142700||ADT^A01^ADT_A01|"
    "CTRL0001|P|2.5^FRA^2.11|||AL|NE|FRA|UNICODE UTF-8";

Message Ok(const std::string& text) {
    Message m = Message::Parse(text);
    if (m.error()) FAIL("refused: " << m.error()->where.Label() << " " << m.error()->text);
    return m;
}

const Issue& Refused(const Message& m) {
    REQUIRE(m.error());
    return *m.error();
}

}  // namespace

TEST_CASE("hl7 MSH fields are numbered from the field separator: MSH-1 is '|', MSH-2 the encoding characters") {
    const Message m = Ok(kMsh + "\rPID|1||IPP1^^^CHU&1.2.3&ISO^PI\r");
    const Segment msh = *m.Find("MSH");
    CHECK(msh.Raw(1) == "|");
    CHECK(msh.Raw(2) == "^~\\&");
    CHECK(msh.Get(2) == "^~\\&");  // never decoded as an escape
    CHECK(msh.Raw(2, 1, 2).empty());
    CHECK(msh.Get(3) == "GAM_REIMS");
    CHECK(msh.Get(4, 1, 2) == "1.2.250.1.999.519990001");
    CHECK(msh.Get(7) == "20240315142700");
    CHECK(msh.Get(9, 1, 2) == "A01");
    CHECK(msh.Get(10) == "CTRL0001");
    CHECK(msh.Get(18) == "UNICODE UTF-8");
    CHECK(msh.field_count() == 18);
    // Other segments: field n is the n-th piece after the name.
    const Segment pid = *m.Find("PID");
    CHECK(pid.Get(1) == "1");
    CHECK(pid.Get(3, 1, 1) == "IPP1");
    CHECK(pid.Get(3, 1, 4, 2) == "1.2.3");
    CHECK(pid.Get(0) == "PID");

    const Header& h = m.header();
    CHECK(h.sending_application.namespace_id == "GAM_REIMS");
    CHECK(h.sending_facility.namespace_id == "CHU_REIMS");
    CHECK(h.sending_facility.universal_id == "1.2.250.1.999.519990001");
    CHECK(h.sending_facility.universal_id_type == "ISO");
    CHECK(h.receiving_application.namespace_id == "CORDEE");
    CHECK(h.receiving_facility.namespace_id == "CORDEE_GCS");
    CHECK(h.type == "ADT");
    CHECK(h.trigger == "A01");
    CHECK(h.structure == "ADT_A01");
    CHECK(h.control_id == "CTRL0001");
    CHECK(h.processing_id == "P");
    CHECK(h.version == "2.5");
    CHECK(h.version_country == "FRA");
    CHECK(h.version_national == "2.11");
    CHECK(h.charset_declared == "UNICODE UTF-8");
    REQUIRE(h.time);
    CHECK(h.time->hour == 14);
    CHECK(m.warnings().empty());
}

TEST_CASE("hl7 segments end with \\r, \\n or \\r\\n, with or without a last one; empty segments are skipped") {
    for (const std::string sep : {"\r", "\n", "\r\n", "\n\r"}) {
        for (const std::string& tail : {std::string(), sep, sep + sep}) {
            const Message m = Ok(kMsh + sep + "EVN||20240315" + sep + sep + "PID|1" + sep + "   " + sep + "PV1|1|I" + tail);
            REQUIRE(m.segment_count() == 4);
            CHECK(m.segment(1).name() == "EVN");
            CHECK(m.segment(3).Get(2) == "I");
            CHECK(m.segment(3).Raw(2).find_first_of("\r\n") == std::string_view::npos);
        }
    }
    CHECK(Ok(kMsh).segment_count() == 1);
    CHECK(Ok("\r\n" + kMsh + "\r").segment_count() == 1);  // blank lines before the MSH too
}

TEST_CASE("hl7 repetitions, components and sub-components; absent parts are empty, never an error") {
    const Message m = Ok(kMsh + "\rPID|||A1^^^AUTH&1.2&ISO^PI~B2^^^INS&1.2.250.1.213.1.4.10&ISO^INS||DUPONT^Marie\r");
    const Segment pid = *m.Find("PID");
    CHECK(pid.Repetitions(3) == 2);
    CHECK(pid.Repetitions(4) == 0);
    CHECK(pid.Repetitions(99) == 0);
    CHECK(pid.Get(3, 2, 1) == "B2");
    CHECK(pid.Get(3, 2, 4, 1) == "INS");
    CHECK(pid.Get(3, 2, 4, 2) == "1.2.250.1.213.1.4.10");
    CHECK(pid.Get(3, 2, 5) == "INS");
    CHECK(pid.Raw(3, 0) == "A1^^^AUTH&1.2&ISO^PI~B2^^^INS&1.2.250.1.213.1.4.10&ISO^INS");
    CHECK(pid.Raw(3) == "A1^^^AUTH&1.2&ISO^PI");
    CHECK(pid.Raw(3, 1, 4) == "AUTH&1.2&ISO");
    CHECK(pid.Get(3, 3, 1).empty());
    CHECK(pid.Get(3, 1, 9).empty());
    CHECK(pid.Get(3, 1, 4, 7).empty());
    CHECK(pid.Get(5, 1, 2) == "Marie");
    CHECK(pid.Get(5, 1, 3).empty());
    CHECK(pid.Get(50).empty());
    CHECK(pid.Get(-1).empty());
    CHECK(pid.Get(3, -1).empty());
    CHECK(pid.Get(3, 1, -2).empty());
}

TEST_CASE("hl7 segments by name and repetition: the 2nd ROL, sequences, counts") {
    const Message m = Ok(kMsh + "\rPID|1\rROL||AD|FHCP|111\rPV1|1\rROL||AD|RP|222\r");
    CHECK(m.Count("ROL") == 2);
    CHECK(m.Count("ZBE") == 0);
    REQUIRE(m.Find("ROL", 2));
    CHECK(m.Find("ROL", 2)->Get(4) == "222");
    CHECK(m.Find("ROL", 2)->sequence() == 2);
    CHECK(m.Find("ROL", 2)->index() == 4);
    CHECK(m.Find("ROL", 2)->At(4).Er7() == "ROL^2^4");
    CHECK(!m.Find("ROL", 3));
    CHECK(!m.Find("ZBE"));
    CHECK(m.Find("PV1")->sequence() == 1);
}

TEST_CASE("hl7 the message's own encoding characters: '#' as field separator, others, a missing sub-component one") {
    SUBCASE("odd delimiters") {
        const Message m = Ok("MSH#*@!$#APP#FAC###20240101##ADT*A28#C1#P#2.5\rPID###X1*x*y$z@X2*a\r");
        CHECK(m.delimiters().field == '#');
        CHECK(m.delimiters().component == '*');
        CHECK(m.delimiters().repetition == '@');
        CHECK(m.delimiters().escape == '!');
        CHECK(m.delimiters().subcomponent == '$');
        CHECK(m.header().trigger == "A28");
        CHECK(m.header().control_id == "C1");
        const Segment pid = *m.Find("PID");
        CHECK(pid.Repetitions(3) == 2);
        CHECK(pid.Get(3, 1, 3, 2) == "z");
        CHECK(pid.Get(3, 2, 2) == "a");
        CHECK(m.Decode("a!F!b!S!c!E!") == "a#b*c!");
    }
    SUBCASE("no sub-component separator: '&' is text") {
        const Message m = Ok("MSH|^~\\|APP|FAC|||20240101||ADT^A28|C2|P|2.5\rPID|||Dupont & fils^x\r");
        CHECK(m.delimiters().subcomponent == '\0');
        CHECK(m.Find("PID")->Get(3, 1, 1) == "Dupont & fils");
        CHECK(m.Find("PID")->Get(3, 1, 1, 1) == "Dupont & fils");
        CHECK(m.Find("PID")->Get(3, 1, 1, 2).empty());
        CHECK(m.Decode("a\\T\\b") == "a\\T\\b");  // no sub-component separator to stand for: kept as text
    }
    SUBCASE("only a component separator") {
        const Message m = Ok("MSH|^|APP|FAC|||20240101||ADT^A28|C3|P|2.5\rPID|||a~b\\c^d\r");
        CHECK(m.Find("PID")->Repetitions(3) == 1);
        CHECK(m.Find("PID")->Get(3, 1, 1) == "a~b\\c");
    }
    SUBCASE("HL7 2.7's truncation character is accepted and not used") {
        const Message m = Ok("MSH|^~\\&#|APP|FAC|||20240101||ADT^A28|C4|P|2.5\rPID|||a#b\r");
        CHECK(m.Find("PID")->Get(3) == "a#b");
    }
}

TEST_CASE("hl7 escapes are decoded when a value is asked for; unknown ones stay as text") {
    const Message m = Ok(kMsh + "\rNTE|1||a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f|\\X48C3A9\\|l1\\.br\\l2|\\Zabc\\|x\\H\\y\\N\\|open\\esc|\\X4\\|\\XZZ\\|\\\\\r");
    const Segment nte = *m.Find("NTE");
    CHECK(nte.Get(3) == "a|b^c&d~e\\f");
    CHECK(nte.Raw(3) == "a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f");
    CHECK(nte.Get(4) == "Hé");
    CHECK(nte.Get(5) == "l1\nl2");
    CHECK(nte.Get(6) == "\\Zabc\\");
    CHECK(nte.Get(7) == "xy");
    CHECK(nte.Get(8) == "open\\esc");
    CHECK(nte.Get(9) == "\\X4\\");
    CHECK(nte.Get(10) == "\\XZZ\\");
    CHECK(nte.Get(11) == "\\\\");
    // Escaped delimiters do not split: the component is one.
    CHECK(nte.Get(3, 1, 1) == "a|b^c&d~e\\f");
    CHECK(nte.Repetitions(3) == 1);
    // A NUL byte never comes out of a value.
    CHECK(m.Decode("a\\X00\\b") == "ab");
    // \X..\ giving bytes that are not UTF-8 in a UTF-8 message: replaced, the value stays valid UTF-8.
    CHECK(m.Decode("a\\XE9\\b") == "a\xEF\xBF\xBD" "b");
}

TEST_CASE("hl7 Escape is what Decode undoes, for every delimiter and control character") {
    const Message m = Ok(kMsh);
    const std::string tricky = "A|B^C~D\\E&F\nG\rH\tI\x01J é Œ \xEF\xBF\xBD";
    const std::string escaped = Escape(tricky);
    CHECK(escaped == "A\\F\\B\\S\\C\\R\\D\\E\\E\\T\\F\\.br\\G\\X0D\\H\tI\\X01\\J é Œ \xEF\xBF\xBD");
    CHECK(escaped.find_first_of("|^~&\r\n") == std::string::npos);
    CHECK(m.Decode(escaped) == tricky);
    CHECK(Escape("plain") == "plain");
    // With a message's odd delimiters.
    const Message odd = Ok("MSH#*@!$#APP#FAC###20240101##ADT*A28#C1#P#2.5");
    CHECK(odd.Decode(Escape("a#b*c@d!e$f|g^h", odd.delimiters())) == "a#b*c@d!e$f|g^h");
}

TEST_CASE("hl7 character sets: 8859/1 and undeclared high bytes become UTF-8, declared UTF-8 is checked") {
    const std::string latin1_name = "DUPONT^H\xE9l\xE8ne";  // "Hélène" in ISO-8859-1 bytes
    SUBCASE("8859/1") {
        const Message m = Ok("MSH|^~\\&|A|F|||20240101||ADT^A28|C1|P|2.5||||||8859/1\rPID|||1||" + latin1_name +
                             "||||||Rue de l'\xC9glise \\XC7\\a\r");
        CHECK(m.charset() == Charset::kLatin1);
        CHECK(m.Find("PID")->Get(5, 1, 2) == "Hélène");
        CHECK(m.Find("PID")->Get(11) == "Rue de l'Église Ça");
        CHECK(m.Find("PID")->Raw(5, 1, 2) == "H\xE9l\xE8ne");
    }
    SUBCASE("undeclared and not UTF-8: read as ISO-8859-1") {
        const Message m = Ok("MSH|^~\\&|A|F|||20240101||ADT^A28|C1|P|2.5\rPID|||1||" + latin1_name + "\r");
        CHECK(m.charset() == Charset::kLatin1);
        CHECK(m.Find("PID")->Get(5, 1, 2) == "Hélène");
    }
    SUBCASE("undeclared and valid UTF-8: read as UTF-8") {
        const Message m = Ok("MSH|^~\\&|A|F|||20240101||ADT^A28|C1|P|2.5\rPID|||1||DUPONT^Hélène\r");
        CHECK(m.charset() == Charset::kUtf8);
        CHECK(m.Find("PID")->Get(5, 1, 2) == "Hélène");
    }
    SUBCASE("ASCII declared: tolerant like undeclared") {
        const Message m = Ok("MSH|^~\\&|A|F|||20240101||ADT^A28|C1|P|2.5||||||ASCII\rPID|||1||" + latin1_name + "\r");
        CHECK(m.Find("PID")->Get(5, 1, 2) == "Hélène");
    }
    SUBCASE("UTF-8 declared (both spellings) and valid") {
        for (const std::string cs : {"UNICODE UTF-8", "UTF-8", "unicode utf-8"}) {
            const Message m = Ok("MSH|^~\\&|A|F|||20240101||ADT^A28|C1|P|2.5||||||" + cs + "\rPID|||1||CŒUR^Françoise\r");
            CHECK(m.charset() == Charset::kUtf8);
            CHECK(m.Find("PID")->Get(5, 1, 1) == "CŒUR");
        }
    }
    SUBCASE("UTF-8 declared but invalid: an error naming the segment and field") {
        const Message m = Message::Parse("MSH|^~\\&|A|F|||20240101||ADT^A28|C1|P|2.5||||||UNICODE UTF-8\rPID|1||1||" +
                                         latin1_name + "\r");
        const Issue& e = Refused(m);
        CHECK(e.where.Er7() == "PID^1^5");
        CHECK(e.code == ErrorCode::kDataType);
        CHECK(e.text.find("PID-5") != std::string::npos);
        CHECK(m.header().control_id == "C1");  // salvaged for the ACK
    }
    SUBCASE("what was declared, for the ACK") {
        CHECK(Ok("MSH|^~\\&|A|F|||20240101||ADT^A28|C1|P|2.5||||||8859/1").declared_charset() == Charset::kLatin1);
        CHECK(Ok("MSH|^~\\&|A|F|||20240101||ADT^A28|C1|P|2.5||||||UTF-8").declared_charset() == Charset::kUtf8);
        CHECK(!Ok("MSH|^~\\&|A|F|||20240101||ADT^A28|C1|P|2.5").declared_charset());
        CHECK(!Message::Parse("MSH|^~\\&|A|F|||20240101||ADT^A28|C1|P|2.5||||||8859/1x").declared_charset());
    }
    SUBCASE("invalid UTF-8 in a segment without a name: located all the same") {
        const Message m = Message::Parse("MSH|^~\\&|A|F|||20240101||ADT^A28|C1|P|2.5||||||UTF-8\r|x|\xE9\r");
        CHECK(Refused(m).where.Er7() == "???^1^2");
    }
    SUBCASE("another charset: refused, naming MSH-18") {
        const Message m = Message::Parse("MSH|^~\\&|A|F|||20240101||ADT^A28|C1|P|2.5||||||8859/15\rPID|1\r");
        const Issue& e = Refused(m);
        CHECK(e.where.Er7() == "MSH^1^18");
        CHECK(e.code == ErrorCode::kTableValueNotFound);
        CHECK(e.text.find("8859/15") != std::string::npos);
        CHECK(m.header().control_id == "C1");
    }
}

TEST_CASE("hl7 messages that cannot be used: an error with its HL7 location, and what could be salvaged") {
    SUBCASE("no MSH") {
        for (const std::string text : {"", "\r\n", "PID|1||X\r", "MSG|^~\\&|", "MS", "msh|^~\\&|A"}) {
            const Message m = Message::Parse(text);
            CHECK(Refused(m).code == ErrorCode::kSegmentSequence);
            CHECK(Refused(m).where.Er7() == "MSH^1");
            CHECK(m.segment_count() == 0);
            CHECK(m.header().control_id.empty());
        }
    }
    SUBCASE("no field separator") {
        for (const std::string text : {"MSH", "MSH\rPID|1", "MSHA^~\\&|", "MSH ^~\\&"}) {
            const Message m = Message::Parse(text);
            CHECK(Refused(m).where.Er7() == "MSH^1^1");
        }
    }
    SUBCASE("bad encoding characters: refused, the header still read field by field") {
        for (const std::string enc : {"", "^^~\\", "^~\\&#@", "^A~\\", "^ ~\\"}) {
            const Message m = Message::Parse("MSH|" + enc + "|APP|FAC|||20240101||ADT^A01|CTRL9|P|2.5\rPID|1\r");
            CHECK(Refused(m).where.Er7() == "MSH^1^2");
            CHECK(Refused(m).code == ErrorCode::kDataType);
            CHECK(m.header().control_id == "CTRL9");
            CHECK(m.header().type == "ADT^A01");  // not split: the components are not known
        }
    }
    SUBCASE("no MSH-9 or no MSH-10") {
        const Message no_type = Message::Parse("MSH|^~\\&|A|F|||20240101|||C1|P|2.5\r");
        CHECK(Refused(no_type).where.Er7() == "MSH^1^9");
        CHECK(Refused(no_type).code == ErrorCode::kRequiredFieldMissing);
        CHECK(no_type.header().control_id == "C1");
        const Message no_id = Message::Parse("MSH|^~\\&|A|F|||20240101||ADT^A01||P|2.5\r");
        CHECK(Refused(no_id).where.Er7() == "MSH^1^10");
        CHECK(Refused(no_id).code == ErrorCode::kRequiredFieldMissing);
        const Message neither = Message::Parse("MSH|^~\\&");
        CHECK(Refused(neither).where.Er7() == "MSH^1^10");
    }
}

TEST_CASE("hl7 bounds: a message too large or with too many segments is refused before it is read") {
    SUBCASE("size") {
        std::string big = kMsh + "\r";
        while (big.size() <= 2000) big += "NTE|1||" + std::string(100, 'x') + "\r";
        const Message m = Message::Parse(big, Limits{2000, 10'000});
        CHECK(Refused(m).code == ErrorCode::kApplicationInternal);
        CHECK(Refused(m).text.find("trop volumineux") != std::string::npos);
        CHECK(m.segment_count() == 1);  // only the MSH, read for the ACK
        CHECK(m.header().control_id == "CTRL0001");
        CHECK(Message::Parse(big.substr(0, 2000), Limits{2000, 10'000}).ok());
    }
    SUBCASE("segments") {
        std::string many = kMsh + "\r";
        for (int i = 0; i < 10; ++i) many += "NTE|" + std::to_string(i) + "\r";
        CHECK(Message::Parse(many, Limits{1 << 20, 11}).ok());
        const Message m = Message::Parse(many, Limits{1 << 20, 10});
        CHECK(Refused(m).text.find("segments") != std::string::npos);
        CHECK(m.segment_count() == 1);
        CHECK(m.header().control_id == "CTRL0001");
    }
    SUBCASE("the default limits") {
        CHECK(Limits{}.max_bytes == 1 << 20);
        CHECK(Limits{}.max_segments == 10'000);
    }
}

TEST_CASE("hl7 what is doubtful but readable is a warning: a bad MSH-7, a bad segment name, a second MSH") {
    const Message m = Ok("MSH|^~\\&|A|F|||20240230||ADT^A01|C1|P|2.5\rpid|1\rPID|1\rMSH|^~\\&|X\r");
    REQUIRE(m.warnings().size() == 3);
    CHECK(m.warnings()[0].where.Er7() == "pid^1");
    CHECK(m.warnings()[1].where.Er7() == "MSH^2");
    CHECK(m.warnings()[2].where.Er7() == "MSH^1^7");
    CHECK(m.warnings()[2].text.find("30 février 2024") != std::string::npos);
    CHECK(!m.header().time);
    CHECK(m.header().time_text == "20240230");
    const Message no_time = Ok("MSH|^~\\&|A|F|||||ADT^A01|C1|P|2.5\r");
    REQUIRE(no_time.warnings().size() == 1);
    CHECK(no_time.warnings()[0].code == ErrorCode::kRequiredFieldMissing);
}

TEST_CASE("hl7 locations as ERR-2 writes them and as people read them") {
    CHECK(Location{"PID", 1, 7}.Er7() == "PID^1^7");
    CHECK(Location{"MSH", 1}.Er7() == "MSH^1");
    CHECK(Location{"ROL", 2, 4, 1, 2, 1}.Er7() == "ROL^2^4^1^2^1");
    CHECK(Location{"PID", 1, 3, 0, 4}.Er7() == "PID^1^3");  // a zero ends it
    CHECK(Location{"PID", 1, 7}.Label() == "PID-7");
    CHECK(Location{"ROL", 2, 4, 1, 2}.Label() == "ROL[2]-4.2");
    CHECK(Location{"PID", 1, 3, 2, 4, 2}.Label() == "PID-3(2).4.2");
    CHECK(ErrorCodeText(ErrorCode::kRequiredFieldMissing) == "Champ obligatoire absent");
}

TEST_CASE("hl7 a file of messages splits at each MSH, batch envelopes left out") {
    const std::string file = "FHS|^~\\&\rBHS|^~\\&\r" + kMsh + "\rPID|1\r" + kMsh + "\nPID|2\n\nBTS|2\rFTS|1\r";
    const auto parts = SplitBatch(file);
    REQUIRE(parts.size() == 2);
    CHECK(parts[0] == kMsh + "\rPID|1\r");
    CHECK(parts[1] == kMsh + "\nPID|2\n\n");
    CHECK(SplitBatch("").empty());
    CHECK(SplitBatch("PID|1\r").empty());
    CHECK(SplitBatch(kMsh).size() == 1);
}

TEST_CASE("hl7 PAM view: identity, visit, movement, merge and roles read tolerantly, with warnings") {
    const Message m = Ok(kMsh +
                         "\rPID|1||IPP1^^^CHU&1.2.3&ISO^PI~\"\"^^^X^PI~1234^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS||"
                         "DUPONT^Marie^Marie Anne^^^^L~MARTIN^Marie^^^MME^^D||19520230|X|||^^Reims^^^FRA^BDL^^51454||"
                         "0326000000~^NET^Internet^m@example.fr|||||||||||||||||||VALI~ZZZ\r"
                         "PV1|1|I|CARDIO^201^2^CHU||||||||||||||||V1^^^CHU&1.2.4&ISO^AN|||||||||||||||||||||||||2024031514|bad\r"
                         "PV2|||||||||20240322\r"
                         "ZBE|M1^CHU^1.2.5^ISO|20240315142500||INSERT|N|A01|CARDIO^^^^^^^^^4012||HMS\r"
                         "MRG|OLD1^^^CHU&1.2.3&ISO^PI\r"
                         "ROL||AD|FHCP^Médecin traitant|810101234567^BERNARD^Claire^^^^^^^^^^RPPS\r"
                         "ROL||AD|RP|12^X^Y^^^^^^^^^^RPPS\r");
    const PamMessage pam = ReadPam(m);
    REQUIRE(pam.patient);
    const Patient& p = *pam.patient;
    REQUIRE(p.identifiers.size() == 2);  // the null "" identifier is left out
    CHECK(p.identifiers[0].value == "IPP1");
    CHECK(p.identifiers[0].authority == "CHU");
    CHECK(p.identifiers[0].authority_oid == "1.2.3");
    CHECK(p.identifiers[0].type == "PI");
    REQUIRE(p.Ins());
    CHECK(p.Ins()->value == "1234");
    CHECK(p.InsTrusted());
    CHECK(p.FirstOfType("PI")->value == "IPP1");
    REQUIRE(p.NameOfType("D"));
    CHECK(p.NameOfType("D")->family == "MARTIN");
    CHECK(p.NameOfType("D")->prefix == "MME");
    CHECK(p.NameOfType("L")->further_given == "Marie Anne");
    CHECK(!p.birth);
    CHECK(p.birth_text == "19520230");
    CHECK(p.sex == "X");
    REQUIRE(p.addresses.size() == 1);
    CHECK(p.addresses[0].type == "BDL");
    CHECK(p.addresses[0].county == "51454");
    REQUIRE(p.phones.size() == 2);
    CHECK(p.phones[0].number == "0326000000");
    CHECK(p.phones[1].email == "m@example.fr");
    CHECK(p.reliability == std::vector<std::string>{"VALI", "ZZZ"});

    REQUIRE(pam.visit);
    CHECK(pam.visit->patient_class == "I");
    CHECK(pam.visit->location.point_of_care == "CARDIO");
    CHECK(pam.visit->location.bed == "2");
    CHECK(pam.visit->visit_number.value == "V1");
    REQUIRE(pam.visit->admit_time);
    CHECK(pam.visit->admit_time->precision == Precision::kHour);
    CHECK(!pam.visit->discharge_time);
    REQUIRE(pam.visit->expected_discharge);
    CHECK(pam.visit->expected_discharge->day == 22);

    REQUIRE(pam.movement);
    CHECK(pam.movement->id.value == "M1");
    CHECK(pam.movement->id.authority_oid == "1.2.5");
    CHECK(pam.movement->action == MovementAction::kInsert);
    CHECK(!pam.movement->historic);
    CHECK(pam.movement->original_trigger == "A01");
    CHECK(pam.movement->medical_ward.name == "CARDIO");
    CHECK(pam.movement->medical_ward.code == "4012");
    CHECK(pam.movement->nature == "HMS");

    REQUIRE(pam.merge);
    REQUIRE(pam.merge->prior_identifiers.size() == 1);
    CHECK(pam.merge->prior_identifiers[0].value == "OLD1");

    REQUIRE(pam.roles.size() == 2);
    CHECK(pam.roles[0].role_code == "FHCP");
    CHECK(pam.roles[0].role_text == "Médecin traitant");
    CHECK(pam.roles[0].family == "BERNARD");
    CHECK(pam.roles[0].rpps == "10101234567");  // "8" + 11 digits, as the national identifier writes it
    CHECK(pam.roles[1].rpps.empty());

    std::vector<std::string> where;
    for (const Issue& w : pam.warnings) where.push_back(w.where.Label());
    CHECK(where == std::vector<std::string>{"PID-3(2)", "PID-7", "PID-8", "PID-32(2)", "PV1-45", "ROL[2]-4"});
}

TEST_CASE("hl7 PAM view: an action one field off is still read, and said; missing parts are warnings") {
    const Message m = Ok(kMsh + "\rPID|1\rZBE||2024|CANCEL\r");
    const PamMessage pam = ReadPam(m);
    REQUIRE(pam.movement);
    CHECK(pam.movement->action == MovementAction::kCancel);
    std::vector<std::string> texts;
    for (const Issue& w : pam.warnings) texts.push_back(w.text);
    REQUIRE(texts.size() == 4);
    CHECK(texts[0].find("aucun identifiant") != std::string::npos);  // PID-3
    CHECK(texts[1].find("identifiant du mouvement") != std::string::npos);
    CHECK(texts[2].find("ZBE-3 au lieu de ZBE-4") != std::string::npos);
    CHECK(texts[3].find("événement d'origine") != std::string::npos);
    CHECK(!pam.visit);
    CHECK(!pam.merge);
    CHECK(pam.roles.empty());
    // A message without any PAM segment is fine.
    const PamMessage none = ReadPam(Ok(kMsh));
    CHECK(!none.patient);
    CHECK(none.warnings.empty());
    CHECK(MovementActionName(MovementAction::kUpdate) == "UPDATE");
}
