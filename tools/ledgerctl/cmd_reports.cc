// Placeholder until this command group is written; registers nothing yet.
#include "tools/ledgerctl/command.h"

namespace ccl::tools {

void RegisterReportCommands(CommandTable* /*table*/) {}

}  // namespace ccl::tools
