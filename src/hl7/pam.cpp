#include "hl7/pam.hpp"

#include "common/text.hpp"

#include <algorithm>
#include <array>

namespace cordee::hl7 {

namespace {

// HL7 FR table 0445 (identity reliability, InteropSanté), and the spellings DOUTE and FICTI older feeds send.
constexpr std::array<std::string_view, 23> kReliabilityCodes = {
    "VIDE", "PROV", "VALI", "DOUB", "DESA", "DPOT", "DOUA", "COLP",  "COLV",  "FILI", "CACH", "ANOM",
    "IDVER", "RECD", "IDRA", "USUR", "HOMD", "INVA", "HOMA", "FICT", "DOUT", "DOUTE", "FICTI"};
constexpr size_t kMaxWarnings = 50;
constexpr std::array<std::string_view, 6> kSexCodes = {"F", "M", "U", "O", "A", "N"};

template <size_t N>
bool OneOf(const std::array<std::string_view, N>& codes, std::string_view v) {
    return std::find(codes.begin(), codes.end(), v) != codes.end();
}

// What the typed view reads: a decoded value, the HL7 null "" as empty.
class Reader {
public:
    Reader(const Segment& s, std::vector<Issue>& warnings) : s_(s), warnings_(warnings) {}

    std::string Val(int field, int rep = 1, int comp = 0, int sub = 0) const {
        if (s_.Raw(field, rep, comp, sub) == "\"\"") return {};
        return s_.Get(field, rep, comp, sub);
    }

    // CX (PID-3, MRG-1, PV1-19): value^check digit^scheme^authority(HD)^type.
    Identifier Cx(int field, int rep) const {
        return Identifier{Val(field, rep, 1), Val(field, rep, 4, 1), Val(field, rep, 4, 2), Val(field, rep, 4, 3),
                          Val(field, rep, 5)};
    }

    std::vector<Identifier> CxList(int field) const {
        std::vector<Identifier> r;
        for (int i = 1; i <= s_.Repetitions(field); ++i) {
            Identifier id = Cx(field, i);
            if (!id.value.empty()) r.push_back(std::move(id));
            else if (!s_.Raw(field, i).empty()) Warn(field, i, ErrorCode::kRequiredFieldMissing, "identifiant sans valeur");
        }
        return r;
    }

    // A date/time field (its first component: TS.1), or none; a present but invalid one is a warning.
    std::optional<Timestamp> Time(int field, std::string_view what, std::string* text = nullptr) const {
        const std::string v = Val(field, 1, 1);
        if (text) *text = v;
        if (v.empty()) return std::nullopt;
        std::string why;
        auto t = ParseTimestamp(v, &why);
        if (!t) Warn(field, 0, ErrorCode::kDataType, std::string(what) + " : " + why);
        return t;
    }

    void Warn(int field, int rep, ErrorCode code, const std::string& text) const {
        if (warnings_.size() >= kMaxWarnings) return;  // a few lines say it; thousands would drown it
        Location where = s_.At(field, rep);
        warnings_.push_back(Issue{where, code, where.Label() + " : " + text + "."});
    }

