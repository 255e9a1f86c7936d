// Identity rules (RNIV/INS) and attachment type checks: pure functions, no database.
#include "common/errors.hpp"
#include "notebook/attachments.hpp"
#include "patients/identity.hpp"
#include "patients/policy.hpp"

#include <doctest/doctest.h>

using namespace cordee;
using namespace cordee::patients;

TEST_CASE("NIR keys: 97 minus the number modulo 97, Corsica read as 19 and 18") {
    CHECK(NirKey("2480351454001") == 58);
    CHECK(NirKey("185052A004012") == 70);
    CHECK(NirKey("185052B004012") == 97);
    CHECK(NirKey("12345") == -1);
    CHECK(NirKey("1850X2A004012") == -1);
    CHECK(CheckNir("248035145400158").value() == "248035145400158");
    CHECK(CheckNir("2 48 03 51 454 001 58").value() == "248035145400158");
    CHECK(CheckNir("185052a00401270").value() == "185052A00401270");
    CHECK(CheckNir("185052B00401297").has_value());
    CHECK_FALSE(CheckNir("248035145400159").has_value());  // wrong key
    CHECK_FALSE(CheckNir("185052A00401271").has_value());
    CHECK_FALSE(CheckNir("548035145400158").has_value());  // no such first digit
    CHECK_FALSE(CheckNir("2480351454001").has_value());    // no key
    CHECK_FALSE(CheckNir("2480351454001580").has_value());
    CHECK_FALSE(CheckNir("185053A00401270").has_value());  // 3A is not a département
    CHECK(OidKind(kOidNir) == "NIR");
    CHECK(OidKind(kOidDemo) == "NIR démo");
    CHECK(OidKind("1.2.3").empty());
}

TEST_CASE("names keep apostrophes, hyphens, Œ and accents; NFD becomes NFC; digits and emoji are refused") {
    CHECK(CheckName("n'diaye", true).value == "N'DIAYE");
    CHECK(CheckName("N’Diaye", true).value == "N'DIAYE");  // typographic apostrophe
    CHECK(CheckName("  Dupont-Aignan   de  la Tour ", true).value == "DUPONT-AIGNAN DE LA TOUR");
    CHECK(CheckName("cœur", true).value == "CŒUR");
    CHECK(CheckName("Hélène", false).value == "Hélène");
    CHECK(CheckName("He\xCC\x81le\xCC\x80ne", false).value == "Hélène");  // decomposed accents
    CHECK(CheckName("Ça", true).value == "ÇA");
    CHECK_FALSE(CheckName("Dupont2", true).error.empty());
    CHECK_FALSE(CheckName("Dupont \xF0\x9F\x98\x80", true).error.empty());  // emoji
    CHECK_FALSE(CheckName("'-", true).error.empty());                       // no letter
    CHECK_FALSE(CheckName("<script>", true).error.empty());
    CHECK_FALSE(CheckName("\xC3\x28", true).error.empty());  // invalid UTF-8
    CHECK_FALSE(CheckName(std::string(101, 'a'), false).error.empty());
}

TEST_CASE("birth dates: real dates, 00 for unknown parts, not before 1880 nor in the future") {
    const std::string today = "2026-11-23";
    CHECK(CheckBirthDate("1948-03-12", today).empty());
    CHECK(CheckBirthDate("1948-03-00", today).empty());
    CHECK(CheckBirthDate("1948-00-00", today).empty());
    CHECK(CheckBirthDate("2000-02-29", today).empty());
    CHECK(CheckBirthDate("2026-11-00", today).empty());
    CHECK(CheckBirthDate("2026-11-23", today).empty());
    CHECK_FALSE(CheckBirthDate("2023-02-29", today).empty());
    CHECK_FALSE(CheckBirthDate("2023-02-30", today).empty());
    CHECK_FALSE(CheckBirthDate("1900-02-29", today).empty());
    CHECK_FALSE(CheckBirthDate("1948-13-01", today).empty());
    CHECK_FALSE(CheckBirthDate("1948-00-12", today).empty());  // day known, month unknown
    CHECK_FALSE(CheckBirthDate("1700-01-01", today).empty());
    CHECK_FALSE(CheckBirthDate("2026-11-24", today).empty());
    CHECK_FALSE(CheckBirthDate("2027-00-00", today).empty());
    CHECK_FALSE(CheckBirthDate("12/03/1948", today).empty());
    CHECK_FALSE(CheckBirthDate("1948-3-12", today).empty());
}

TEST_CASE("INSEE birthplace codes") {
    CHECK(IsInseeCode("51454"));
    CHECK(IsInseeCode("2A004"));
    CHECK(IsInseeCode("2B033"));
    CHECK(IsInseeCode("99350"));
    CHECK_FALSE(IsInseeCode("3A004"));
    CHECK_FALSE(IsInseeCode("5145"));
    CHECK_FALSE(IsInseeCode("00123"));
    CHECK_FALSE(IsInseeCode("51 45"));
}

TEST_CASE("the commune of an address is the words after its postal code") {
    CHECK(CommuneOfAddress("3 rue Jacquart, 51100 Reims") == "Reims");
    CHECK(CommuneOfAddress("12 avenue de Champagne 51200 Épernay") == "Épernay");
    CHECK(CommuneOfAddress("BP 12, 10000 Troyes Cedex") == "Troyes");
    CHECK(CommuneOfAddress("51100 Reims, 3e étage") == "Reims");
    CHECK(CommuneOfAddress("Ferme du Moulin, lieu-dit Les Hauts") == "");
    CHECK(CommuneOfAddress("Boîte 123456 Reims") == "");  // six digits are not a postal code
    CHECK(CommuneOfAddress("") == "");
}

