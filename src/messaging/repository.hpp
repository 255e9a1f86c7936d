#pragma once
// The SQL of messaging: conversations, members and their read cursors, messages and their earlier versions.
#include "messaging/model.hpp"
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
void InsertMember(storage::Session& s, const std::string& conversation_id, const std::string& account_id,
                  int64_t joined_seq);
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
// in number order.
std::vector<MessageRow> Messages(storage::Session& s, const std::string& conversation_id, int64_t after,
                                 int64_t before, int limit, bool newest);
// Replaces the text (an edit, or "" for a deletion) if the version is still `version`; keeps the earlier text.
// False when the version changed meanwhile.
bool ReplaceBody(storage::Session& s, const MessageRow& m, const std::string& body, bool deleted, int64_t now);

// Raises the member's read cursor to `seq` (never lowers it); false when it was already there.
bool RaiseReadCursor(storage::Session& s, const std::string& conversation_id, const std::string& account_id,
                     int64_t seq);

}  // namespace cordee::messaging::repo