    const Segment& segment() const { return s_; }

private:
    const Segment& s_;
    std::vector<Issue>& warnings_;
};

Patient ReadPid(const Reader& r) {
    const Segment& s = r.segment();
    Patient p;
    p.identifiers = r.CxList(3);
    if (p.identifiers.empty()) r.Warn(3, 0, ErrorCode::kRequiredFieldMissing, "aucun identifiant du patient");
    for (int i = 1; i <= s.Repetitions(5); ++i) {
        PersonName n{r.Val(5, i, 1, 1), r.Val(5, i, 2), r.Val(5, i, 3), r.Val(5, i, 5), r.Val(5, i, 7)};
        if (!n.family.empty() || !n.given.empty()) p.names.push_back(std::move(n));
    }
    p.birth = r.Time(7, "date de naissance", &p.birth_text);
    p.sex = r.Val(8);
    if (!p.sex.empty() && !OneOf(kSexCodes, p.sex))
        r.Warn(8, 0, ErrorCode::kTableValueNotFound, "sexe « " + p.sex + " » inconnu (F, M, U, O, A ou N)");
    for (int i = 1; i <= s.Repetitions(11); ++i) {
        Address a{r.Val(11, i, 1, 1), r.Val(11, i, 2), r.Val(11, i, 3), r.Val(11, i, 4), r.Val(11, i, 5),
                  r.Val(11, i, 6), r.Val(11, i, 7), r.Val(11, i, 9)};
        if (!s.Raw(11, i).empty()) p.addresses.push_back(std::move(a));
    }
    for (int i = 1; i <= s.Repetitions(13); ++i) {
        Phone ph{r.Val(13, i, 1), r.Val(13, i, 2), r.Val(13, i, 3), r.Val(13, i, 4)};
        if (ph.number.empty()) ph.number = r.Val(13, i, 12);
        if (!ph.number.empty() || !ph.email.empty()) p.phones.push_back(std::move(ph));
    }
    for (int i = 1; i <= s.Repetitions(32); ++i) {
        std::string code = r.Val(32, i, 1);
        if (code.empty()) continue;
        if (!OneOf(kReliabilityCodes, code))
            r.Warn(32, i, ErrorCode::kTableValueNotFound, "statut d'identité « " + code + " » inconnu");
        p.reliability.push_back(std::move(code));
    }
    return p;
}

Visit ReadPv1(const Reader& r) {
    Visit v;
    v.patient_class = r.Val(2, 1, 1);
    v.location = PatientLocation{r.Val(3, 1, 1), r.Val(3, 1, 2), r.Val(3, 1, 3), r.Val(3, 1, 4, 1)};
    v.visit_number = r.Cx(19, 1);
    v.admit_time = r.Time(44, "date d'entrée");
    v.discharge_time = r.Time(45, "date de sortie");
    return v;
}

MovementAction ActionOf(std::string_view v) {
    if (v == "INSERT") return MovementAction::kInsert;
    if (v == "UPDATE") return MovementAction::kUpdate;
    if (v == "CANCEL") return MovementAction::kCancel;
    return MovementAction::kNone;
}

Movement ReadZbe(const Reader& r) {
    Movement m;
    m.id = Identifier{r.Val(1, 1, 1), r.Val(1, 1, 2), r.Val(1, 1, 3), r.Val(1, 1, 4), {}};
    if (m.id.value.empty()) r.Warn(1, 0, ErrorCode::kRequiredFieldMissing, "identifiant du mouvement absent");
    m.time = r.Time(2, "date du mouvement");
    const std::string action = r.Val(4, 1, 1);
    m.action = ActionOf(action);
    if (m.action == MovementAction::kNone) {
        // Field positions are not always right in the field: the action one place off is still the action.
        for (int f : {3, 5, 6}) {
            m.action = ActionOf(r.Val(f, 1, 1));
            if (m.action == MovementAction::kNone) continue;
            r.Warn(4, 0, ErrorCode::kDataType,
                   "action trouvée en ZBE-" + std::to_string(f) + " au lieu de ZBE-4 (INSERT, UPDATE ou CANCEL)");
            break;
        }
        if (m.action == MovementAction::kNone)
            r.Warn(4, 0, action.empty() ? ErrorCode::kRequiredFieldMissing : ErrorCode::kTableValueNotFound,
                   "action « " + action + " » : INSERT, UPDATE ou CANCEL attendu");
    }
    const std::string historic = r.Val(5);
    m.historic = historic == "Y";
    if (!historic.empty() && historic != "Y" && historic != "N" && ActionOf(historic) == MovementAction::kNone)
        r.Warn(5, 0, ErrorCode::kTableValueNotFound, "indicateur d'historique « " + historic + " » : Y ou N attendu");
    m.original_trigger = r.Val(6, 1, 1);
    if (ActionOf(m.original_trigger) != MovementAction::kNone) m.original_trigger.clear();
    if ((m.action == MovementAction::kUpdate || m.action == MovementAction::kCancel) && m.original_trigger.empty())
        r.Warn(6, 0, ErrorCode::kRequiredFieldMissing, "événement d'origine absent pour une mise à jour ou une annulation");
    m.medical_ward = Ward{r.Val(7, 1, 1), r.Val(7, 1, 10)};
    m.care_ward = Ward{r.Val(8, 1, 1), r.Val(8, 1, 10)};
    m.nature = r.Val(9, 1, 1);
    return m;
}

Role ReadRol(const Reader& r) {
    Role role;
    role.instance_id = r.Val(1, 1, 1);
    role.action = r.Val(2, 1, 1);
    role.role_code = r.Val(3, 1, 1);
    role.role_text = r.Val(3, 1, 2);
    role.person_id = r.Val(4, 1, 1);
    role.family = r.Val(4, 1, 2, 1);
    role.given = r.Val(4, 1, 3);
    role.authority_oid = r.Val(4, 1, 9, 2);
    role.id_type = r.Val(4, 1, 13);
    if (role.id_type == "RPPS" || role.authority_oid == kRppsOid) {
        role.rpps = RppsNumber(role.person_id);
        if (role.rpps.empty())
            r.Warn(4, 1, ErrorCode::kDataType, "numéro RPPS « " + role.person_id + " » : 11 chiffres attendus");
    }
    return role;
}

}  // namespace

bool Identifier::IsIns() const {
    return type == "INS" || type == "INS-NIR" || type == "INS-NIA" || type == "INS-C" || authority_oid == kInsNirOid ||
           authority_oid == kInsNiaOid || authority_oid == kInsTestNirOid || authority_oid == kInsDemoNirOid;
}

const Identifier* Patient::Ins() const {
    for (const Identifier& id : identifiers)
        if (id.IsIns()) return &id;
    return nullptr;
}

const Identifier* Patient::FirstOfType(std::string_view type) const {
    for (const Identifier& id : identifiers)
        if (id.type == type) return &id;
    return nullptr;
}

const PersonName* Patient::NameOfType(std::string_view type) const {
    for (const PersonName& n : names)
        if (n.type == type) return &n;
    return nullptr;
}

bool Patient::HasReliability(std::string_view code) const {
    return std::find(reliability.begin(), reliability.end(), code) != reliability.end();
}

std::string_view MovementActionName(MovementAction a) {
    switch (a) {
        case MovementAction::kInsert: return "INSERT";
        case MovementAction::kUpdate: return "UPDATE";
        case MovementAction::kCancel: return "CANCEL";
        case MovementAction::kNone: break;
    }
    return "";
}

PamMessage ReadPam(const Message& m) {
    PamMessage pam;
    if (auto s = m.Find("PID")) pam.patient = ReadPid(Reader(*s, pam.warnings));
    if (auto s = m.Find("PV1")) pam.visit = ReadPv1(Reader(*s, pam.warnings));
    if (auto s = m.Find("PV2"); s && pam.visit)
        pam.visit->expected_discharge = Reader(*s, pam.warnings).Time(9, "date de sortie prévue");
    if (auto s = m.Find("ZBE")) pam.movement = ReadZbe(Reader(*s, pam.warnings));
    if (auto s = m.Find("MRG")) {
        const Reader r(*s, pam.warnings);
        pam.merge = Merge{r.CxList(1), r.Cx(5, 1)};
        if (pam.merge->prior_identifiers.empty())
            r.Warn(1, 0, ErrorCode::kRequiredFieldMissing, "aucun identifiant de l'ancien patient");
    }
    for (size_t i = 0; i < m.segment_count(); ++i) {
        const Segment s = m.segment(i);
        if (s.name() == "ROL") pam.roles.push_back(ReadRol(Reader(s, pam.warnings)));
    }
    return pam;
}

}  // namespace cordee::hl7
