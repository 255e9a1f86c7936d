// The demo territory: a fictional part of Grand Est (Reims, Troyes, Châlons-en-Champagne) with its
// structures, a few hundred professionals, one account per role and two enrolments waiting for
// approval, so that a newcomer can sign in and try every page within a minute.
#include "app/app.hpp"
#include "messaging/service.hpp"
#include "audit/audit.hpp"
#include "auth/repository.hpp"
#include "auth/totp.hpp"
#include "common/ids.hpp"
#include "common/time.hpp"
#include "directory/repository.hpp"
#include "patients/identity.hpp"

#include <boost/json.hpp>

#include "common/text.hpp"

#include <cctype>
#include <filesystem>
#include <set>
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

// The FINESS category of the demo's kinds of structure (none for DAC, CPTS, CCAS, PMI: in no national file).
const char* CategoryCode(std::string_view kind) {
    static const std::pair<std::string_view, const char*> codes[] = {
        {"CHU", "101"}, {"CH", "355"}, {"EHPAD", "500"}, {"SSIAD", "354"}, {"MSP", "603"}, {"SAAD", "460"},
        {"Pharmacie", "620"}};
    for (const auto& [k, code] : codes)
        if (k == kind) return code;
    return "";
}

// "Maison de santé d'Épernay" → "maison-de-sante-d-epernay": the demo's mail domains and addresses.
std::string Slug(std::string_view text, size_t max = 40) {
    std::string out;
    for (unsigned char c : FoldForSearch(text)) {
        if (std::isalnum(c)) out.push_back(static_cast<char>(c));
        else if (!out.empty() && out.back() != '-') out.push_back('-');
    }
    while (!out.empty() && out.back() == '-') out.pop_back();
    return out.substr(0, max);
}

// A phone number of the town's area ("03 26" in the Marne, "03 25" in the Aube), the same for the same seed.
std::string Phone(const Town& t, uint32_t seed) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "03 2%c %02u %02u %02u", t.postal[1] == '0' ? '5' : '6', 10 + seed % 90,
                  (seed / 90) % 100, (seed / 9000) % 100);
    return buf;
}

// The MSSanté domains of the professions' national spaces (their Ordre's); none for the others.
const char* MssanteDomain(std::string_view profession) {
    static const std::pair<std::string_view, const char*> domains[] = {
        {"10", "medecin.mssante.fr"}, {"21", "pharmacien.mssante.fr"}, {"40", "chirurgien-dentiste.mssante.fr"},
        {"50", "sage-femme.mssante.fr"}, {"60", "infirmier.mssante.fr"}, {"70", "masseur-kinesitherapeute.mssante.fr"}};
    for (const auto& [code, domain] : domains)
        if (code == profession) return domain;
    return nullptr;
}

// Fixed password, fresh TOTP secrets: the demo is fictional and local, its second factor is real.
constexpr const char* kDemoPassword = "Cordee-demo-2026";

