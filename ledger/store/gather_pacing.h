// When the group commit's new leader waits for more writers before it
// commits (append_pipeline.cc GatherWriters). Internal to ccl_ledger.
#pragma once

#include <cassert>
#include <cstdint>

namespace ccl::ledger {

// The writers of the last group are all answered at once; a leader that
// waits (bounded) for as many to queue again makes them share the next
// sync instead of splitting into a small group and a late one. That pays
// when they come back within the wait: callers in this process, which
// append again microseconds after their answer. It costs the whole wait,
// with the disk idle, when they do not: callers behind a network (a
// server's clients), back only after their reply travelled and their next
// request arrived, by which time the sync in flight has gathered them
// anyway. So a wait that ends without them makes the next kSkipsAfterMiss
// leaders commit at once; then one waits again, to notice callers that
// have become fast. Not thread-safe: used under the group commit's mutex.
class GatherPacing {
 public:
  static constexpr uint32_t kSkipsAfterMiss = 64;

  // Whether this leader is to wait for the last group's writers.
  bool ShouldWait() const { return skips_left_ == 0; }
  // The outcome of a wait: whether the writers came within it.
  void Waited(bool writers_came) {
    assert(ShouldWait());
    skips_left_ = writers_came ? 0 : kSkipsAfterMiss;
  }
  // A leader committed without waiting (ShouldWait() was false).
  void Skipped() {
    assert(skips_left_ > 0);
    --skips_left_;
  }

 private:
  uint32_t skips_left_ = 0;
};

}  // namespace ccl::ledger
