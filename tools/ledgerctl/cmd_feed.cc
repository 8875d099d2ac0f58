// Placeholder until this command group is written; registers nothing yet.
#include "tools/ledgerctl/command.h"

namespace ccl::tools {

void RegisterFeedCommands(CommandTable* /*table*/) {}

}  // namespace ccl::tools