// What happened to each demo patient lately, fitting their age and situation, in the order of the seeds of
// LoadDemoPatients. Authors: 0 the médecin, 1 the infirmier, 2 the assistante sociale (absent from Emma's circle).
// The nurse's rounds carry vital signs, so that each patient's charts have a history and some values leave their
// usual range (flagged in the notebook).
struct DemoNote {
    int author;
    const char *kind, *visibility, *text;
    int hours_ago;
    const char* vitals;  // JSON object, "" for none
};
struct DemoAlert {
    const char *kind, *severity, *visibility, *body;
};
struct DemoStory {
    DemoNote notes[9];
    DemoAlert alerts[2];
};
const DemoStory kStories[] = {
    // Jeanne Lefèvre, 88, lives alone in Reims: hypertension, falls at night.
    {{{0, "visit", "health", "Consultation de suivi. Traitement antihypertenseur inchangé, tension à recontrôler dans 15 jours.", 120,
       R"({"systolic":142,"diastolic":85,"heart_rate":72})"},
      {1, "visit", "circle", "Passage du matin, constantes prises. Pilulier de la semaine préparé.", 102,
       R"({"systolic":136,"diastolic":80,"heart_rate":70,"spo2":96})"},
      {1, "visit", "circle", "Passage du matin, constantes prises.", 78, R"({"systolic":143,"diastolic":82,"heart_rate":71,"spo2":96})"},
      {1, "visit", "circle", "Passage du matin : se plaint de vertiges en se levant.", 54,
       R"({"systolic":153,"diastolic":84,"heart_rate":72,"spo2":95})"},
      {1, "visit", "circle", "Passage du matin : tension toujours haute, vertiges moins fréquents.", 30,
       R"({"systolic":159,"diastolic":86,"heart_rate":74,"spo2":95})"},
      {1, "transmission", "circle", "Sa fille passe le soir ; elle demande si un portage de repas est possible.", 28, ""},
      {2, "event", "circle", "Dossier APA déposé au conseil départemental ; visite d'évaluation prévue. Téléassistance proposée.", 8, ""}},
     {{"chute", "urgente", "circle",
       "Chute dans la salle de bain cette nuit, relevée par sa fille. Hématome à la hanche droite, marche possible."}}},
    // Mamadou N'Diaye, 75, Reims: type 2 diabetes on insulin, the nurse comes twice a day.
    {{{0, "visit", "health", "Diabète de type 2 sous insuline : HbA1c à 8,4 %. Doses du soir augmentées de 2 unités.", 140,
       R"({"systolic":138,"diastolic":82,"weight":84.5})"},
      {1, "visit", "circle", "Injection d'insuline du matin faite, glycémie capillaire notée.", 96, R"({"glycemia":1.62,"heart_rate":76})"},
      {1, "visit", "circle", "Injection du matin faite.", 72, R"({"glycemia":1.95,"heart_rate":78})"},
      {1, "visit", "circle", "Injection du matin faite. A oublié son repas de midi hier.", 48, R"({"glycemia":2.48,"heart_rate":80})"},
      {1, "observation", "health", "Examen des pieds : rougeur au gros orteil gauche, pas de plaie. À surveiller.", 47, ""},
      {1, "visit", "circle", "Injection du matin faite, glycémie très haute.", 3, R"({"glycemia":3.1,"heart_rate":84})"},
      {2, "event", "circle", "Demande d'aide-ménagère déposée auprès de la caisse de retraite (2 h par semaine).", 30, ""}},
     {{"aggravation", "importante", "health",
       "Glycémie à 3,1 g/L ce matin malgré le traitement : avis médical souhaité aujourd'hui."}}},
    // Hélène Martin (née Cœurdevey), 82, Troyes: Alzheimer disease, her husband is exhausted; the DAC coordinates.
    {{{0, "visit", "health", "Troubles de la mémoire qui progressent (MMS 17/30). Traitement inchangé, consultation mémoire demandée au CH de Troyes.", 160,
       R"({"systolic":128,"diastolic":76,"weight":58})"},
      {1, "visit", "circle", "Passage du soir : prise des médicaments surveillée, calme.", 100, R"({"systolic":126,"diastolic":74,"heart_rate":68})"},
      {1, "transmission", "circle", "Son mari dit ne plus dormir la nuit : elle se lève et cherche à sortir.", 76, ""},
      {1, "visit", "circle", "Passage du soir : a perdu 1 kg en un mois, mange peu seule.", 52,
       R"({"systolic":124,"diastolic":72,"heart_rate":70,"weight":57})"},
      {2, "event", "circle", "Entretien avec le mari : épuisement de l'aidant. Hébergement temporaire demandé à l'EHPAD La Roseraie.", 26, ""},
      {2, "observation", "structure", "Demande de mesure de protection (habilitation familiale) à préparer avec le fils.", 25, ""}},
     {{"autre", "importante", "circle",
       "Le mari a appelé : il ne peut plus assurer les nuits. Réunion de coordination à organiser cette semaine."}}},
    // Pierre Louis Dupont-Aignan, 97, Châlons-en-Champagne: heart failure, the nurse weighs him every morning.
    {{{0, "visit", "health", "Insuffisance cardiaque stable. Pesée chaque matin ; appeler si + 2 kg en 3 jours.", 130,
       R"({"systolic":118,"diastolic":70,"heart_rate":82,"weight":71})"},
      {1, "visit", "circle", "Pesée du matin, constantes prises.", 98, R"({"weight":71.2,"heart_rate":80,"spo2":95,"systolic":116})"},
      {1, "visit", "circle", "Pesée du matin, chevilles un peu gonflées.", 74, R"({"weight":72.1,"heart_rate":86,"spo2":94,"systolic":112})"},
      {1, "visit", "circle", "Pesée du matin : essoufflé en parlant, œdèmes des chevilles.", 50,
       R"({"weight":73.0,"heart_rate":96,"spo2":92,"systolic":108})"},
      {1, "visit", "circle", "Pesée du matin : + 2,4 kg en 3 jours, médecin prévenu.", 4,
       R"({"weight":73.6,"heart_rate":104,"spo2":91,"systolic":104})"},
      {2, "event", "circle", "Portage de repas sans sel mis en place par le CCAS à partir de lundi.", 20, ""}},
     {{"aggravation", "urgente", "health",
       "Prise de poids de 2,4 kg en 3 jours, essoufflement, saturation à 91 % : avis médical ce matin."}}},
    // Lucienne Rousseau (née Garnier), 91, Épernay: back home after a hip fracture operated at the CH.
    {{{0, "visit", "health", "Retour à domicile après prothèse de hanche gauche. Anticoagulant 35 jours, kinésithérapie 3 fois par semaine.", 150,
       R"({"systolic":132,"diastolic":78,"heart_rate":76,"pain":5})"},
      {1, "observation", "health", "Pansement de la cicatrice de hanche refait, plaie propre, agrafes en place.", 100,
       R"({"temperature":37.2,"pain":4})"},
      {1, "visit", "circle", "Injection d'anticoagulant faite. Marche avec le déambulateur jusqu'à la cuisine.", 76,
       R"({"systolic":130,"diastolic":76,"heart_rate":74,"pain":3})"},
      {1, "observation", "health", "Pansement refait : cicatrice un peu rouge en haut, température à surveiller.", 52,
       R"({"temperature":38.1,"pain":4})"},
      {1, "visit", "circle", "Injection faite. Douleur mieux calmée, dort bien.", 28, R"({"temperature":37.4,"pain":2,"systolic":128})"},
      {2, "event", "circle", "Barres d'appui et rehausseur de toilettes livrés ; dossier d'adaptation du logement en cours.", 10, ""}},
     {}},
    // Emma Petit, 7, Reims: asthma, seen at the CHU's emergency department last week; her parents and the school.
    {{{0, "visit", "health", "Revue après passage aux urgences pour crise d'asthme. Traitement de fond augmenté, plan d'action remis aux parents.", 90,
       R"({"heart_rate":104,"spo2":95,"temperature":37.0,"weight":22.5})"},
      {1, "visit", "circle", "Visite à domicile : technique d'inhalation avec la chambre revue avec Emma et sa mère.", 66,
       R"({"heart_rate":98,"spo2":97})"},
      {1, "visit", "circle", "Visite à domicile : pas de toux la nuit, sifflement léger à l'effort.", 42, R"({"heart_rate":96,"spo2":97})"},
      {0, "transmission", "circle", "Projet d'accueil individualisé (PAI) à signer avec l'école pour la rentrée de janvier.", 20, ""}},
     {}},
};