TEST_CASE("health professions see health-only entries; social and management ones do not") {
    CHECK(IsHealthProfession("10"));
    CHECK(IsHealthProfession("60"));
    CHECK(IsHealthProfession("AS"));
    CHECK_FALSE(IsHealthProfession("ASS"));
    CHECK_FALSE(IsHealthProfession("COORD"));
    CHECK_FALSE(IsHealthProfession("DIR"));
    Grant social;
    social.structures = {"s1"};
    CHECK(MaySee(social, "circle", ""));
    CHECK_FALSE(MaySee(social, "health", ""));
    CHECK(MaySee(social, "structure", "s1"));
    CHECK_FALSE(MaySee(social, "structure", "s2"));
    Grant health;
    health.health = true;
    CHECK(MaySee(health, "health", ""));
    const auto clause = VisibleTo(social, "v", "s");
    CHECK(clause.sql == "(v = 'circle' OR (v = 'structure' AND s IN (?)))");
    CHECK(clause.params.size() == 1);
    CHECK(InList(0) == "(NULL)");
    CHECK(InList(3) == "(?, ?, ?)");
}

TEST_CASE("attachments: the type comes from the bytes; active content and markup are refused") {
    using notebook::CheckContent;
    auto status_of = [](const std::string& bytes, const std::string& name) {
        try {
            CheckContent(bytes, name);
            return 0;
        } catch (const Error& e) {
            return e.status();
        }
    };
    CHECK(CheckContent("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", "cr.pdf").mime == "application/pdf");
    CHECK(CheckContent(std::string("\x89PNG\r\n\x1a\n", 8) + "data", "photo.png").mime == "image/png");
    CHECK(CheckContent("\xFF\xD8\xFF\xE0 jpeg", "photo.jpeg").mime == "image/jpeg");
    CHECK(CheckContent("Tension 13/8, RAS.\r\n", "note.txt").mime == "text/plain; charset=utf-8");
    CHECK(CheckContent("Tension 13/8", "sans-extension").mime == "text/plain; charset=utf-8");
    CHECK(status_of("%PDF-1.4 << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>", "a.pdf") == 415);
    CHECK(status_of("%PDF-1.4 << /S /Launch /F (cmd.exe) >>", "a.pdf") == 415);
    CHECK(status_of("%PDF-1.4 << /JSON (not a script) >>", "a.pdf") == 0);
    CHECK(status_of("<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "a.svg") == 415);
    CHECK(status_of("  <!DOCTYPE html><html></html>", "a.txt") == 415);
    CHECK(status_of(std::string("PK\x03\x04", 4) + "zip", "a.zip") == 415);
    CHECK(status_of(std::string("MZ\x90\x00", 4), "a.exe") == 415);
    CHECK(status_of(std::string("\x00\x01\x02", 3), "a.bin") == 415);
    CHECK(status_of(std::string("\x89PNG\r\n\x1a\n", 8), "faux.pdf") == 422);  // lying extension
    CHECK(status_of("", "vide.txt") == 422);
    CHECK(notebook::CleanFileName("../../etc/passwd") == "passwd");
    CHECK(notebook::CleanFileName("a\"b;c\r\n.pdf") == "abc.pdf");
    CHECK(notebook::CleanFileName("...") == "document");
}

#include "notebook/image.hpp"

#include <png.h>
#include <turbojpeg.h>

TEST_CASE("images are re-encoded: what follows or hides in the file is dropped, huge pictures are refused") {
    // A 4×3 PNG made with libpng, then a script appended after its end (a polyglot file).
    png_image img{};
    img.version = PNG_IMAGE_VERSION;
    img.width = 4;
    img.height = 3;
    img.format = PNG_FORMAT_RGBA;
    std::vector<png_byte> px(PNG_IMAGE_SIZE(img), 200);
    png_alloc_size_t size = 0;
    REQUIRE(png_image_write_to_memory(&img, nullptr, &size, 0, px.data(), 0, nullptr));
    std::string png(size, '\0');
    REQUIRE(png_image_write_to_memory(&img, png.data(), &size, 0, px.data(), 0, nullptr));
    png.resize(size);
    const std::string polyglot = png + "<script>alert(1)</script>";
    const std::string clean = notebook::ReencodePng(polyglot);
    CHECK(clean.find("<script>") == std::string::npos);
    CHECK(clean.substr(1, 3) == "PNG");
    CHECK_THROWS_AS(notebook::ReencodePng(png.substr(0, 20)), Error);

    tjhandle enc = tjInitCompress();
    unsigned char* jpg = nullptr;
    unsigned long jsize = 0;
    std::vector<unsigned char> rgb(8 * 8 * 3, 120);
    REQUIRE(tjCompress2(enc, rgb.data(), 8, 0, 8, TJPF_RGB, &jpg, &jsize, TJSAMP_420, 90, 0) == 0);
    std::string jpeg(reinterpret_cast<char*>(jpg), jsize);
    tjFree(jpg);
    tjDestroy(enc);
    const std::string jclean = notebook::ReencodeJpeg(jpeg + "PK\x03\x04 hidden zip");
    CHECK(jclean.find("hidden zip") == std::string::npos);
    CHECK(static_cast<unsigned char>(jclean[0]) == 0xFF);
    // A header claiming 60,000 × 60,000 pixels is refused before any allocation.
    std::string huge = png;
    huge[16] = 0, huge[17] = 0, huge[18] = '\xEA', huge[19] = '\x60';  // width 60000
    huge[20] = 0, huge[21] = 0, huge[22] = '\xEA', huge[23] = '\x60';  // height 60000
    CHECK_THROWS_AS(notebook::ReencodePng(huge), Error);
}
