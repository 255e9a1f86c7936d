#pragma once
// The national INSi service (téléservice INSi) answers "which INS for these traits?". It needs a
// national certificate and a card reader, so it sits behind this interface; here a simulator reads the
// identities it knows from a JSON file (DATA/insi.json or --insi-file), re-read at each call so that an
// operator or a test can add identities without a restart.
#include <memory>
#include <string>

namespace cordee::patients {

struct InsiTraits {
    std::string birth_name, birth_first_names, sex, birth_date, birthplace_code;
};

struct InsiAnswer {
    bool found = false;
    std::string matricule, oid;
    InsiTraits traits;        // as the national base knows them
    std::string difference;   // when a close identity differs: which trait, in French
};

class InsiClient {
public:
    virtual ~InsiClient() = default;
    virtual InsiAnswer Lookup(const InsiTraits& traits) = 0;
};

// File format: [{"matricule":"2480351454001 12","oid":"1.2.250.1.213.1.4.8","birth_name":"DUPONT",
// "birth_first_names":"Marie Louise","sex":"F","birth_date":"1948-03-12","birthplace_code":"51454"}, …]
// (or the same list under {"identities": […]}).
std::unique_ptr<InsiClient> MakeSimulatedInsi(std::string path);

}  // namespace cordee::patients