// Conversations of each kind, as a morning of coordination: the médecin and the infirmier à deux (the last message
// unread by the infirmier, so that the badge shows), and the team around a complex situation in a named group.
void LoadDemoConversations(App& app, const auth::Principal& medecin, const auth::Principal& infirmier,
                           const auth::Principal& sociale, const auth::Principal& coordinatrice,
                           const std::string& first_patient) {
    auto open = [&](const auth::Principal& by, const char* kind, const char* title,
                    std::vector<std::string> members) {
        messaging::NewConversation c{kind, title, std::move(members), {}};
        return std::string(boost::json::parse(app.messaging->Create(by, c, "").second).as_object().at("id").as_string());
    };
    auto say = [&](const auth::Principal& by, const std::string& cid, const char* text) {
        app.messaging->Send(by, cid, {"", text, ""});
    };
    const std::string duo = open(medecin, "direct", "", {infirmier.account_id});
    say(infirmier, duo, "Bonjour Docteur, la tension de Mme Lefèvre monte depuis trois passages (15,9 ce matin).");
    say(medecin, duo, "Merci. Je passe la voir demain en fin de matinée ; d'ici là, une prise matin et soir.");
    say(infirmier, duo, "Entendu, je note les valeurs dans le cahier.");
    say(medecin, duo, "Pouvez-vous vérifier aussi qu'elle prend bien son amlodipine ? Le pilulier de la semaine dernière était plein.");
    const std::string team = open(coordinatrice, "group", "Situation de Mme Martin",
                                  {medecin.account_id, infirmier.account_id, sociale.account_id});
    say(coordinatrice, team, "Bonjour à tous, je propose un point jeudi 14 h au DAC sur la situation de Mme Martin.");
    say(sociale, team, "Je serai là. Le dossier APA est déposé, réponse attendue sous deux mois.");
    say(infirmier, team, "Présent aussi. Son mari m'a dit ce matin qu'il n'en pouvait plus.");
    // The conversation of Mme Lefèvre's care circle: a note for everyone, one for the health professionals only
    // (the assistante sociale neither receives nor counts it), and the nurse's urgent message of this morning, due
    // in two hours, that the médecin has not read yet.
    const auto circle = app.messaging->OpenPatient(infirmier, first_patient).second;
    const std::string cid(circle.at("id").as_string());
    say(sociale, cid, "J'ai vu Mme Lefèvre hier : le portage des repas commence lundi.");
    messaging::NewMessage restricted{"", "Tension à 16/9 ce matin malgré l'amlodipine ; je reprends la mesure ce soir.",
                                     ""};
    restricted.visibility = "health";
    app.messaging->Send(infirmier, cid, restricted);
    messaging::NewMessage urgent{"", "Mme Lefèvre est tombée cette nuit, hématome au bras gauche. Pouvez-vous passer "
                                     "la voir aujourd'hui ?", ""};
    urgent.visibility = "health";
    urgent.urgent_until = NowMicros() + 2LL * 3600 * kMicrosPerSecond;
    urgent.mentions = {medecin.account_id};
    app.messaging->Send(infirmier, cid, urgent);
}

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
        const char *birth_name, *first_names, *used_name, *birth_date, *sex, *birthplace, *nir, *address, *phone;
    };
    const PatientSeed seeds[] = {
        {"Lefèvre", "Jeanne Marie", "", "1938-04-17", "F", "51454", "238045145401268", "8 rue de Vesle, 51100 Reims", "06 39 98 12 04"},
        {"N'Diaye", "Mamadou", "", "1951-11-02", "M", "99341", "", "14 avenue Jean Jaurès, 51100 Reims", "06 39 98 27 51"},
        {"Cœurdevey", "Hélène", "Martin", "1944-07-00", "F", "10387", "", "3 rue de la Monnaie, 10000 Troyes", "03 53 01 44 18"},
        {"Dupont-Aignan", "Pierre Louis", "", "1929-01-30", "M", "51108", "129015110805680", "21 rue de la Marne, 51000 Châlons-en-Champagne", "03 53 01 62 90"},
        {"Rousseau", "Lucienne", "Garnier", "1935-09-08", "F", "51230", "", "5 avenue de Champagne, 51200 Épernay", "06 39 98 73 36"},
        {"Petit", "Emma", "", "2019-05-21", "F", "51454", "", "2 place Drouet d'Erlon, 51100 Reims", "06 39 98 05 82"},
    };
    // The demonstration NIRs above carry their real key (97 − N mod 97); the phones are in the ranges ARCEP keeps for
    // fiction (06 39 98, 03 53 01).
    boost::json::array insi;
    int created = 0;
    std::string first_patient;
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
        id.address = sd.address;
        id.phone = sd.phone;
        auto [status, body] = app.patients->Create(medecin, id, "medecin_traitant", true, "");
        const std::string pid(boost::json::parse(body).as_object().at("id").as_string());
        if (first_patient.empty()) first_patient = pid;
        ++created;
        if (*sd.nir)
            insi.push_back({{"matricule", sd.nir}, {"oid", patients::kOidDemo}, {"birth_name", *id.birth_name},
                            {"birth_first_names", sd.first_names}, {"sex", sd.sex}, {"birth_date", sd.birth_date},
                            {"birthplace_code", sd.birthplace}});
        auto add = [&](const auth::Principal& m, const char* role) {
            patients::NewMember nm;
            nm.account_id = m.account_id;
            nm.role = role;
            return boost::json::parse(app.patients->AddMember(medecin, pid, nm, "").second).as_object();
        };
        add(infirmier, "infirmier");
        if (created != 6) add(sociale, "assistante_sociale");
        if (created <= 3) {
            const auto coord = add(coordinatrice, "coordinateur");
            // A complex situation: the DAC's coordinatrice takes over as referent (the médecin hands the mark over; a
            // circle has one referent, who manages it with its coordinators).
            if (created == 3) {
                patients::MemberPatch handover;
                handover.referent = true;
                app.patients->UpdateMember(medecin, pid, patients::MemberId(std::string(coord.at("id").as_string())),
                                           coord.at("version").to_number<int64_t>(), handover);
            }
        }
        // The SSIAD follows the first two at home: all its staff reach them through the structure.
        if (created <= 2) {
            patients::NewMember nm;
            nm.structure_id = structure_ids[6];
            nm.role = "structure";
            app.patients->AddMember(medecin, pid, nm, "");
        }
        // The patient's story: the notes of the last days and the alerts of the morning, as its professionals wrote them.
        static_assert(std::size(kStories) == std::size(seeds), "one story per patient");
        const DemoStory& story = kStories[created - 1];
        const auth::Principal* by[] = {&medecin, &infirmier, &sociale};
        for (const auto& n : story.notes) {
            if (!n.text) break;
            notebook::NewEntry e;
            e.kind = n.kind;
            e.visibility = n.visibility;
            e.body = n.text;
            e.fact_at = NowMicros() - int64_t{n.hours_ago} * 3600 * kMicrosPerSecond;
            if (*n.vitals) e.vitals = boost::json::parse(n.vitals).as_object();
            app.notebook->Add(*by[n.author], pid, e, "");
        }
        for (const auto& a : story.alerts) {
            if (!a.body) break;
            alerts::MemberAlert alert;
            alert.kind = a.kind;
            alert.severity = a.severity;
            alert.visibility = a.visibility;
            alert.body = a.body;
            app.alerts->RaiseByMember(infirmier, pid, alert, "");
        }
    }
    std::ofstream out(app.cfg.insi_file.empty() ? app.cfg.data + "/insi.json" : app.cfg.insi_file);
    out << boost::json::serialize(insi) << "\n";
    // Shortcuts a home nurse and a GP keep: their favourites travel in the offline store with their patients.
    for (const auto& p : {infirmier, medecin}) {
        app.portal->AddFavorite(p, "Alertes non lues", "/alertes", "");
        app.portal->AddFavorite(p, "SSIAD autour de Reims", "/annuaire?q=ssiad%20reims", "");
    }
    LoadDemoConversations(app, medecin, infirmier, sociale, coordinatrice, first_patient);
    return created;
}

}  // namespace

