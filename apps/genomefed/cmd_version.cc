#include <htslib/hts.h>

#include <iostream>

#include "apps/genomefed/commands.h"

namespace genomefed::cli {

void RegisterVersion(CLI::App& root, CommandContext& /*ctx*/) {
  CLI::App* cmd = root.add_subcommand("version", "Print the genomefed and library versions");
  cmd->callback([] {
    std::cout << "genomefed " << GENOMEFED_VERSION << " (htslib " << hts_version() << ")\n";
  });
}

}  // namespace genomefed::cli
