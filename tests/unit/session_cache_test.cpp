#include "auth/session_cache.hpp"

#include <doctest/doctest.h>

using namespace cordee::auth;

namespace {
SessionCache::Entry EntryFor(const std::string& hash, const std::string& account, int64_t at) {
    SessionCache::Entry e;
    e.row.token_hash = hash;
    e.row.account_id = account;
    e.stored_at = at;
    return e;
}
}  // namespace

TEST_CASE("a cached session is served until it expires or is forgotten") {
    SessionCache cache(5'000'000);
    cache.Put(cache.Generation(), EntryFor("h1", "a1", 1'000'000));
    CHECK(cache.Get("h1", 2'000'000));
    CHECK_FALSE(cache.Get("h1", 7'000'001));  // older than the time-to-live
    cache.ForgetSession("h1");
    CHECK_FALSE(cache.Get("h1", 2'000'000));
}

TEST_CASE("a read that raced with a change is not stored") {
    SessionCache cache(5'000'000);
    const auto before_read = cache.Generation();
    cache.ForgetAccount("a1");  // a write committed while the reader was reading
    cache.Put(before_read, EntryFor("h1", "a1", 1'000'000));
    CHECK_FALSE(cache.Get("h1", 1'000'000));
}

TEST_CASE("forgetting an account forgets all its sessions and only them") {
    SessionCache cache(5'000'000);
    cache.Put(cache.Generation(), EntryFor("h1", "a1", 1));
    cache.Put(cache.Generation(), EntryFor("h2", "a1", 1));
    cache.Put(cache.Generation(), EntryFor("h3", "a2", 1));
    cache.ForgetAccount("a1");
    CHECK_FALSE(cache.Get("h1", 2));
    CHECK_FALSE(cache.Get("h2", 2));
    CHECK(cache.Get("h3", 2));
}

TEST_CASE("a cache with no time-to-live stores nothing") {
    SessionCache cache(0);
    cache.Put(cache.Generation(), EntryFor("h1", "a1", 1));
    CHECK_FALSE(cache.Get("h1", 1));
}