std::string LoadDemo(App& app) {
    const std::string accounts_path = app.cfg.data + "/demo-accounts.json";
    const bool loaded = app.db->ReadValue([](storage::Session& s) {
        return auth::repo::FindAccountByEmail(s, "operateur@demo.cordee.fr").has_value();
    });
    if (loaded && std::filesystem::exists(accounts_path)) {
        std::ifstream in(accounts_path);
        std::stringstream ss;
        ss << in.rdbuf();
        return "Le territoire de démonstration est déjà chargé. Comptes (" + accounts_path + ") :\n" + ss.str() + "\n";
    }
    if (loaded) throw std::runtime_error("demo already loaded but " + accounts_path + " is missing: use a new data directory");

    std::vector<std::string> structure_ids;
    std::set<std::string> mailboxes;  // homonyms get a number, as in the national MSSanté directory
    // The practice's phone and email (liberal ones: the RPPS file's "coord. structure"), and the MSSanté address.
    auto ContactDetails = [&](directory::Professional& p, const Town& t, uint32_t seed) {
        const std::string person = Slug(p.first_name) + "." + Slug(p.last_name);
        if (p.practice_mode == "L") {
            p.phone = Phone(t, seed);
            p.email = "cabinet." + Slug(p.last_name) + "@" + Slug(t.name, 20) + "-sante.fr";
        }
        if (const char* domain = MssanteDomain(p.profession_code)) {
            std::string box = person;
            for (int n = 2; !mailboxes.insert(box).second; ++n) box = person + std::to_string(n);
            p.mssante = box + "@" + domain;
        }
    };
    std::string claimed_kine;  // the RPPS number the waiting kiné typed at sign-up
    app.db->Write([&](storage::Session& s) {
        // Phones, emails and MSSanté mailboxes as the national files carry them.
        auto structure = [&](const StructureSeed& st) {
            const Town& t = kTowns[st.town];
            const std::string slug = Slug(st.name, 24);
            directory::Structure d{NewUuidV7(), st.name, st.kind, st.finess, t.name, t.postal, std::pair{t.lat, t.lon},
                                   CategoryCode(st.kind), Phone(t, static_cast<uint32_t>(structure_ids.size()) * 7919u),
                                   "contact@" + slug + ".fr", "secretariat@" + slug + ".mssante.fr"};
            directory::InsertStructure(s, d);
            structure_ids.push_back(d.id);
        };
        for (const auto& st : kStructures) structure(st);
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
            // "Docteur" where the RPPS file would say so: médecins, and some dentists and pharmacists.
            const bool doctor = next() % 2 == 1 || std::string_view(prof.code) == "10";
            const bool titled = doctor && (std::string_view(prof.code) == "10" || std::string_view(prof.code) == "40" ||
                                           std::string_view(prof.code) == "21");
            const char* first = kFirstNames[next() % std::size(kFirstNames)];
            const char* last = kLastNames[next() % std::size(kLastNames)];
            const size_t employer = salaried ? next() % structure_ids.size() : 0;
            // A salaried one lives where their structure is: "généraliste reims" means the same as the structure's town.
            const Town& where = salaried ? kTowns[kStructures[employer].town] : kTowns[town];
            directory::Professional p{NewUuidV7(), rpps, titled ? "Dr" : "", first, last, prof.code, prof.label,
                                      prof.specialty, salaried ? "S" : "L", salaried ? structure_ids[employer] : "",
                                      where.name, where.postal, "", "", ""};
            ContactDetails(p, where, seed);
            directory::InsertProfessional(s, p);
            if (claimed_kine.empty() && std::string_view(prof.code) == "70") claimed_kine = rpps;
        }
        // Who the vocabulary's words should also find: psychologists, a psychiatrist, pharmacies, PMI centres.
        const StructureSeed more_structures[] = {
            {"Pharmacie de la Cathédrale", "Pharmacie", "510052352", 0},
            {"Pharmacie du Marché", "Pharmacie", "100052353", 1},
            {"Centre de PMI Reims Wilson", "PMI", "", 0},
            {"Centre de PMI de Troyes", "PMI", "", 1},
        };
        for (const auto& st : more_structures) structure(st);
        struct Extra {
            const char *rpps, *civility, *first, *last, *code, *label, *specialty, *mode;
            int town, structure;
        };
        const Extra extras[] = {
            {"19900000011", "", "Agathe", "Morel", "93", "Psychologue", "", "L", 0, -1},
            {"19900000022", "", "Bastien", "Renard", "93", "Psychologue", "", "L", 1, -1},
            {"19900000033", "Dr", "Solène", "Caron", "10", "Médecin", "Psychiatrie", "S", 0, 0},
            {"19900000044", "Dr", "Yanis", "Haddad", "10", "Médecin", "Pédiatrie", "L", 1, -1},
        };
        for (const auto& e : extras) {
            directory::Professional p{NewUuidV7(), e.rpps, e.civility, e.first, e.last, e.code, e.label, e.specialty,
                                      e.mode, e.structure >= 0 ? structure_ids[e.structure] : "", kTowns[e.town].name,
                                      kTowns[e.town].postal, "", "", ""};
            ContactDetails(p, kTowns[e.town], static_cast<uint32_t>(std::stoul(std::string(e.rpps).substr(5))));
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
            directory::ActivityRow row;
            row.id = directory::ActivityId(activity);
            row.structure_id = StructureId(structure_ids[o.structure]);
            row.field = o.field;
            row.care_mode = o.care_mode;
            row.label = o.label;
            row.public_min_age = o.min_age;
            row.area = kTowns[kStructures[o.structure].town].name;
            directory::repo::InsertActivity(s, row, now);
            for (const auto& [type, count] : {std::pair{"installee", o.installed}, std::pair{"disponible", o.available}})
                directory::repo::SetCapacity(s, row.id, {type, count, o.unit, now, AccountId("demo"), std::nullopt});
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
        auth::NewAccount n = to_account(sd);
        n.waiting = true;
        if (std::string_view(sd.code) == "70") n.profession_code = "AUTRE";  // what the CLI would get from a form
        const std::string id = app.auth->CreateAccount(n, "demo");
        app.db->Write([&](storage::Session& s) {
            auth::repo::SetStatus(s, id, "pending_approval", "", "");
            // The kiné typed an RPPS number: the approver sees the directory entry beside what was typed.
            if (std::string_view(sd.code) != "70") return;
            if (auto entry = auth::repo::FindProfessionalByRpps(s, claimed_kine)) {
                auth::repo::ClaimProfessional(s, id, *entry,
                                              boost::json::serialize(boost::json::object{
                                                  {"first_name", sd.first}, {"last_name", sd.last},
                                                  {"profession_code", sd.code}, {"profession_label", sd.label}}));
            }
        });
    }
    std::filesystem::create_directories(app.cfg.data);
    const int patients = LoadDemoPatients(app, accounts, structure_ids);
    {
        std::ofstream out(accounts_path);
        out << boost::json::serialize(accounts) << "\n";
    }
    std::string text = "Territoire de démonstration chargé : " + std::to_string(structure_ids.size()) +
                       " structures, 364 professionnels, " + std::to_string(accounts.size()) + " comptes, " +
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
