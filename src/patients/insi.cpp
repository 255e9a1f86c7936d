#include "patients/insi.hpp"

#include "common/log.hpp"
#include "common/text.hpp"
#include "patients/identity.hpp"

#include <boost/json.hpp>

#include <fstream>
#include <sstream>

namespace cordee::patients {
namespace {

std::string Str(const boost::json::object& o, const char* k) {
    auto it = o.find(k);
    return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : std::string();
}

class SimulatedInsi final : public InsiClient {
public:
    explicit SimulatedInsi(std::string path) : path_(std::move(path)) {}

    InsiAnswer Lookup(const InsiTraits& t) override {
        std::ifstream in(path_);
        if (!in) return {};
        std::stringstream ss;
        ss << in.rdbuf();
        boost::json::value doc;
        try {
            doc = boost::json::parse(ss.str());
        } catch (const std::exception& e) {
            log::Warn("insi simulator file unreadable", {{"path", path_}, {"error", e.what()}});
            return {};
        }
        // A list of identities, or an object holding it under "identities".
        if (doc.is_object() && doc.as_object().contains("identities")) doc = doc.as_object().at("identities");
        if (!doc.is_array()) return {};
        InsiAnswer close;
        for (const auto& v : doc.as_array()) {
            if (!v.is_object()) continue;
            const auto& o = v.as_object();
            const auto nir = CheckNir(Str(o, "matricule"));
            if (!nir) continue;  // the national base never returns a wrong key: ignore such lines
            InsiTraits known{Str(o, "birth_name"), Str(o, "birth_first_names"), Str(o, "sex"), Str(o, "birth_date"),
                             Str(o, "birthplace_code")};
            if (FoldForSearch(known.birth_name) != FoldForSearch(t.birth_name)) continue;
            // The national base compares the strict traits; tell which one differs for the closest match.
            std::string diff;
            if (known.birth_date != t.birth_date) diff = "date de naissance";
            else if (known.sex != t.sex) diff = "sexe";
            else if (FoldForSearch(known.birth_first_names) != FoldForSearch(t.birth_first_names)) diff = "prénoms de naissance";
            else if (known.birthplace_code != t.birthplace_code) diff = "lieu de naissance";
            if (diff.empty()) {
                InsiAnswer a;
                a.found = true;
                a.matricule = *nir;
                a.oid = Str(o, "oid").empty() ? kOidNir : Str(o, "oid");
                a.traits = known;
                return a;
            }
            if (close.difference.empty()) close.difference = diff;
        }
        return close;
    }

private:
    std::string path_;
};

}  // namespace

std::unique_ptr<InsiClient> MakeSimulatedInsi(std::string path) { return std::make_unique<SimulatedInsi>(std::move(path)); }

}  // namespace cordee::patients
