// Lists across patients: search (the caller's own patients, and others only for a precise query) and "my patients"
// with unread and alert counts. Each row's access is decided in the statement by the policy's membership clause.
#include "patients/service.hpp"

#include "patients/service_parts.hpp"

#include "audit/audit.hpp"
#include "common/text.hpp"
#include "common/time.hpp"
#include "patients/identity.hpp"
#include "patients/repository.hpp"

#include <algorithm>
#include <map>
#include <sstream>

namespace cordee::patients {
using namespace parts;

std::string SearchNames(std::initializer_list<std::string_view> names) {
    std::string out = " ";
    for (auto n : names) {
        std::string word;
        for (char c : FoldForSearch(n) + " ") {
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                word += c;
            } else if (!word.empty()) {
                if (out.find(" " + word + " ") == std::string::npos) out += word + " ";
                word.clear();
            }
        }
    }
    return out;
}

std::string NameKey(std::string_view name) {
    std::string out;
    for (char c : FoldForSearch(name))
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out += c;
    return out;
}


boost::json::object PatientService::Search(const auth::Principal& p, const std::string& q, const std::string& birth_date,
                                           const std::string& ins) {
    // The parts of the query as the names are kept: "Lefèvre-Abcde" looks for "lefevre" and "abcde".
    std::vector<std::string> words;
    {
        std::istringstream in(SearchNames({q}));
        for (std::string w; in >> w && words.size() < 6;) words.push_back(w);
    }
    Actor actor;
    json::array items;
    std::vector<std::string> shown, strangers;
    records_.db().Read([&](storage::Session& s) {
        actor = records_.LoadActor(s, p);
        const repo::SearchFilter filter{words, birth_date, ins};
        // The caller's own patients first (members, current emergency accesses; every patient for operators), each
        // with the way the caller reaches it, from the same query.
        const int64_t now = NowMicros();
        for (const auto& [r, is_member] :
             repo::SearchMine(s, filter, MemberOf(actor, "m", now), actor.IsOperator(), actor.account_id, now)) {
            const char* via = is_member ? "member" : actor.IsOperator() ? "operator" : "break_glass";
            items.push_back(SummaryJson(r, via));
            shown.push_back(r.id);
        }
        // Others only for a precise query (an INS, or a name with a full birth date): enough to open an
        // emergency access to the right person, never a browsable list of the territory's patients.
        const bool full_date = birth_date.size() == 10 && birth_date.substr(5, 2) != "00" && birth_date.substr(8, 2) != "00";
        const bool precise = !ins.empty() || (!words.empty() && full_date);
        if (precise && !actor.IsOperator() && items.size() < 50) {
            for (const auto& r : repo::SearchAll(s, filter)) {
                if (std::find(shown.begin(), shown.end(), r.id) != shown.end()) continue;
                items.push_back(SummaryJson(r, "none"));
                shown.push_back(r.id);
                strangers.push_back(r.id);
            }
        }
    });
    records_.db().Write([&](storage::Session& s) {
        audit::Event e{actor.account_id, "patient.search", "patient_list", "", actor.ip, "success",
                       {{"results", static_cast<int64_t>(shown.size())}}};
        audit::Append(s, e);
        // A patient shown to someone outside the circle appears in that patient's access log.
        for (const auto& id : strangers)
            PatientRecords::Audit(s, actor, id, std::nullopt, "patient.search_result", {{"outcome", "identity shown"}});
    });
    return {{"items", items}};
}

int64_t PatientService::MineCount(const auth::Principal& p) {
    return records_.db().ReadValue([&](storage::Session& s) {
        const Actor actor = records_.LoadActor(s, p);
        return repo::CountMine(s, MemberOf(actor, "m", NowMicros()));
    });
}

