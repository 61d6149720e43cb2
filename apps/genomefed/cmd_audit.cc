// `genomefed audit`: checks an audit log written by a node or the hub (docs/formats/audit.md).
//   audit verify FILE [--pubkey JWKS|JWK|PEM] [--allow-unsigned-tail] [--json]
//       checks the hash chain and, with --pubkey, every checkpoint's signature and that the log
//       ends with one (a cut tail). Names the first bad record; exit 4 when the log fails.
#include <iostream>
#include <memory>
#include <string>

#include "apps/genomefed/commands.h"
#include "audit/verify.h"

namespace genomefed::cli {
namespace {

struct AuditVerifyArgs {
  std::string file;
  std::string pubkey;
  bool allow_unsigned_tail = false;
  bool json = false;
};

Status AuditVerify(const AuditVerifyArgs& args) {
  audit::VerifyOptions options;
  options.allow_unsigned_tail = args.allow_unsigned_tail;
  if (!args.pubkey.empty()) {
    GF_ASSIGN_OR_RETURN(auto keys, audit::LoadVerificationKeys(args.pubkey));
    options.keys = std::move(keys);
  }
  GF_ASSIGN_OR_RETURN(audit::VerifyReport report, audit::VerifyLog(args.file, options));
  if (args.json) {
    nlohmann::json out = {{"file", args.file},
                          {"ok", true},
                          {"records", report.records},
                          {"checkpoints", report.checkpoints},
                          {"lastSignedSeq", report.last_signed_seq},
                          {"unsignedTail", report.unsigned_tail},
                          {"signaturesChecked", report.signatures_checked},
                          {"head", report.head}};
    std::cout << out.dump(2) << "\n";
    return Status::Ok();
  }
  std::cout << args.file << ": OK, " << report.records << " records, " << report.checkpoints
            << " checkpoints, chain head " << report.head << "\n";
  if (!report.signatures_checked) {
    std::cout << "note: signatures not checked (no --pubkey): the chain shows changes inside "
                 "the log, not a cut tail\n";
  } else if (report.unsigned_tail > 0) {
    std::cout << "note: " << report.unsigned_tail
              << " record(s) after the last signed checkpoint (seq " << report.last_signed_seq
              << ")\n";
  }
  return Status::Ok();
}

}  // namespace

void RegisterAudit(CLI::App& root, CommandContext& ctx) {
  CLI::App* cmd = root.add_subcommand("audit", "Verify tamper-evident audit logs");
  cmd->require_subcommand(1);
  auto args = std::make_shared<AuditVerifyArgs>();
  CLI::App* verify =
      cmd->add_subcommand("verify", "Check an audit log's hash chain and signatures");
  verify->add_option("file", args->file, "The audit log (JSON Lines)")->required();
  verify->add_option("--pubkey", args->pubkey,
                     "The signer's public key: JWKS (e.g. keys/jwks.json), one JWK, or PEM");
  verify->add_flag("--allow-unsigned-tail", args->allow_unsigned_tail,
                   "Accept records after the last checkpoint (a log still being written)");
  verify->add_flag("--json", args->json, "Print the report as JSON");
  verify->callback([args, &ctx] { Report(ctx, "audit verify", AuditVerify(*args)); });
}

}  // namespace genomefed::cli
