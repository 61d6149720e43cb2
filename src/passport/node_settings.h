// The passport settings of a node's config, as the verifier needs them: [node]
// passport_audiences (default: the node's public_url) and passport_accept_bare_visas, the
// [[trust]] list's URLs checked before the node starts, and the fetch budgets derived from the
// server's thread count (so that JWKS and userinfo calls always leave a thread for answers that
// need no key). See docs/passports.md.
#pragma once

#include <vector>

#include "core/config.h"
#include "core/status.h"
#include "passport/verifier.h"

namespace genomefed::passport {

// The verifier options for `config` (its public_url must be final: Node::Start sets it to the
// bound address when the config leaves it empty).
VerifierOptions VerifierOptionsFor(const NodeConfig& config);

// OK when every [[trust]] jku and userinfo URL passes CheckTrustedUrl; otherwise
// kInvalidArgument naming the entry and the redacted URL.
Status ValidateTrustList(const std::vector<TrustEntry>& trust, bool allow_insecure_http = false);

}  // namespace genomefed::passport
