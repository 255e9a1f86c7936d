// The FINESS etalab extraction's parser (src/directory/finess_file): lines of tests/fixtures/directory/finess.csv
// (ISO-8859-1, CRLF) turned into structs, malformed lines into the reason printed after "ligne N :". Pure.
#include "common/errors.hpp"
#include "directory/finess_file.hpp"
#include "directory_fixture_lines.hpp"

#include <doctest/doctest.h>

using namespace cordee;
using namespace cordee::directory;

namespace {

FinessStructure Structure(const std::string& line) {
    std::vector<std::string_view> fields;
    auto r = ParseFinessStructure(line, fields);
    if (const auto* e = std::get_if<LineError>(&r)) FAIL("refused: " << e->reason);
    return std::get<FinessStructure>(r);
}

LineError RefusedStructure(const std::string& line) {
    std::vector<std::string_view> fields;
    auto r = ParseFinessStructure(line, fields);
    REQUIRE(std::holds_alternative<LineError>(r));
    return std::get<LineError>(r);
}

LineError RefusedPosition(const std::string& line) {
    std::vector<std::string_view> fields;
    auto r = ParseFinessPosition(line, fields);
    REQUIRE(std::holds_alternative<LineError>(r));
    return std::get<LineError>(r);
}

}  // namespace

TEST_CASE("a structureet line gives the establishment, its place written as Cordée writes it") {
    const std::string line = test::FixtureLine("finess.csv", 2);
    std::string kind;
    CHECK(KindOfFinessLine(line, kind) == FinessLineKind::kStructure);
    CHECK(kind == "structureet");
    const FinessStructure s = Structure(line);
    CHECK(s.finess == "510000516");
    CHECK(s.finess_ej == "510000516");
    CHECK(s.name == "CH EPERNAY");
    CHECK(s.long_name == "CENTRE HOSPITALIER AUBAN MOET D'EPERNAY");
    CHECK(s.address == "137 R DE L'HOPITAL");
    CHECK(s.departement == "51");
    CHECK(s.commune_code == "51230");  // INSEE: département + commune
    CHECK(s.postal_code == "51200");   // from "51200 EPERNAY"
    CHECK(s.commune == "EPERNAY");
    CHECK(s.phone == "0326587000");
    CHECK(s.category_code == "355");
    CHECK(s.category_label == "Centre Hospitalier (C.H.)");
    CHECK(s.siret == "26510013300016");
}

TEST_CASE("an overseas establishment: FINESS's 9D is La Réunion's 974, and its INSEE code has 5 digits") {
    const FinessStructure s = Structure(test::FixtureLine("finess.csv", 12));
    CHECK(s.finess == "974110017");
    CHECK(s.departement == "974");
    CHECK(s.commune_code == "97411");
    CHECK(s.postal_code == "97400");
    CHECK(s.commune == "ST DENIS");
    CHECK(s.address == "AV ALLEE DES TOPAZES");
    CHECK(s.category_label == "Centre Hospitalier Régional (C.H.R.)");  // read as ISO-8859-1
}

TEST_CASE("an establishment without short name takes its long one") {
    std::string line = test::FixtureLine("finess.csv", 2);
    line.replace(line.find("CH EPERNAY"), 10, "");
    CHECK(Structure(line).name == "CENTRE HOSPITALIER AUBAN MOET D'EPERNAY");
}

TEST_CASE("a geolocalisation line gives the projected coordinates and their system") {
    const std::string line = test::FixtureLine("finess.csv", 25);
    std::string kind;
    REQUIRE(KindOfFinessLine(line, kind) == FinessLineKind::kPosition);
    std::vector<std::string_view> fields;
    auto r = ParseFinessPosition(line, fields);
    REQUIRE(std::holds_alternative<FinessPosition>(r));
    const auto& p = std::get<FinessPosition>(r);
    CHECK(p.finess == "974110017");
    CHECK(p.system == "UTM_S40");
    CHECK(p.x == doctest::Approx(338889.4));
    CHECK(p.y == doctest::Approx(7688474.6));
}

TEST_CASE("a line of another kind is told apart by its first field") {
    std::string kind;
    CHECK(KindOfFinessLine(" autre ;1;2", kind) == FinessLineKind::kOther);
    CHECK(kind == "autre");
}

TEST_CASE("malformed structureet lines: incomplete, or a FINESS number of the wrong shape") {
    const std::string line = test::FixtureLine("finess.csv", 2);
    const LineError cut = RefusedStructure(line.substr(0, line.find(";51200 EPERNAY")));
    CHECK(cut.incomplete);
    CHECK(cut.reason == "ligne incomplète (14 champs au lieu de 31)");
    // 31 fields after the kind are needed: the line's first 31 fields (kind + 30) are not enough, 32 are.
    size_t end = 0;
    for (int i = 0; i < 31; ++i) end = line.find(';', end) + 1;
    const std::string fields31 = line.substr(0, end - 1), fields32 = line.substr(0, line.find(';', end));
    CHECK(RefusedStructure(fields31).reason == "ligne incomplète (30 champs au lieu de 31)");
    CHECK(Structure(fields32).finess == "510000516");
    std::string bad = line;
    bad.replace(bad.find("510000516"), 9, "51ABC4542");
    CHECK(RefusedStructure(bad).reason == "numéro FINESS invalide (« 51ABC4542 »)");
    std::string short_number = line;
    short_number.replace(short_number.find("510000516"), 9, "51000051");
    CHECK(RefusedStructure(short_number).reason == "numéro FINESS invalide (« 51000051 »)");
    std::string corsica = line;
    corsica.replace(corsica.find("510000516"), 9, "2A0000516");
    CHECK(Structure(corsica).finess == "2A0000516");
}

TEST_CASE("malformed geolocalisation lines: too few fields, unreadable coordinates") {
    CHECK(RefusedPosition("geolocalisation;974110017;338889.4").reason == "géolocalisation incomplète");
    CHECK_FALSE(RefusedPosition("geolocalisation;974110017;338889.4").incomplete);
    CHECK(RefusedPosition("geolocalisation;974110017;x;7688474.6;1,ATLASANTE,UTM_S40;2026-03-02").reason ==
          "coordonnées illisibles");
}

TEST_CASE("a first line that is not an etalab header makes the file unusable") {
    CHECK_NOTHROW(CheckFinessHeader(test::FixtureLine("finess.csv", 1)));
    CHECK_NOTHROW(CheckFinessHeader("FINESS;ETALAB;93;2026-09-30"));
    auto reason = [](const std::string& header) {
        try {
            CheckFinessHeader(header);
        } catch (const Error& e) {
            CHECK(e.status() == 400);
            return e.detail();
        }
        return std::string("accepted");
    };
    CHECK(reason(test::FixtureLine("rpps.txt", 1)) == "Ce fichier est une extraction RPPS : utilisez « cordee import rpps ».");
    CHECK(reason("structureet;510000516") ==
          "La première ligne doit commencer par « finess;etalab » (extraction etalab, séparateur « ; »).");
}
