// The audit routes: adapters to the ledger's Merkle tree (ledger/audit/merkle_ledger.h),
// answering with the files `ledgerctl digest`, `prove` and `consistency` write.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "events/base/display.h"
#include "ledger/audit/merkle_ledger.h"
#include "ledger/merkle/digest.h"
#include "ledger/merkle/proof.h"
#include "tools/access/scope.h"
#include "tools/server/routes.h"

namespace ccl::ledgerd {
namespace {

// Digests carry whole seconds, as `ledgerctl digest` makes them.
int64_t NowSecondsNs() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::seconds>(now).count() * 1'000'000'000;
}

// What both proof routes read first: the ledger's tree and two numbers of
// the query, `first` (required) and `second` (default: the tree's size).
// An error reply when either is bad or the tree cannot be opened.
std::optional<Reply> ProofQuery(const Request& r, Service& svc, const char* first,
                                const char* second, std::unique_ptr<ledger::MerkleStore>* tree,
                                uint64_t* first_value, uint64_t* second_value) {
  if (!r.query.Has(first)) return Reply::Error(BadParameter(first, "required"));
  Status s = ledger::OpenLedgerTree(svc.ledger, tree);
  if (!s.ok()) return Reply::Of(s);
  if (auto e = r.query.Number(first, 0, UINT64_MAX, first_value)) return Reply::Error(*e);
  if (auto e = r.query.Number(second, (*tree)->size(), UINT64_MAX, second_value)) {
    return Reply::Error(*e);
  }
  return std::nullopt;
}

// What a scoped caller is told of a seq whose proof it may not have: one
// outside its scope and one not among the digest's events alike, in words
// true of both (ProveInclusion tells an unscoped caller the latter).
Status SeqNotShownInDigest(uint64_t seq, uint64_t tree_size) {
  return Status::NotFound("seq " + std::to_string(seq) +
                          ": no event you may see among the digest's " + std::to_string(tree_size) +
                          " events");
}

}  // namespace

Reply GetDigest(const Request&, Service& svc) {
  std::unique_ptr<ledger::MerkleStore> tree;
  Status s = ledger::OpenLedgerTree(svc.ledger, &tree);
  ledger::Digest d;
  if (s.ok()) s = ledger::MakeDigest(svc.ledger, *tree, NowSecondsNs(), &d);
  if (s.ok() && svc.digest_key) s = ledger::SignDigest(*svc.digest_key, &d);
  if (!s.ok()) return Reply::Of(s);
  return Reply::Json(ledger::DigestToJson(d));
}

Reply GetInclusionProof(const Request& r, Service& svc) {
  std::unique_ptr<ledger::MerkleStore> tree;
  uint64_t seq = 0, size = 0;
  if (auto error = ProofQuery(r, svc, "seq", "size", &tree, &seq, &size)) return *error;
  ledger::Digest digest;
  ledger::InclusionProof proof;
  Status s = ledger::MakeDigestAt(svc.ledger, *tree, size, NowSecondsNs(), &digest);
  ScopeCheck scope(r.context.scope(), svc.ledger);
  if (s.ok() && !scope.everything()) {
    // A proof carries the event's bytes: it follows the caller's scope, and
    // an event outside it reads as a seq beyond the digest.
    const Status hidden = SeqNotShownInDigest(seq, digest.tree_size);
    s = seq == 0 || seq > digest.tree_size ? hidden : scope.SeqShownOrNotFound(seq, hidden);
  }
  if (s.ok()) s = ledger::ProveInclusion(svc.ledger, *tree, seq, digest, &proof);
  if (!s.ok()) {
    ApiError e = ApiErrorOf(s);
    e.seq = seq;
    return Reply::Error(e);
  }
  return Reply::Json(ledger::InclusionProofToJson(proof));
}

Reply GetConsistencyProof(const Request& r, Service& svc) {
  std::unique_ptr<ledger::MerkleStore> tree;
  uint64_t old_size = 0, new_size = 0;
  if (auto error = ProofQuery(r, svc, "old", "new", &tree, &old_size, &new_size)) return *error;
  ledger::Digest old_digest, new_digest;
  ledger::ConsistencyProof proof;
  const int64_t now = NowSecondsNs();
  Status s = ledger::MakeDigestAt(svc.ledger, *tree, old_size, now, &old_digest);
  if (s.ok()) s = ledger::MakeDigestAt(svc.ledger, *tree, new_size, now, &new_digest);
  if (s.ok()) s = ledger::ProveConsistency(svc.ledger, *tree, old_digest, new_digest, &proof);
  if (!s.ok()) return Reply::Of(s);
  return Reply::Json(ledger::ConsistencyProofToJson(proof));
}

Reply GetHealthz(const Request&, Service&) { return Reply::Json("{\"status\":\"ok\"}"); }

Reply GetReadyz(const Request&, Service& svc) {
  const uint64_t head = svc.ledger->head().seq;
  std::string why;
  if (svc.draining) why = "shutting down";
  if (svc.writes_failed) why = kWritesRefusedUntilRestart;
  if (!why.empty()) return Reply::Error(HttpError(503, "unavailable", why));
  return Reply::Json("{\"ready\":true,\"head_seq\":" + std::to_string(head) + "}");
}

Reply GetMetrics(const Request&, Service& svc) {
  return Reply{200, "text/plain; version=0.0.4", svc.metrics->Text()};
}

Reply PostReload(const Request& r, Service& svc) {
  ReloadDigests digests;
  Status s = svc.policy->Reload(&digests);
  if (svc.on_reload) {
    svc.on_reload(s, "POST /v1/admin/reload by " + events::LineField(r.context.principal));
  }
  if (svc.access_log != nullptr) {
    Status a = svc.access_log->RecordReload(
        "POST /v1/admin/reload", r.context, *svc.policy, digests,
        static_cast<uint16_t>(s.ok() ? 200 : ApiErrorOf(s).http_status));
    if (!a.ok()) return AccessLogFailure(a);
  }
  if (!s.ok()) return Reply::Of(s);
  return Reply::Json(
      "{\"reloaded\":true,\"principals\":" + std::to_string(svc.policy->Get()->size()) + "}");
}

}  // namespace ccl::ledgerd
