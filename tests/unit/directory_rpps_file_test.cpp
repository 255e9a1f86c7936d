// The RPPS extraction's parser (src/directory/rpps_file): a header and lines of tests/fixtures/directory/rpps.txt
// turned into structs, malformed lines into the reason printed after "ligne N :". Pure: no database.
#include "common/errors.hpp"
#include "directory/rpps_file.hpp"
#include "directory_fixture_lines.hpp"

#include <doctest/doctest.h>

using namespace cordee;
using namespace cordee::directory;

namespace {

RppsColumns FixtureColumns() { return RppsColumns::FromHeader(test::FixtureLine("rpps.txt", 1)); }

RppsLine Parsed(const std::string& line) {
    std::vector<std::string_view> fields;
    auto r = ParseRppsLine(FixtureColumns(), line, fields);
    if (const auto* e = std::get_if<LineError>(&r)) FAIL("refused: " << e->reason);
    return std::get<RppsLine>(r);
}

LineError Refused(const std::string& line) {
    std::vector<std::string_view> fields;
    auto r = ParseRppsLine(FixtureColumns(), line, fields);
    REQUIRE(std::holds_alternative<LineError>(r));
    return std::get<LineError>(r);
}

// `line` with its field `index` (0-based) replaced.
std::string With(std::string line, size_t index, const std::string& value) {
    size_t start = 0;
    for (size_t i = 0; i < index; ++i) start = line.find('|', start) + 1;
    const size_t end = line.find('|', start);
    return line.replace(start, end - start, value);
}

// Line 2 of rpps.txt (MARTIN Ghislain, cardiologist in Reims) with field `index` replaced.
std::string MartinWith(size_t index, const std::string& value) {
    return With(test::FixtureLine("rpps.txt", 2), index, value);
}

constexpr size_t kNationalId = 2, kLastName = 7, kSiteName = 24, kSiteBrand = 25, kPostalCode = 35, kDepartement = 44;

}  // namespace

TEST_CASE("an RPPS line gives the professional's activity, every column read by its header name") {
    const RppsLine l = Parsed(test::FixtureLine("rpps.txt", 2));
    CHECK(l.id_type == "8");
    CHECK(l.rpps());
    CHECK(l.pp == "10000000011");
    CHECK(l.national_id == "810000000011");
    CHECK(l.civility == "Docteur");
    CHECK(l.last_name == "MARTIN");
    CHECK(l.first_name == "Ghislain");
    CHECK(l.profession_code == "10");
    CHECK(l.profession_label == "Médecin");
    CHECK(l.specialty_code == "SM04");
    CHECK(l.specialty_label == "Cardiologie et maladies vasculaires");
    CHECK(l.practice_mode == "L");
    CHECK(l.siret == "81234567800011");
    CHECK(l.finess_site == "");
    CHECK(l.site_name == "CABINET DE CARDIOLOGIE DU BOULINGRIN");
    CHECK(l.address == "12 Rue de Mars");
    CHECK(l.postal_code == "51100");
    CHECK(l.commune_code == "51454");
    CHECK(l.commune == "Reims");
    CHECK(l.departement == "51");
    CHECK(l.phone == "0326470011");
    CHECK(l.email == "ghislain.martin@medecin.mssante.fr");
}

TEST_CASE("the salaried activity of the same professional names the FINESS site and its legal entity") {
    const RppsLine l = Parsed(test::FixtureLine("rpps.txt", 3));
    CHECK(l.pp == "10000000011");
    CHECK(l.practice_mode == "S");
    CHECK(l.finess_site == "510004542");
    CHECK(l.finess_ej == "510004542");
    CHECK(l.site_name == "CENTRE HOSPITALIER UNIVERSITAIRE DE REIMS");
    CHECK(l.address == "45 Rue Cognacq-Jay");
}

TEST_CASE("an ADELI line: 9 digits, type 0; no civility nor site stays empty") {
    const RppsLine weber = Parsed(test::FixtureLine("rpps.txt", 16));
    CHECK(weber.id_type == "0");
    CHECK_FALSE(weber.rpps());
    CHECK(weber.pp == "679200022");
    CHECK(weber.national_id == "0679200022");
    CHECK(weber.civility == "");
    CHECK(weber.site_name == "");
    const RppsLine guerin = Parsed(test::FixtureLine("rpps.txt", 20));
    CHECK(guerin.last_name == "GUÉRIN");
    CHECK(guerin.site_name == "CABINET DE PSYCHOMOTRICITÉ");
    CHECK(guerin.address == "14 Rue de la Boule d’Or");
}

TEST_CASE("a site without name is called by its commercial name") {
    const RppsLine l = Parsed(With(MartinWith(kSiteName, ""), kSiteBrand, "CARDIOLOGIE DU BOULINGRIN"));
    CHECK(l.site_name == "CARDIOLOGIE DU BOULINGRIN");
}

TEST_CASE("a missing national id is the type digit and the number; a missing département, the postal code's") {
    CHECK(Parsed(MartinWith(kNationalId, "")).national_id == "810000000011");
    CHECK(Parsed(MartinWith(kDepartement, "")).departement == "51");
    CHECK(Parsed(With(MartinWith(kDepartement, ""), kPostalCode, "511")).departement == "");  // not a postal code
}

TEST_CASE("fields are trimmed") {
    const RppsLine l = Parsed(MartinWith(kLastName, "  MARTIN  "));
    CHECK(l.last_name == "MARTIN");
}

TEST_CASE("a line with fewer fields than the header is incomplete") {
    const std::string line = test::FixtureLine("rpps.txt", 2);
    const LineError e = Refused(line.substr(0, line.find("|Médecin")));
    CHECK(e.incomplete);
    CHECK(e.reason == "ligne incomplète (10 champs au lieu de 52)");
}

TEST_CASE("an identifier that is neither 11 RPPS digits nor 9 ADELI digits is refused") {
    const LineError e = Refused(MartinWith(1, "1234"));
    CHECK_FALSE(e.incomplete);
    CHECK(e.reason == "identifiant PP invalide (« 1234 », type « 8» : 11 chiffres pour un RPPS, 9 pour un ADELI)");
    CHECK(Refused(MartinWith(0, "0")).reason.find("identifiant PP invalide") == 0);  // 11 digits with the ADELI type
    CHECK(Refused(MartinWith(1, "1000000001A")).reason.find("identifiant PP invalide") == 0);
}

TEST_CASE("a line without last name is refused") {
    CHECK(Refused(MartinWith(kLastName, " ")).reason == "nom d'exercice absent");
}

TEST_CASE("a header that is not an RPPS one makes the file unusable, naming why") {
    auto reason = [](const std::string& header) {
        try {
            RppsColumns::FromHeader(header);
        } catch (const Error& e) {
            CHECK(e.status() == 400);
            return e.detail();
        }
        return std::string("accepted");
    };
    CHECK(reason(test::FixtureLine("finess.csv", 1)) ==
          "Ce fichier est une extraction FINESS : utilisez « cordee import finess ».");
    CHECK(reason(test::FixtureLine("rpps_wrong_separator.txt", 1)).find("séparateur attendu : |") != std::string::npos);
    CHECK(reason(test::FixtureLine("rpps_missing_column.txt", 1)) == "Colonne absente de l'en-tête : « Nom d'exercice ».");
    CHECK(FixtureColumns().fields() == 52);  // 53 names, the last one empty after the trailing '|'
}