boost::json::object PatientService::Mine(const auth::Principal& p, int limit, const std::string& cursor) {
    Actor actor;
    json::array items;
    std::string next;
    records_.db().Read([&](storage::Session& s) {
        actor = records_.LoadActor(s, p);
        std::optional<std::pair<int64_t, std::string>> after;
        if (!cursor.empty()) after = ParseTimeCursor(cursor);
        auto page = repo::MinePage(s, MemberOf(actor, "m", NowMicros()), after, static_cast<int64_t>(limit + 1));
        if (static_cast<int>(page.size()) > limit) {
            next = TimeCursor(page[limit - 1].last_activity_at, page[limit - 1].patient_id);
            page.erase(page.begin() + limit, page.end());
        }
        if (page.empty()) return;
        std::vector<std::string> ids;
        for (const auto& r : page) ids.push_back(r.patient_id);
        std::map<std::string, PatientRow> identity;
        for (auto& r : repo::FindPatients(s, ids)) {
            std::string pid = r.id;
            identity.emplace(std::move(pid), std::move(r));
        }
        // Unread entries (visible to the caller, written by others since their last reading) and open alerts. Each
        // patient's count is an index range after its own reading time (authors mark what they write as read).
        std::map<std::string, int64_t> seen, unread, alerts;
        for (const auto& [pid, at] : repo::ReadTimes(s, actor.account_id, ids)) seen[pid] = at;
        Grant reader;
        reader.health = actor.health;
        reader.structures = actor.structures;
        std::vector<std::pair<std::string, int64_t>> since;
        for (const auto& pid : ids) since.emplace_back(pid, seen.count(pid) ? seen[pid] : int64_t{0});
        const auto counts = repo::UnreadCounts(s, since, actor.account_id, VisibleTo(reader, "t.visibility", "t.structure_id"));
        for (size_t i = 0; i < ids.size(); ++i) unread[ids[i]] = counts[i];
        // Open alerts addressed to the caller that the caller may read (the same visibility rule as the alert lists).
        for (const auto& [pid, n] :
             repo::OpenAlertCounts(s, actor.account_id, ids, VisibleTo(reader, "al.visibility", "al.structure_id")))
            alerts[pid] = n;
        for (const auto& r : page) {
            auto found = identity.find(r.patient_id);
            if (found == identity.end()) continue;
            auto o = SummaryJson(found->second, "member");
            o["role"] = r.role;
            o["referent"] = r.referent;
            o["last_activity_at"] = FormatRfc3339(r.last_activity_at);
            o["unread"] = unread[r.patient_id];
            o["open_alerts"] = alerts[r.patient_id];
            // Where the patient lives, for the round of home visits (from the address; null when it names none).
            const std::string commune = CommuneOfAddress(found->second.address);
            o["commune"] = commune.empty() ? json::value(nullptr) : json::value(commune);
            items.push_back(std::move(o));
        }
    });
    records_.db().Write([&](storage::Session& s) {
        json::array ids;
        for (const auto& it : items) ids.push_back(it.at("id"));
        audit::Append(s, {actor.account_id, "patient.list_mine", "patient_list", "", actor.ip, "success", {{"patients", ids}}});
    });
    return {{"items", items}, {"next_cursor", next.empty() ? json::value(nullptr) : json::value(next)}};
}


std::vector<std::string> FollowedPatients(storage::Session& s, const Actor& actor, int64_t limit) {
    std::vector<std::string> out;
    for (const auto& r : repo::MinePage(s, MemberOf(actor, "m", NowMicros()), std::nullopt, limit))
        out.push_back(r.patient_id);
    std::sort(out.begin(), out.end());
    return out;
}

std::string RecordStatus(storage::Session& s, const std::string& patient_id) {
    return repo::PatientStatus(s, patient_id).value_or("");
}

sync::PatientCollection BannerCollection() {
    sync::PatientCollection c;
    c.name = "patients";
    c.entity = "patient";
    c.need = Need::kIdentity;
    c.recent = [](Scope& sc) {
        std::vector<sync::Item> out;
        if (auto r = repo::FindPatient(sc, sc.patient())) out.push_back({"", r->id, "", PatientJson(*r, &sc.grant()), ""});
        return out;
    };
    c.changed = [](Scope& sc, const std::string& id) -> std::optional<sync::Item> {
        if (id != sc.patient()) return std::nullopt;  // a merged record: its own tombstone says so
        auto r = repo::FindPatient(sc, id);
        if (!r) return std::nullopt;
        return sync::Item{"", r->id, "", PatientJson(*r, &sc.grant()), ""};
    };
    return c;
}

}  // namespace cordee::patients
