// The hub's bridge from applications to DUO consent matching (duo/match.h, DUO 2021-02-23 with
// the DUOS V4 rules): a dataset's consent codes and an application's purpose codes in, the
// verdict (approve / deny / needs_review) and its reasons out. Built without the duo library,
// the matcher is empty and every verdict is needs_review (a human decides).
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "hub/access/service.h"

namespace genomefed::hub::access {

ConsentMatcher DuoConsentMatcher();

// kInvalidArgument naming the item when a purpose code is not a known DUO term or disease id
// (OK without the duo library: the service's own syntax check still runs).
Status CheckPurposeCodes(const std::vector<std::string>& purpose);

}  // namespace genomefed::hub::access
