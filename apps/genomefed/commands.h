// The genomefed CLI: one binary, one file per subcommand (like bcftools' main.c dispatch table).
// Each file defines a Register* function that adds its subcommand to the root CLI11 app; the
// subcommand's callback stores its outcome in the shared CommandContext.
#pragma once

#include <CLI/CLI.hpp>

#include "core/status.h"

namespace genomefed::cli {

struct CommandContext {
  int exit_code = 0;
};

// Prints "genomefed <command>: <message>" to stderr for a failed Status and records the exit
// code that ExitCodeFor assigns to its code. OK statuses print nothing.
void Report(CommandContext& ctx, std::string_view command, const Status& status);

void RegisterVersion(CLI::App& root, CommandContext& ctx);
void RegisterIngest(CLI::App& root, CommandContext& ctx);
void RegisterQuery(CLI::App& root, CommandContext& ctx);
void RegisterSynth(CLI::App& root, CommandContext& ctx);
void RegisterCrypt4gh(CLI::App& root, CommandContext& ctx);
void RegisterKeys(CLI::App& root, CommandContext& ctx);
void RegisterPassport(CLI::App& root, CommandContext& ctx);
void RegisterNode(CLI::App& root, CommandContext& ctx);
void RegisterHub(CLI::App& root, CommandContext& ctx);
void RegisterAudit(CLI::App& root, CommandContext& ctx);
void RegisterDuo(CLI::App& root, CommandContext& ctx);

}  // namespace genomefed::cli
