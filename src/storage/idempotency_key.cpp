// CheckIdempotencyKey on its own (no database), so that tests/fuzz/http_headers can link it.
#include "common/errors.hpp"
#include "storage/idempotency.hpp"

namespace cordee::storage {

std::string CheckIdempotencyKey(const std::string& v) {
    if (v.empty()) return v;
    if (v.size() > 128) throw Invalid("Idempotency-Key", "128 caractères au plus");
    for (unsigned char c : v)
        if (c < 0x21 || c > 0x7E) throw Invalid("Idempotency-Key", "caractères ASCII visibles seulement");
    return v;
}

}  // namespace cordee::storage
