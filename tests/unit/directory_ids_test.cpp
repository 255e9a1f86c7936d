// Strong ids (common/ids.hpp, used by the directory's signatures): one kind cannot stand for another, nor a bare
// string for any. Checked by the compiler; the runtime cases pin comparison and hashing.
#include "directory/model.hpp"

#include <doctest/doctest.h>

#include <type_traits>
#include <unordered_set>

using namespace cordee;
using namespace cordee::directory;

static_assert(!std::is_convertible_v<StructureId, ProfessionalId>, "a structure id is no professional id");
static_assert(!std::is_convertible_v<ProfessionalId, StructureId>);
static_assert(!std::is_convertible_v<ActivityId, StructureId>);
static_assert(!std::is_convertible_v<AccountId, ProfessionalId>);
static_assert(!std::is_convertible_v<std::string, StructureId>, "made from text only explicitly");
static_assert(!std::is_convertible_v<StructureId, std::string>, "read back with str()");
static_assert(std::is_constructible_v<StructureId, std::string>);

TEST_CASE("strong ids compare and hash by their text") {
    const StructureId a("0190e1a0-0000-7000-8000-000000000001"), b("0190e1a0-0000-7000-8000-000000000002");
    CHECK(a == StructureId(a.str()));
    CHECK(a != b);
    CHECK(a < b);
    CHECK(StructureId().empty());
    std::unordered_set<StructureId> seen{a, b, StructureId(a.str())};
    CHECK(seen.size() == 2);
}
