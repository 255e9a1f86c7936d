#pragma once
// Files we write ourselves (attachments, e-mails in the outbox), made durable before anyone is told they are
// stored: a temporary file in the same directory, every byte written, fsync, close, rename, fsync of the
// directory. Each step's result is checked: a full disk (ENOSPC, EDQUOT, at write or at sync, since some file
// systems only find out then) throws InsufficientStorage (507), any other failure StorageFailure (503), and
// the temporary file is removed. The final name appears only with complete, synced content.
#include <functional>
#include <string>
#include <string_view>

namespace cordee {

// `sync` is fsync; tests give a failing one (a disk that refuses to sync cannot be made on demand).
void WriteFileDurably(const std::string& dir, const std::string& name, std::string_view bytes,
                      const std::function<int(int)>& sync = {});

// Makes an existing file and its name durable (fsync of the file, then of its directory), e.g. before relying
// on a file another writer stored; same errors as above.
void SyncFileDurably(const std::string& dir, const std::string& name, const std::function<int(int)>& sync = {});

}  // namespace cordee
