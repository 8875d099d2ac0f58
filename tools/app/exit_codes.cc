// Exit codes (tools/app/exit_codes.h).
#include "tools/app/exit_codes.h"

namespace ccl::app {

int ExitCodeFor(const Status& s) {
  switch (s.code()) {
    case Status::Code::kOk:
      return kExitOk;
    case Status::Code::kInvalidArgument:
    case Status::Code::kRuleViolation:
    case Status::Code::kConflict:
    case Status::Code::kNotFound:
      return kExitRejected;
    case Status::Code::kCorruption:
      return kExitCorruption;
    case Status::Code::kIOError:
    case Status::Code::kBusy:
      return kExitIO;
  }
  return kExitIO;
}

}  // namespace ccl::app
