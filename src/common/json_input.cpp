#include "common/json_input.hpp"

#include "common/text.hpp"

namespace cordee {

boost::json::object ParseJsonObject(std::string_view body) {
    boost::json::parse_options opt;
    opt.max_depth = 32;
    boost::system::error_code ec;
    boost::json::monotonic_resource mr;
    auto v = boost::json::parse(body, ec, {}, opt);
    if (ec) {
        throw Error(Problem::kMalformedJson,
                    "Le corps de la requête n'est pas du JSON valide (" + ec.message() + ").");
    }
    if (!v.is_object()) {
        throw Error(Problem::kMalformedJson, "Le corps de la requête doit être un objet JSON.");
    }
    return std::move(v.as_object());
}

std::optional<std::string> JsonInput::OptText(std::string_view key, size_t max_chars) {
    const std::string field = prefix_ + std::string(key);
    auto it = obj_.find(key);
    if (it == obj_.end() || it->value().is_null()) return std::nullopt;
    if (!it->value().is_string()) {
        Fail(field, "doit être un texte");
        return std::nullopt;
    }
    std::string s(it->value().as_string());
    if (!IsValidUtf8(s)) {
        Fail(field, "contient des caractères invalides");
        return std::nullopt;
    }
    s = Trim(NormalizeNfc(s));
    if (HasControlChars(s)) {
        Fail(field, "contient des caractères de contrôle");
        return std::nullopt;
    }
    if (CodePoints(s) > max_chars) {
        Fail(field, "trop long (" + std::to_string(max_chars) + " caractères au plus)");
        return std::nullopt;
    }
    return s;
}

std::string JsonInput::Text(std::string_view key, size_t min_chars, size_t max_chars) {
    const std::string field = prefix_ + std::string(key);
    const size_t before = errors_.size();
    auto v = OptText(key, max_chars);
    if (errors_.size() != before) return {};
    if (!v || CodePoints(*v) < min_chars) {
        Fail(field, min_chars <= 1 ? "obligatoire" : "trop court (" + std::to_string(min_chars) + " caractères au moins)");
        return {};
    }
    return *v;
}

std::optional<bool> JsonInput::OptBool(std::string_view key) {
    auto it = obj_.find(key);
    if (it == obj_.end() || it->value().is_null()) return std::nullopt;
    if (it->value().is_bool()) return it->value().as_bool();
    Fail(prefix_ + std::string(key), "vrai ou faux attendu");
    return std::nullopt;
}

std::optional<JsonInput> JsonInput::OptObject(std::string_view key) {
    auto it = obj_.find(key);
    if (it == obj_.end() || it->value().is_null()) return std::nullopt;
    if (!it->value().is_object()) {
        Fail(prefix_ + std::string(key), "doit être un objet");
        return std::nullopt;
    }
    JsonInput sub(it->value().as_object());
    sub.prefix_ = prefix_ + std::string(key) + ".";
    return sub;
}

std::string JsonInput::Email(std::string_view key) {
    // A line break in an address would end up in a mail header (header injection): refused, even at the ends.
    if (auto it = obj_.find(key); it != obj_.end() && it->value().is_string()) {
        const auto& raw = it->value().as_string();
        if (raw.find('\r') != boost::json::string::npos || raw.find('\n') != boost::json::string::npos) {
            Fail(prefix_ + std::string(key), "adresse e-mail invalide (retour à la ligne)");
            return {};
        }
    }
    std::string e = Text(key, 3, 254);
    if (e.empty()) return e;
    e = AsciiLower(e);
    const auto at = e.find('@');
    if (at == std::string::npos || at == 0 || at == e.size() - 1 || e.find('.', at) == std::string::npos ||
        e.find(' ') != std::string::npos || e.find('@', at + 1) != std::string::npos) {
        Fail(prefix_ + std::string(key), "adresse e-mail invalide");
        return {};
    }
    return e;
}

std::string JsonInput::Password(std::string_view key) {
    // Passwords are not normalised or trimmed: they are what the user typed.
    const std::string field = prefix_ + std::string(key);
    auto it = obj_.find(key);
    if (it == obj_.end() || !it->value().is_string()) {
        Fail(field, "obligatoire");
        return {};
    }
    std::string s(it->value().as_string());
    if (!IsValidUtf8(s) || CodePoints(s) < 12 || CodePoints(s) > 256) {
        Fail(field, "le mot de passe doit compter de 12 à 256 caractères");
        return {};
    }
    return s;
}

std::string JsonInput::Secret(std::string_view key, size_t max_chars) {
    auto it = obj_.find(key);
    if (it == obj_.end() || !it->value().is_string() || it->value().as_string().empty()) {
        Fail(prefix_ + std::string(key), "obligatoire");
        return {};
    }
    std::string s(it->value().as_string());
    if (CodePoints(s) > max_chars) {
        Fail(prefix_ + std::string(key), "trop long");
        return {};
    }
    return s;
}

void JsonInput::OnlyFields(std::initializer_list<std::string_view> allowed) {
    for (const auto& kv : obj_) {
        bool ok = false;
        for (auto a : allowed) ok = ok || kv.key() == a;
        if (!ok) Fail(prefix_ + std::string(kv.key()), "champ inconnu ou non modifiable");
    }
}

void JsonInput::Done() {
    if (!errors_.empty()) throw Invalid(std::move(errors_));
}

}  // namespace cordee
