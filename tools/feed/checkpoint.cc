// Feed checkpoints (tools/feed/checkpoint.h).
#include "tools/feed/checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <string_view>

#include "events/base/durable_file.h"
#include "events/base/hex.h"
#include "events/model/uuid.h"

namespace ccl::feed {

namespace {

constexpr std::string_view kMagic = "ccl-feed-checkpoint v1";

// Splits off the next "\n"-terminated line; false when there is none.
bool NextLine(std::string_view* text, std::string_view* line) {
  const size_t nl = text->find('\n');
  if (nl == std::string_view::npos) return false;
  *line = text->substr(0, nl);
  text->remove_prefix(nl + 1);
  return true;
}

// A malformed checkpoint file is bad input (exit 1), not damage to the
// ledger: the ledger is not what is wrong.
Status Bad(int line, const std::string& rule) {
  return Status::InvalidArgument("line " + std::to_string(line) + ": " + rule);
}

}  // namespace

std::string FormatCheckpoint(const FeedCheckpoint& cp) {
  std::string out(kMagic);
  out += "\nledger_id " + events::FormatUuid(cp.ledger_id);
  out += "\nseq " + std::to_string(cp.seq);
  out += "\nhash " + events::HexEncode(cp.hash) + "\n";
  return out;
}

Status ParseCheckpoint(std::string_view text, FeedCheckpoint* out) {
  std::string_view line;
  if (!NextLine(&text, &line) || line != kMagic) {
    return Bad(1, "expected '" + std::string(kMagic) + "'");
  }
  if (!NextLine(&text, &line) || !line.starts_with("ledger_id ") ||
      !events::ParseUuid(line.substr(10), &out->ledger_id) ||
      events::FormatUuid(out->ledger_id) != line.substr(10)) {
    return Bad(2, "expected 'ledger_id <lower-case UUID>'");
  }
  if (!NextLine(&text, &line) || !line.starts_with("seq ")) return Bad(3, "expected 'seq <n>'");
  const std::string_view digits = line.substr(4);
  const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), out->seq);
  if (digits.empty() || r.ec != std::errc() || r.ptr != digits.data() + digits.size() ||
      (digits.size() > 1 && digits[0] == '0')) {
    return Bad(3, "seq must be a decimal integer without sign or leading zeros");
  }
  if (!NextLine(&text, &line) || !line.starts_with("hash ") || line.size() != 5 + 64) {
    return Bad(4, "expected 'hash <64 hex digits>'");
  }
  if (!events::HexDecode(line.substr(5), out->hash)) {
    return Bad(4, "hash must be 64 lower-case hex digits");
  }
  if (!text.empty()) return Bad(5, "unexpected text after the hash line");
  return Status::OK();
}

Status LoadCheckpoint(const std::string& path, FeedCheckpoint* out, bool* exists) {
  *exists = false;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::OK();
    return Status::IOError("open checkpoint " + path + ": " + std::strerror(errno));
  }
  std::string text(kCheckpointBytesMax + 1, '\0');
  size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return Status::IOError("read checkpoint " + path + ": " + std::strerror(err));
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  if (got > kCheckpointBytesMax) {
    return Status::InvalidArgument("checkpoint " + path + ": larger than " +
                                   std::to_string(kCheckpointBytesMax) +
                                   " bytes: not a checkpoint");
  }
  text.resize(got);
  CCL_RETURN_IF_ERROR(ParseCheckpoint(text, out).WithContext("checkpoint " + path));
  *exists = true;
  return Status::OK();
}

Status SaveCheckpoint(const std::string& path, const FeedCheckpoint& cp) {
  return events::WriteFileDurably(path, FormatCheckpoint(cp));
}

Status CheckCheckpointAgainst(ledger::Ledger* ledger, const FeedCheckpoint& cp,
                              const std::string& what) {
  if (cp.ledger_id != ledger->ledger_id()) {
    return Status::Conflict(what + " belongs to ledger " + events::FormatUuid(cp.ledger_id) +
                            ", not to this ledger " + events::FormatUuid(ledger->ledger_id()) +
                            ": refusing to feed another ledger's events");
  }
  const ledger::Head head = ledger->head();
  if (cp.seq > head.seq) {
    return Status::Corruption(what + " is at seq " + std::to_string(cp.seq) +
                              " but the ledger ends at seq " + std::to_string(head.seq) +
                              ": the ledger was rewritten or restored from an older backup, or "
                              "the checkpoint file was changed (ledgerctl verify checks the "
                              "ledger); refusing to continue the feed");
  }
  ledger::Hash stored;
  CCL_RETURN_IF_ERROR(ledger->GetChainHash(cp.seq, &stored));
  if (stored != cp.hash) {
    return Status::Corruption(
        what + ": the ledger's chain hash at seq " + std::to_string(cp.seq) + " is " +
        events::HexEncode(stored) + ", the checkpoint recorded " + events::HexEncode(cp.hash) +
        ": the ledger was rewritten, or the checkpoint file was changed "
        "(ledgerctl verify checks the ledger); refusing to continue the feed");
  }
  return Status::OK();
}

}  // namespace ccl::feed
