// `genomefed passport issue`: a GA4GH Passport 1.2 JWT for tests, demos and small deployments.
//   passport issue --key K --iss URL --jku URL --sub S
//                  --visa TYPE=VALUE[,by=BY][,source=URL] ... [--expires-in SECONDS]
// Every visa is a Visa Document Token signed with K (headers jku, kid); the passport around
// them is signed with the same key. The token goes to stdout; nothing is logged.
#include <iostream>
#include <string>
#include <vector>

#include "apps/genomefed/commands.h"
#include "passport/clock.h"
#include "passport/signer.h"

namespace genomefed::cli {
namespace {

struct PassportIssueArgs {
  std::string key;
  std::string iss;
  std::string jku;
  std::string sub;
  std::vector<std::string> visas;
  int64_t expires_in = 3600;
};

// "TYPE=VALUE[,by=BY][,source=URL]"; the value itself may not contain ','.
Result<passport::VisaSpec> ParseVisaSpec(const std::string& text) {
  passport::VisaSpec spec;
  size_t comma = text.find(',');
  std::string head = text.substr(0, comma);
  size_t eq = head.find('=');
  if (eq == std::string::npos || eq == 0) {
    return InvalidArgument("--visa '" + text + "': expected TYPE=VALUE[,by=BY][,source=URL]");
  }
  spec.type = head.substr(0, eq);
  spec.value = head.substr(eq + 1);
  while (comma != std::string::npos) {
    size_t next = text.find(',', comma + 1);
    std::string part =
        text.substr(comma + 1, next == std::string::npos ? std::string::npos : next - comma - 1);
    size_t peq = part.find('=');
    std::string name = part.substr(0, peq);
    std::string val = peq == std::string::npos ? "" : part.substr(peq + 1);
    if (name == "by") {
      spec.by = val;
    } else if (name == "source") {
      spec.source = val;
    } else {
      return InvalidArgument("--visa '" + text + "': unknown field '" + name +
                             "' (by and source are supported)");
    }
    comma = next;
  }
  return spec;
}

Status PassportIssue(const PassportIssueArgs& args) {
  if (args.expires_in <= 0) return InvalidArgument("--expires-in must be positive");
  std::vector<passport::VisaSpec> specs;
  for (const std::string& text : args.visas) {
    GF_ASSIGN_OR_RETURN(passport::VisaSpec spec, ParseVisaSpec(text));
    specs.push_back(std::move(spec));
  }
  GF_ASSIGN_OR_RETURN(passport::SigningKey key, passport::SigningKey::Load(args.key));
  passport::IssueParams params;
  params.iss = args.iss;
  params.jku = args.jku;
  params.sub = args.sub;
  params.iat = passport::SystemClock().NowSeconds();
  params.exp = params.iat + args.expires_in;
  std::vector<std::string> visas;
  for (const auto& spec : specs) {
    GF_ASSIGN_OR_RETURN(std::string visa, passport::IssueVisa(key, params, spec));
    visas.push_back(std::move(visa));
  }
  GF_ASSIGN_OR_RETURN(std::string token, passport::IssuePassport(key, params, visas));
  std::cout << token << "\n";
  return Status::Ok();
}

}  // namespace

void RegisterPassport(CLI::App& root, CommandContext& ctx) {
  CLI::App* cmd = root.add_subcommand("passport", "GA4GH Passport tools");
  cmd->require_subcommand(1);
  auto args = std::make_shared<PassportIssueArgs>();
  CLI::App* issue = cmd->add_subcommand("issue", "Print a signed Passport JWT with visas");
  issue->add_option("--key", args->key, "Private key PEM (from `genomefed keys generate`)")
      ->required();
  issue->add_option("--iss", args->iss, "Issuer URL (as listed in the nodes' [[trust]])")
      ->required();
  issue->add_option("--jku", args->jku, "URL of the issuer's JWKS (as listed in [[trust]])")
      ->required();
  issue->add_option("--sub", args->sub, "Subject (the researcher's identifier)")->required();
  issue->add_option("--visa", args->visas,
                    "TYPE=VALUE[,by=BY][,source=URL], repeatable; e.g. "
                    "ControlledAccessGrants=https://node/datasets/ds1,by=dac");
  issue->add_option("--expires-in", args->expires_in, "Lifetime in seconds")->capture_default_str();
  issue->callback([args, &ctx] { Report(ctx, "passport issue", PassportIssue(*args)); });
}

}  // namespace genomefed::cli
