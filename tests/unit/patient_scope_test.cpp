// The patient scope's binding (patients/scope): `{patient}` becomes a parameter at its place among the `?`, and a
// statement that does not name the patient is refused before it reaches any database.
#include "alerts/repository.hpp"
#include "notebook/repository.hpp"
#include "patients/repository.hpp"
#include "patients/scope.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <type_traits>

using namespace cordee;
using patients::Scope;

// The ids of the patient modules' rows are of their own kinds: one cannot be given where another is expected, nor a bare
// string where any is (the compiler refuses it, so these hold for every call, not only the ones tested).
static_assert(!std::is_convertible_v<patients::MemberId, notebook::EntryId>, "a member id is no entry id");
static_assert(!std::is_convertible_v<patients::MemberId, std::string>, "read back with str()");
static_assert(!std::is_convertible_v<notebook::EntryId, notebook::AttachmentId>, "an entry id is no file id");
static_assert(!std::is_convertible_v<alerts::AlertId, notebook::EntryId>);
static_assert(!std::is_convertible_v<std::string, patients::MemberId>, "made from text only explicitly");
static_assert(!std::is_convertible_v<std::string, notebook::EntryId>);
static_assert(!std::is_convertible_v<std::string, alerts::AlertId>);
// The repositories' signatures take them: a member's row is not found with an entry's id, nor a file with an entry's.
static_assert(std::is_invocable_v<decltype(&patients::repo::FindMember), Scope&, const patients::MemberId&>);
static_assert(!std::is_invocable_v<decltype(&patients::repo::FindMember), Scope&, const notebook::EntryId&>);
static_assert(!std::is_invocable_v<decltype(&patients::repo::FindMember), Scope&, const std::string&>);
static_assert(!std::is_invocable_v<decltype(&notebook::repo::FindAttachment), Scope&, const notebook::EntryId&>);
static_assert(!std::is_invocable_v<decltype(&notebook::repo::FindEntry), Scope&, const notebook::AttachmentId&>);
static_assert(!std::is_invocable_v<decltype(&alerts::repo::FindAlert), Scope&, const patients::MemberId&>);

namespace {
std::string Str(const storage::Value& v) { return std::get<std::string>(v); }
}  // namespace

TEST_CASE("patient scope: {patient} is bound where it stands among the parameters") {
    const auto [sql, params] = Scope::Bind("SELECT 1 FROM t WHERE a = ? AND patient_id = {patient} AND b = ?",
                                           {std::string("A"), std::string("B")}, "P1");
    CHECK(sql == "SELECT 1 FROM t WHERE a = ? AND patient_id = ? AND b = ?");
    REQUIRE(params.size() == 3);
    CHECK(Str(params[0]) == "A");
    CHECK(Str(params[1]) == "P1");
    CHECK(Str(params[2]) == "B");
}

TEST_CASE("patient scope: several markers, first and last") {
    const auto [sql, params] =
        Scope::Bind("SELECT {patient}, x FROM p WHERE id = ? AND (id = {patient} OR merged_into = {patient})",
                    {std::string("ID")}, "P2");
    CHECK(sql == "SELECT ?, x FROM p WHERE id = ? AND (id = ? OR merged_into = ?)");
    REQUIRE(params.size() == 4);
    CHECK(Str(params[0]) == "P2");
    CHECK(Str(params[1]) == "ID");
    CHECK(Str(params[2]) == "P2");
    CHECK(Str(params[3]) == "P2");
}

TEST_CASE("patient scope: quoted text is left alone") {
    const auto [sql, params] = Scope::Bind("SELECT '?{patient}' FROM t WHERE k <> 'contact' AND patient_id = {patient}",
                                           {}, "P3");
    CHECK(sql == "SELECT '?{patient}' FROM t WHERE k <> 'contact' AND patient_id = ?");
    REQUIRE(params.size() == 1);
    CHECK(Str(params[0]) == "P3");
}

TEST_CASE("patient scope: a statement that does not name the patient is refused") {
    CHECK_THROWS_AS(Scope::Bind("SELECT body FROM notebook_entries WHERE id = ?", {std::string("E")}, "P"),
                    std::logic_error);
    CHECK_THROWS_AS(Scope::Bind("SELECT body FROM notebook_entries WHERE patient_id = '{patient}'", {}, "P"),
                    std::logic_error);
}

TEST_CASE("patient scope: parameters and placeholders must match") {
    CHECK_THROWS_AS(Scope::Bind("SELECT 1 FROM t WHERE patient_id = {patient} AND a = ?", {}, "P"), std::logic_error);
    CHECK_THROWS_AS(Scope::Bind("SELECT 1 FROM t WHERE patient_id = {patient}", {std::string("extra")}, "P"),
                    std::logic_error);
}
