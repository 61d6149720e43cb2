// genomefed: the single command-line entry point. This file only wires subcommands together;
// each lives in its own cmd_*.cc and the work itself in the libraries under src/.
#include <CLI/CLI.hpp>

#include <iostream>

#include "apps/genomefed/commands.h"
#include "core/log.h"

namespace genomefed::cli {

void Report(CommandContext& ctx, std::string_view command, const Status& status) {
  if (status.ok()) return;
  std::cerr << "genomefed " << command << ": " << status.message() << " ["
            << StatusCodeName(status.code()) << "]\n";
  ctx.exit_code = ExitCodeFor(status.code());
}

}  // namespace genomefed::cli

int main(int argc, char** argv) {
  using namespace genomefed::cli;
  CLI::App app{"genomefed: federated, controlled access to human genomes on GA4GH standards"};
  app.require_subcommand(1);
  std::string log_level = "warn";
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error|off")
      ->capture_default_str();
  CommandContext ctx;
  // The dispatch table: one line per subcommand file.
  RegisterVersion(app, ctx);
  RegisterIngest(app, ctx);
  RegisterQuery(app, ctx);
  RegisterSynth(app, ctx);
  RegisterCrypt4gh(app, ctx);
  RegisterKeys(app, ctx);
  RegisterPassport(app, ctx);
  RegisterNode(app, ctx);
  RegisterHub(app, ctx);
  RegisterAudit(app, ctx);
  RegisterDuo(app, ctx);

  app.parse_complete_callback([&] { genomefed::log::Init(log_level); });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return ctx.exit_code;
}
