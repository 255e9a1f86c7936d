#include "mail/outbox.hpp"
#include "mail/repository.hpp"

#include "common/durable_file.hpp"
#include "common/ids.hpp"
#include "common/log.hpp"
#include "common/time.hpp"

#include <curl/curl.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace cordee::mail {
namespace {

constexpr int64_t kClaimMicros = 60 * kMicrosPerSecond;

std::string Rfc2822(const Email& e, const std::string& from, int64_t at) {
    const time_t secs = static_cast<time_t>(at / kMicrosPerSecond);
    char date[64];
    std::tm tm{};
    gmtime_r(&secs, &tm);
    std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    return "Date: " + std::string(date) + "\r\nFrom: " + from + "\r\nTo: " + e.to + "\r\nSubject: " + e.subject +
           "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
           e.body + "\r\n";
}

struct Upload {
    std::string data;
    size_t pos = 0;
};

size_t ReadPayload(char* ptr, size_t size, size_t nmemb, void* user) {
    auto* up = static_cast<Upload*>(user);
    const size_t n = std::min(size * nmemb, up->data.size() - up->pos);
    std::memcpy(ptr, up->data.data() + up->pos, n);
    up->pos += n;
    return n;
}

}  // namespace

void Enqueue(storage::Session& s, const Email& e) {
    repo::InsertEmail(s, NewUuidV7(), e, NowMicros());
}

Dispatcher::Dispatcher(storage::Database& db, DispatcherOptions opt) : db_(db), opt_(std::move(opt)) {}
Dispatcher::~Dispatcher() { Stop(); }

void Dispatcher::Start() {
    job_.Start("mail", std::chrono::milliseconds(500), [this] { DeliverPending(); });
}

void Dispatcher::Stop() { job_.Stop(); }

void Dispatcher::Poke() { job_.Poke(); }

int Dispatcher::DeliverPending() {
    const int64_t now = NowMicros();
    // A read first, so that an idle server does not queue empty writes.
    auto pending = db_.ReadValue([&](storage::Session& s) { return repo::PendingEmails(s, now - kClaimMicros, 50); });
    int delivered = 0;
    for (const auto& row : pending) {
        const std::string& id = row.id;
        const bool claimed = db_.WriteValue([&](storage::Session& s) {
            return repo::ClaimEmail(s, id, NowMicros(), now - kClaimMicros);
        });
        if (!claimed) continue;
        std::string error;
        const bool ok = Deliver(id, row.email, row.created_at, error);
        db_.Write([&](storage::Session& s) {
            if (ok) repo::MarkEmailSent(s, id, NowMicros());
            else repo::MarkEmailFailed(s, id, error);  // retried after the claim expires
        });
        if (ok) ++delivered;
        else log::Warn("mail not delivered", {{"email_id", id}, {"error", error}});
    }
    return delivered;
}

bool Dispatcher::Deliver(const std::string& id, const Email& e, int64_t created_at, std::string& error) {
    const std::string message = Rfc2822(e, opt_.from, created_at);
    if (opt_.smtp_url.empty()) {
        char prefix[32];
        std::snprintf(prefix, sizeof prefix, "%017lld-", static_cast<long long>(created_at));
        // Durable before the message is marked sent (common/durable_file.hpp): readers never see half a message,
        // and one that a full disk refused stays unsent and is written again later.
        try {
            WriteFileDurably(opt_.outbox_dir, std::string(prefix) + id + ".eml", message);
        } catch (const std::exception& e) {
            error = e.what();
            return false;
        }
        return true;
    }
    CURL* curl = curl_easy_init();
    if (!curl) {
        error = "curl init failed";
        return false;
    }
    Upload up{message};
    std::string from_addr = opt_.from;
    if (auto lt = from_addr.find('<'); lt != std::string::npos) from_addr = from_addr.substr(lt, from_addr.find('>') - lt + 1);
    curl_slist* rcpt = curl_slist_append(nullptr, ("<" + e.to + ">").c_str());
    curl_easy_setopt(curl, CURLOPT_URL, opt_.smtp_url.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from_addr.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadPayload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &up);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    if (!opt_.user.empty()) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, opt_.user.c_str());
        curl_easy_setopt(curl, CURLOPT_PASSWORD, opt_.password.c_str());
    }
    const CURLcode rc = curl_easy_perform(curl);
    if (rc != CURLE_OK) error = curl_easy_strerror(rc);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
    return rc == CURLE_OK;
}

}  // namespace cordee::mail
