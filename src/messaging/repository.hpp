#pragma once
// The SQL of messaging: conversations, members and their read cursors, messages and their earlier versions.
#include "messaging/model.hpp"
#include "patients/scope.hpp"
#include "storage/database.hpp"

#include <optional>
#include <string>
#include <vector>

namespace cordee::messaging::repo {

std::optional<AccountName> ActiveAccount(storage::Session& s, const std::string& account_id);
// The active account whose link to this directory entry is proven (confirmed, Pro Santé Connect or operator): a
// self-declared claim is not a link, so a message chosen by a directory entry never reaches an impostor.
std::optional<std::string> AccountOfProfessional(storage::Session& s, const std::string& professional_id);

void InsertConversation(storage::Session& s, const ConversationRow& c, const std::string& direct_key);
std::optional<ConversationRow> FindConversation(storage::Session& s, const std::string& id);
std::optional<std::string> FindDirect(storage::Session& s, const std::string& direct_key);
// The conversation of the scope's patient, and its creation (reached through the patient's grant only).
std::optional<ConversationRow> PatientConversation(patients::Scope& sc);
void InsertPatientConversation(patients::Scope& sc, const ConversationRow& c);
void InsertMember(storage::Session& s, const std::string& conversation_id, const std::string& account_id,
                  int64_t joined_seq, int64_t read_seq, bool health);
// Leaves (left_seq), comes back (no left_seq), or changes what the member reads (health).
void SetMembership(storage::Session& s, const std::string& conversation_id, const std::string& account_id,
                   std::optional<int64_t> left_seq, int64_t read_seq, bool health);
// A former member of a group comes back, reading from `seq` on (not what was said while away).
void Rejoin(storage::Session& s, const std::string& conversation_id, const std::string& account_id, int64_t seq);
std::vector<MemberRow> Members(storage::Session& s, const std::string& conversation_id);  // by name
std::optional<MemberRow> Member(storage::Session& s, const std::string& conversation_id, const std::string& account_id);
// The conversations the account is in (not left), most recent first, with its unread count in each.
std::vector<Summary> ConversationsOf(storage::Session& s, const std::string& account_id, int limit);
int64_t UnreadOf(storage::Session& s, const std::string& conversation_id, const std::string& account_id);
// The sum of unread counts over the account's conversations.
int64_t UnreadTotal(storage::Session& s, const std::string& account_id);

// Takes the conversation's next message number (holding its row until commit on PostgreSQL).
int64_t TakeMessageNumber(storage::Session& s, const std::string& conversation_id, int64_t now);
void InsertMessage(storage::Session& s, const MessageRow& m);
std::optional<MessageRow> FindMessage(storage::Session& s, const std::string& id);
// Messages numbered in (after, before), at most `limit`: the newest ones when `newest`, else the oldest; returned
// in number order; those restricted to health professionals only when `health`.
std::vector<MessageRow> Messages(storage::Session& s, const std::string& conversation_id, int64_t after,
                                 int64_t before, int limit, bool newest, bool health);
// Replaces the text (an edit, or "" for a deletion) if the version is still `version`; keeps the earlier text.
// False when the version changed meanwhile.
bool ReplaceBody(storage::Session& s, const MessageRow& m, const std::string& body, bool deleted, int64_t now);

// Raises the member's delivered cursor to `seq` (never lowers it, nor below what it read); false when already there.
bool RaiseDeliveredCursor(storage::Session& s, const std::string& conversation_id, const std::string& account_id,
                          int64_t seq);
// Raises the member's read cursor to `seq` (never lowers it); false when it was already there.
bool RaiseReadCursor(storage::Session& s, const std::string& conversation_id, const std::string& account_id,
                     int64_t seq);

// Urgent messages whose next escalation step is due, oldest first.
std::vector<MessageRow> DueUrgent(storage::Session& s, int64_t now, int limit);
// Moves the message from its escalation step to `step`, next one due at `next_due` (none: the last); false when
// another node did it meanwhile.
bool Escalate(storage::Session& s, const MessageRow& m, int64_t step, std::optional<int64_t> next_due);

// The messages the account may read as a member of their conversations (not deleted), whose folded text holds every
// word, newest first. A patient's conversation among them is for the service to check against the grant.
std::vector<Found> SearchMessages(storage::Session& s, const std::string& account_id, const MessageFilter& f);

// The accounts an e-mail digest is due to (unread messages, something new since their last digest, the last one sent
// before `since_before`), with their counts.
std::vector<DigestRow> DigestsDue(storage::Session& s, int64_t since_before, int limit);
// Records that this account's digest is being sent now; false when another node did it meanwhile.
bool ClaimDigest(storage::Session& s, const std::string& account_id, int64_t since_before, int64_t now);

}  // namespace cordee::messaging::repo
