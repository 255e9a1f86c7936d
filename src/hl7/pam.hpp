#pragma once
// The segments of IHE PAM (French extension 2.11) that Cordée reads, as structs: PID (identity), PV1 (visit), ZBE
// (movement), MRG (merge), ROL (the patient's doctors). Read tolerantly: an absent segment is an empty optional,
// an absent field an empty string, and what is present but unreadable (a bad date, an unknown code, a field found
// where it should not be) is a warning with its location; nothing here makes a message unusable (Message::error
// does). The HL7 null `""` ("erase this value") reads as empty here; a service that must tell "erase" from "absent"
// asks Segment::Raw.
#include "hl7/message.hpp"

#include <optional>
#include <string>
#include <vector>

namespace cordee::hl7 {

// The INS OIDs (matricule NIR, NIA, test NIR, demonstration NIR).
inline constexpr std::string_view kInsNirOid = "1.2.250.1.213.1.4.8";
inline constexpr std::string_view kInsNiaOid = "1.2.250.1.213.1.4.9";
inline constexpr std::string_view kInsTestNirOid = "1.2.250.1.213.1.4.10";
inline constexpr std::string_view kInsDemoNirOid = "1.2.250.1.213.1.4.11";
// The RPPS (health professionals' national identifiers) as an assigning authority.
inline constexpr std::string_view kRppsOid = "1.2.250.1.71.4.2.1";

// CX (PID-3, MRG-1, PV1-19) or EI (ZBE-1): value^^^AUTHORITY&OID&ISO^TYPE.
struct Identifier {
    std::string value;
    std::string authority, authority_oid, authority_oid_type;  // CX-4: HD namespace & universal id & its type
    std::string type;                                          // CX-5: PI (local), INS, NH, AN, VN…
    bool IsIns() const;  // an INS: type INS (or INS-NIR/INS-NIA/INS-C) or an INS OID as authority
};

// XPN (PID-5): family^given^further given names^suffix^prefix^degree^type (L birth name, D used name, S…).
struct PersonName {
    std::string family, given, further_given, prefix, type;
};

// XAD (PID-11): street^other^city^state^zip^country^type^^county (type BDL with the INSEE code of the birth place
// in XAD-9; H home).
struct Address {
    std::string street, other, city, state, zip, country, type, county;
};

// XTN (PID-13): the number (XTN-1, else XTN-12 as PAM-FR writes it), use (PRN, ORN, WPN, NET), equipment (PH,
// CP, Internet) and e-mail (XTN-4).
struct Phone {
    std::string number, use, equipment, email;
};

struct Patient {
    std::vector<Identifier> identifiers;  // PID-3
    std::vector<PersonName> names;        // PID-5
    std::string birth_text;               // PID-7.1 as written
    std::optional<Timestamp> birth;       // PID-7, when valid (a day: use its civil fields)
    std::string sex;                      // PID-8: M, F, U (O, A, N accepted)
    std::vector<Address> addresses;       // PID-11
    std::vector<Phone> phones;            // PID-13
    std::vector<std::string> reliability; // PID-32: VALI, PROV, DOUT, FICT… (HL7 FR table 0445)

    const Identifier* Ins() const;
    const Identifier* FirstOfType(std::string_view type) const;
    const PersonName* NameOfType(std::string_view type) const;
    bool HasReliability(std::string_view code) const;
    // What DOMAIN.md says may be trusted: an INS given with the status VALI.
    bool InsTrusted() const { return Ins() && HasReliability("VALI"); }
};

// PL (PV1-3): point of care^room^bed^facility^status^type^building^floor.
struct PatientLocation {
    std::string point_of_care, room, bed, facility;
};

struct Visit {
    std::string patient_class;           // PV1-2: I, O, E, R, N
    PatientLocation location;            // PV1-3
    Identifier visit_number;             // PV1-19
    std::optional<Timestamp> admit_time, discharge_time;  // PV1-44, PV1-45
    std::optional<Timestamp> expected_discharge;           // PV2-9 (the alert at admission says it)
};

enum class MovementAction { kNone, kInsert, kUpdate, kCancel };

// XON (ZBE-7, ZBE-8): the ward (unité fonctionnelle) by name (XON-1) and code (XON-10).
struct Ward {
    std::string name, code;
};

struct Movement {
    Identifier id;                      // ZBE-1 (EI: id^namespace^universal id^type)
    std::optional<Timestamp> time;      // ZBE-2
    MovementAction action = MovementAction::kNone;  // ZBE-4
    bool historic = false;              // ZBE-5 = Y
    std::string original_trigger;       // ZBE-6, for UPDATE and CANCEL: the trigger of the movement changed
    Ward medical_ward, care_ward;       // ZBE-7, ZBE-8
    std::string nature;                 // ZBE-9: S, H, M, L, D, SM…
};

struct Merge {
    std::vector<Identifier> prior_identifiers;  // MRG-1
    Identifier prior_visit;                     // MRG-5
};

// ROL: instance id (ROL-1), action (ROL-2: AD, UP, DE, UC), role (ROL-3 code and text) and the person (ROL-4
// XCN: id^family^given…^authority(9)…^id type(13)).
struct Role {
    std::string instance_id, action, role_code, role_text;
    std::string person_id, family, given, id_type, authority_oid;
    std::string rpps;  // the person's 11-digit RPPS number when ROL-4 gives one, else ""
};

struct PamMessage {
    std::optional<Patient> patient;
    std::optional<Visit> visit;
    std::optional<Movement> movement;
    std::optional<Merge> merge;
    std::vector<Role> roles;
    std::vector<Issue> warnings;  // what could not be read, with where
};

// The PAM segments of an ok() message. Reads the first PID, PV1 (with PV2-9), ZBE and MRG, and every ROL.
PamMessage ReadPam(const Message& m);

std::string_view MovementActionName(MovementAction a);  // "INSERT", "UPDATE", "CANCEL", ""

}  // namespace cordee::hl7
