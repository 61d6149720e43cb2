// `genomefed keys`: signing keys for GA4GH Passport visas (operators, demos, the hub).
//   keys generate --alg ES256|RS256 --out DIR [--force]
//       DIR/private.pem (PKCS#8, mode 0600) and DIR/jwks.json (the public JWK set to serve at
//       the `jku` URL); prints the kid.
//   keys jwks --key K [--key K2 ...]
//       prints the JWK set of existing keys (key rotation: serve old and new together).
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "apps/genomefed/commands.h"
#include "core/file.h"
#include "passport/signer.h"

namespace genomefed::cli {
namespace {

struct KeysGenerateArgs {
  std::string alg = "ES256";
  std::string out;
  bool force = false;
};

Status KeysGenerate(const KeysGenerateArgs& args) {
  passport::JwsAlg alg;
  if (args.alg == "ES256") {
    alg = passport::JwsAlg::kES256;
  } else if (args.alg == "RS256") {
    alg = passport::JwsAlg::kRS256;
  } else {
    return InvalidArgument("--alg must be ES256 or RS256");
  }
  std::filesystem::path dir = args.out;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return IOError(dir.string() + ": " + ec.message());
  GF_ASSIGN_OR_RETURN(passport::SigningKey key, passport::SigningKey::Generate(alg));
  GF_ASSIGN_OR_RETURN(std::string pem, key.PrivatePem());
  Status written = passport::WritePrivateKeyFile(dir / "private.pem", pem, args.force);
  passport::WipeString(pem);
  GF_RETURN_IF_ERROR(written);
  GF_RETURN_IF_ERROR(WriteFileAtomic(dir / "jwks.json", passport::JwksFor({&key}).dump(2) + "\n"));
  std::cout << "kid " << key.kid() << "\n"
            << "private key " << (dir / "private.pem").string() << " (mode 0600)\n"
            << "public JWKS " << (dir / "jwks.json").string()
            << " (serve it at the jku URL listed in the nodes' [[trust]])\n";
  return Status::Ok();
}

Status KeysJwks(const std::vector<std::string>& key_paths) {
  std::vector<passport::SigningKey> keys;
  for (const std::string& path : key_paths) {
    GF_ASSIGN_OR_RETURN(passport::SigningKey key, passport::SigningKey::Load(path));
    keys.push_back(std::move(key));
  }
  std::vector<const passport::SigningKey*> ptrs;
  for (const auto& k : keys) ptrs.push_back(&k);
  std::cout << passport::JwksFor(ptrs).dump(2) << "\n";
  return Status::Ok();
}

}  // namespace

void RegisterKeys(CLI::App& root, CommandContext& ctx) {
  CLI::App* keys = root.add_subcommand("keys", "Signing keys for passport visas (JWKS)");
  keys->require_subcommand(1);

  auto gen_args = std::make_shared<KeysGenerateArgs>();
  CLI::App* gen = keys->add_subcommand("generate", "Generate a signing key and its public JWKS");
  gen->add_option("--alg", gen_args->alg, "ES256 or RS256")->capture_default_str();
  gen->add_option("--out", gen_args->out, "Directory for private.pem and jwks.json")->required();
  gen->add_flag("--force", gen_args->force, "Overwrite an existing private.pem");
  gen->callback([gen_args, &ctx] { Report(ctx, "keys generate", KeysGenerate(*gen_args)); });

  auto jwks_keys = std::make_shared<std::vector<std::string>>();
  CLI::App* jwks = keys->add_subcommand("jwks", "Print the public JWKS of existing private keys");
  jwks->add_option("--key", *jwks_keys, "Private key PEM (repeatable)")->required();
  jwks->callback([jwks_keys, &ctx] { Report(ctx, "keys jwks", KeysJwks(*jwks_keys)); });
}

}  // namespace genomefed::cli
