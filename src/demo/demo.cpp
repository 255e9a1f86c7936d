// The demo territory: a fictional part of Grand Est (Reims, Troyes, Châlons-en-Champagne) with its
// structures, a few hundred professionals, one account per role and two enrolments waiting for
// approval, so that a newcomer can sign in and try every page within a minute.
#include "app/app.hpp"
#include "audit/audit.hpp"
#include "auth/repository.hpp"
#include "auth/totp.hpp"
#include "common/ids.hpp"
#include "common/time.hpp"
#include "directory/repository.hpp"
#include "patients/identity.hpp"

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace cordee::app {
namespace {

struct Town {
    const char* name;
    const char* postal;
    double lat, lon;
};
const Town kTowns[] = {{"Reims", "51100", 49.2583, 4.0317},          {"Troyes", "10000", 48.2973, 4.0744},
                       {"Châlons-en-Champagne", "51000", 48.9566, 4.3631}, {"Épernay", "51200", 49.0403, 3.9590},
                       {"Romilly-sur-Seine", "10100", 48.5167, 3.7264},    {"Vitry-le-François", "51300", 48.7247, 4.5853}};

struct StructureSeed {
    const char* name;
    const char* kind;
    const char* finess;
    int town;
};
const StructureSeed kStructures[] = {
    {"CHU de Reims", "CHU", "510000029", 0},
    {"Centre hospitalier de Troyes", "CH", "100000017", 1},
    {"Centre hospitalier de Châlons-en-Champagne", "CH", "510000037", 2},
    {"EHPAD Les Tilleuls", "EHPAD", "510012345", 0},
    {"EHPAD La Roseraie", "EHPAD", "100012346", 1},
    {"EHPAD Saint-Joseph", "EHPAD", "510012347", 2},
    {"SSIAD du Pays rémois", "SSIAD", "510022348", 0},
    {"SSIAD de l'Aube", "SSIAD", "100022349", 1},
    {"DAC 51 — Dispositif d'appui à la coordination", "DAC", "", 0},
    {"DAC 10 — Dispositif d'appui à la coordination", "DAC", "", 1},
    {"CPTS Reims Centre", "CPTS", "", 0},
    {"CPTS du Grand Troyes", "CPTS", "", 1},
    {"CCAS de Reims", "CCAS", "", 0},
    {"CCAS de Châlons-en-Champagne", "CCAS", "", 2},
    {"Maison de santé pluriprofessionnelle d'Épernay", "MSP", "510032350", 3},
    {"SAAD Aide à domicile Champagne", "SAAD", "510042351", 5},
};

struct Profession {
    const char* code;
    const char* label;
    const char* specialty;
};
const Profession kProfessions[] = {
    {"10", "Médecin", "Médecine générale"}, {"10", "Médecin", "Cardiologie"}, {"10", "Médecin", "Gériatrie"},
    {"10", "Médecin", "Endocrinologie"}, {"21", "Pharmacien", ""}, {"40", "Chirurgien-dentiste", ""},
    {"50", "Sage-femme", ""}, {"60", "Infirmier", ""}, {"60", "Infirmier", ""}, {"70", "Masseur-kinésithérapeute", ""},
    {"91", "Orthophoniste", ""}, {"ASS", "Assistant de service social", ""}, {"AS", "Aide-soignant", ""},
};

const char* kFirstNames[] = {"Camille", "Louise", "Hugo", "Léa", "Jules", "Chloé", "Gabriel", "Manon", "Arthur",
                             "Inès", "Louis", "Zoé", "Raphaël", "Jeanne", "Nathan", "Élodie", "Théo", "Anaïs",
                             "Benoît", "Clémence", "François", "Hélène", "Joël", "Maëlle"};
const char* kLastNames[] = {"Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Laurent", "Simon", "Michel",
                            "Garnier", "Rousseau", "Mercier", "Blanc", "Guérin", "Faure", "Chevalier", "N'Diaye",
                            "Le Gall", "Boyer", "Perrin", "Cœur", "Marchand", "Dupont-Aignan", "Lambert", "Roux"};

// Fixed password, fresh TOTP secrets: the demo is fictional and local, its second factor is real.
constexpr const char* kDemoPassword = "Cordee-demo-2026";

// Patients of the demo territory, followed by the demo accounts, created through the same services (policy,
// audit, timeline) as in real use. Identities are fictional; the INSi simulator knows some of them (DATA/insi.json)
// so that "Qualifier" can be tried, with demonstration NIRs (OID .11).
int LoadDemoPatients(App& app, const boost::json::array& accounts, const std::vector<std::string>& structure_ids) {
    auto who = [&](const char* email) {
        for (const auto& a : accounts)
            if (a.as_object().at("email").as_string() == email)
                return auth::Principal{std::string(a.as_object().at("account_id").as_string()), "", std::string(a.as_object().at("role").as_string()), "", "", "demo"};
        throw std::runtime_error(std::string("demo account missing: ") + email);
    };
    const auto medecin = who("medecin@demo.cordee.fr"), infirmier = who("infirmier@demo.cordee.fr"),
               sociale = who("assistante.sociale@demo.cordee.fr"), coordinatrice = who("coordinatrice@demo.cordee.fr");
    struct PatientSeed {
        const char *birth_name, *first_names, *used_name, *birth_date, *sex, *birthplace, *nir;
    };
    const PatientSeed seeds[] = {
        {"Lefèvre", "Jeanne Marie", "", "1938-04-17", "F", "51454", "238045145401268"},
        {"N'Diaye", "Mamadou", "", "1951-11-02", "M", "99341", ""},
        {"Cœurdevey", "Hélène", "Martin", "1944-07-00", "F", "10387", ""},
        {"Dupont-Aignan", "Pierre Louis", "", "1929-01-30", "M", "51108", "129015110805680"},
        {"Rousseau", "Lucienne", "Garnier", "1935-09-08", "F", "51230", ""},
        {"Petit", "Emma", "", "2019-05-21", "F", "51454", ""},
    };
    // The demonstration NIRs above carry their real key (97 − N mod 97).
    boost::json::array insi;
    int created = 0;
    for (const auto& sd : seeds) {
        patients::Identity id;
        id.birth_name = patients::CheckName(sd.birth_name, true).value;
        id.birth_first_names = sd.first_names;
        id.first_name = std::string(sd.first_names).substr(0, std::string(sd.first_names).find(' '));
        if (*sd.used_name) id.used_name = patients::CheckName(sd.used_name, true).value;
        id.birth_date = sd.birth_date;
        id.sex = sd.sex;
        id.birthplace_code = sd.birthplace;
        id.identity_status = "recuperee";
        auto [status, body] = app.patients->Create(medecin, id, "medecin_traitant", true, "");
        const std::string pid(boost::json::parse(body).as_object().at("id").as_string());
        ++created;
        if (*sd.nir)
            insi.push_back({{"matricule", sd.nir}, {"oid", patients::kOidDemo}, {"birth_name", *id.birth_name},
                            {"birth_first_names", sd.first_names}, {"sex", sd.sex}, {"birth_date", sd.birth_date},
                            {"birthplace_code", sd.birthplace}});
        auto add = [&](const auth::Principal& m, const char* role) {
            patients::NewMember nm;
            nm.account_id = m.account_id;
            nm.role = role;
            app.patients->AddMember(medecin, pid, nm, "");
        };
        add(infirmier, "infirmier");
        if (created != 6) add(sociale, "assistante_sociale");
        if (created <= 3) add(coordinatrice, "coordinateur");
        // The SSIAD follows the first two at home: all its staff reach them through the structure.
        if (created <= 2) {
            patients::NewMember nm;
            nm.structure_id = structure_ids[6];
            nm.role = "structure";
            app.patients->AddMember(medecin, pid, nm, "");
        }
        auto note = [&](const auth::Principal& author, const char* kind, const char* visibility, std::string text,
                        int hours_ago, boost::json::object vitals = {}) {
            notebook::NewEntry e;
            e.kind = kind;
            e.visibility = visibility;
            e.body = std::move(text);
            e.fact_at = NowMicros() - int64_t{hours_ago} * 3600 * kMicrosPerSecond;
            e.vitals = std::move(vitals);
            app.notebook->Add(author, pid, e, "");
        };
        note(medecin, "visit", "health", "Consultation de suivi. Traitement inchangé, tension à recontrôler dans 15 jours.", 72,
             {{"systolic", 142}, {"diastolic", 85}, {"heart_rate", 72}});
        note(infirmier, "transmission", "circle", "Passage du matin : toilette faite, bonne humeur, a bien mangé.", 30);
        note(infirmier, "observation", "health", "Pansement du talon refait, plaie propre, pas de signe d'infection.", 26,
             {{"temperature", 37.1}, {"pain", 2}});
        if (created != 6)
            note(sociale, "event", "circle", "Dossier APA déposé au conseil départemental ; visite d'évaluation prévue.", 8);
    }
    // Something to act on when the demo starts: a fall, seen by some and not by others.
    auto mine = app.patients->Mine(infirmier, 10, "");
    if (!mine.at("items").as_array().empty()) {
        const std::string first(mine.at("items").as_array()[0].as_object().at("id").as_string());
        app.alerts->RaiseByMember(infirmier, first, "chute", "urgente",
                                  "Chute dans la salle de bain cette nuit, relevée par sa fille. Hématome à la hanche droite.",
                                  {}, "");
    }
    std::ofstream out(app.cfg.insi_file.empty() ? app.cfg.data + "/insi.json" : app.cfg.insi_file);
    out << boost::json::serialize(insi) << "\n";
    return created;
}

}  // namespace

std::string LoadDemo(App& app) {
    const std::string accounts_path = app.cfg.data + "/demo-accounts.json";
    const bool loaded = app.db->ReadValue([](storage::Session& s) {
        return s.One("SELECT 1 FROM accounts WHERE email = 'operateur@demo.cordee.fr'").has_value();
    });
    if (loaded && std::filesystem::exists(accounts_path)) {
        std::ifstream in(accounts_path);
        std::stringstream ss;
        ss << in.rdbuf();
        return "Le territoire de démonstration est déjà chargé. Comptes (" + accounts_path + ") :\n" + ss.str() + "\n";
    }
    if (loaded) throw std::runtime_error("demo already loaded but " + accounts_path + " is missing: use a new data directory");

    std::vector<std::string> structure_ids;
    app.db->Write([&](storage::Session& s) {
        for (const auto& st : kStructures) {
            const Town& t = kTowns[st.town];
            directory::Structure d{NewUuidV7(), st.name, st.kind, st.finess, t.name, t.postal, std::pair{t.lat, t.lon}};
            directory::InsertStructure(s, d);
            structure_ids.push_back(d.id);
        }
        // A deterministic spread of professionals across towns, professions and structures.
        uint32_t seed = 20261123;
        auto next = [&seed] { return seed = seed * 1664525u + 1013904223u, seed >> 8; };
        for (int i = 0; i < 360; ++i) {
            const auto& prof = kProfessions[next() % std::size(kProfessions)];
            const int town = static_cast<int>(next() % std::size(kTowns));
            char rpps[16];
            // Real RPPS numbers start with 10: the demo's start with 19, so that importing a national file
            // into a demo territory never meets one of them.
            std::snprintf(rpps, sizeof rpps, "19%09u", next() % 1000000000u);
            const bool salaried = next() % 3 == 0;
            directory::Professional p{NewUuidV7(), rpps, next() % 2 ? "Dr" : "",
                                      kFirstNames[next() % std::size(kFirstNames)],
                                      kLastNames[next() % std::size(kLastNames)], prof.code, prof.label, prof.specialty,
                                      salaried ? "S" : "L",
                                      salaried ? structure_ids[next() % structure_ids.size()] : "", kTowns[town].name,
                                      kTowns[town].postal};
            directory::InsertProfessional(s, p);
        }
        // What some structures offer, with their places, as their administrators would keep them.
        struct Offer {
            int structure;
            const char *field, *care_mode, *label, *unit;
            int64_t min_age, installed, available;
        };
        const Offer offers[] = {
            {3, "Hébergement permanent", "Hébergement complet", "Hébergement permanent en EHPAD", "lits", 60, 84, 3},
            {3, "Hébergement temporaire", "Hébergement complet", "Hébergement temporaire", "lits", 60, 6, 1},
            {4, "Hébergement permanent", "Hébergement complet", "Hébergement permanent en EHPAD", "lits", 60, 72, 0},
            {5, "Hébergement permanent", "Hébergement complet", "Hébergement permanent en EHPAD", "lits", 60, 95, 2},
            {6, "Soins infirmiers à domicile", "Ambulatoire", "Soins infirmiers à domicile", "places", 60, 60, 5},
            {7, "Soins infirmiers à domicile", "Ambulatoire", "Soins infirmiers à domicile", "places", 60, 45, 0},
        };
        const int64_t now = NowMicros();
        for (const auto& o : offers) {
            const std::string activity = NewUuidV7();
            s.Exec("INSERT INTO structure_activities (id, structure_id, field, care_mode, label, public_min_age, area, "
                   "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   {activity, structure_ids[o.structure], o.field, o.care_mode, o.label, o.min_age,
                    kTowns[kStructures[o.structure].town].name, now});
            for (const auto& [type, count] : {std::pair{"installee", o.installed}, std::pair{"disponible", o.available}}) {
                s.Exec("INSERT INTO capacities (activity_id, type, count, unit, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, "
                       "'demo')",
                       {activity, type, count, o.unit, now});
                s.Exec("INSERT INTO capacity_history (activity_id, type, count, unit, at, by_account) VALUES (?, ?, ?, ?, "
                       "?, 'demo')",
                       {activity, type, count, o.unit, now});
            }
        }
        audit::Append(s, {"", "demo.load", "territory", "", "", "success", {{"structures", structure_ids.size()}}});
    });

    struct Seed {
        const char* email;
        const char* first;
        const char* last;
        const char* role;
        const char* code;
        const char* label;
        const char* specialty;
        int structure;  // index in kStructures, -1 none
        const char* link_role;
    };
    const Seed seeds[] = {
        {"operateur@demo.cordee.fr", "Odile", "Marchal", auth::kOperator, "OPE", "Opérateur de territoire", "", -1, ""},
        {"admin.ehpad@demo.cordee.fr", "Paul", "Henriot", auth::kStructureAdmin, "DIR", "Directeur d'établissement", "",
         3, "admin"},
        {"coordinatrice@demo.cordee.fr", "Sophie", "Aubert", auth::kCoordinator, "COORD", "Coordinatrice de parcours", "",
         8, "member"},
        {"medecin@demo.cordee.fr", "Claire", "Fontaine", auth::kProfessional, "10", "Médecin", "Médecine générale", 10,
         "member"},
        {"infirmier@demo.cordee.fr", "Karim", "Benali", auth::kProfessional, "60", "Infirmier", "", 6, "member"},
        {"assistante.sociale@demo.cordee.fr", "Nadia", "Lemoine", auth::kProfessional, "ASS",
         "Assistant de service social", "", 12, "member"},
    };
    auto to_account = [&](const Seed& sd) {
        auth::NewAccount n;
        n.email = sd.email;
        n.password = kDemoPassword;
        n.first_name = sd.first;
        n.last_name = sd.last;
        n.role = sd.role;
        n.profession_code = sd.code;
        n.profession_label = sd.label;
        n.specialty = sd.specialty;
        n.totp_secret = auth::NewTotpSecret();
        if (sd.structure >= 0) n.structures.push_back({structure_ids[sd.structure], sd.link_role});
        return n;
    };
    boost::json::array accounts;
    for (const auto& sd : seeds) {
        const auth::NewAccount n = to_account(sd);
        const std::string id = app.auth->CreateAccount(n, "demo");
        accounts.push_back({{"email", sd.email}, {"password", kDemoPassword}, {"totp_secret", n.totp_secret},
                            {"role", sd.role}, {"account_id", id}, {"profession", sd.label}});
    }
    // Two sign-ups waiting in the queue of the EHPAD's administrator and of the operator.
    const Seed waiting[] = {
        {"aide-soignante.attente@demo.cordee.fr", "Julie", "Perrot", auth::kProfessional, "AS", "Aide-soignant", "", 3,
         "member"},
        {"kine.attente@demo.cordee.fr", "Marc", "Olivier", auth::kProfessional, "70", "Masseur-kinésithérapeute", "",
         14, "member"},
    };
    for (const auto& sd : waiting) {
        const std::string id = app.auth->CreateAccount(to_account(sd), "demo");
        app.db->Write([&](storage::Session& s) { auth::repo::SetStatus(s, id, "pending_approval", "", ""); });
    }
    std::filesystem::create_directories(app.cfg.data);
    const int patients = LoadDemoPatients(app, accounts, structure_ids);
    {
        std::ofstream out(accounts_path);
        out << boost::json::serialize(accounts) << "\n";
    }
    std::string text = "Territoire de démonstration chargé : " + std::to_string(std::size(kStructures)) +
                       " structures, 360 professionnels, " + std::to_string(accounts.size()) + " comptes, " +
                       std::to_string(patients) + " patients suivis.\n";
    text += "Mot de passe de tous les comptes : " + std::string(kDemoPassword) + "\n";
    text += "Second facteur : ajoutez la clé TOTP dans une application d'authentification (ou oathtool --totp -b CLÉ).\n\n";
    for (const auto& a : accounts) {
        const auto& o = a.as_object();
        text += "  " + std::string(o.at("role").as_string()) + std::string(18 - o.at("role").as_string().size(), ' ') +
                std::string(o.at("email").as_string()) + "   TOTP " + std::string(o.at("totp_secret").as_string()) + "\n";
    }
    text += "\nComptes écrits dans " + accounts_path + "\n";
    return text;
}

}  // namespace cordee::app
