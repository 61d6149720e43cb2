// Fuzz target for what the hub's Beacon network reads from outside: node answers (checked
// against the question and merged, hub/network.h), node URLs and countries of registrations
// (hub/registry.h) and the hop header of incoming requests (hub/fanout.h). The first byte picks
// the parser, the rest is its input. Built with clang -fsanitize=fuzzer when GENOMEFED_FUZZ=ON;
// otherwise the committed corpus is replayed by hub_fuzz_replay_test.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "beacon/request.h"
#include "http/server.h"
#include "hub/fanout.h"
#include "hub/network.h"
#include "hub/registry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace genomefed;
  if (size == 0) return 0;
  const std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      // A node answer, to a variant count query and to a bare record query, by id and not.
      static const beacon::BeaconRequest variant = [] {
        auto r = beacon::ParseGetRequest({{"referenceName", "22"},
                                          {"start", "100"},
                                          {"referenceBases", "A"},
                                          {"alternateBases", "G"},
                                          {"requestedGranularity", "count"},
                                          {"filters", "HP:0001250"}});
        return r.ok() ? *r : beacon::BeaconRequest{};
      }();
      static const beacon::BeaconRequest record = [] {
        beacon::BeaconRequest r;
        r.requested_granularity = Granularity::kRecord;
        return r;
      }();
      hub::HubIdentity id{"h", "H", "http://hub"};
      auto answer = [&input](std::string node) {
        hub::NodeAnswer x;
        x.node_id = std::move(node);
        x.country = std::string("FI");
        x.reached = true;
        x.http_status = input.size() % 7 == 0 ? 404 : 200;
        x.body = input;
        x.expected_beacon_id = input.size() % 2 ? "n" : "";
        return x;
      };
      const std::vector<hub::NodeAnswer> one = {answer("n")};
      const std::vector<hub::NodeAnswer> two = {answer("n"), answer("m")};
      for (const beacon::BeaconRequest* r : {&variant, &record}) {
        (void)hub::MergeResultsets(id, *r, "genomicVariation", false, two);
        (void)hub::MergeResultsets(id, *r, "individual", true, one);
        (void)hub::MergeCollections(id, *r, "cohort", two);
      }
      break;
    }
    case 1: {
      // A registration: the URL, and the country from its last two bytes.
      hub::NodeRecord n{"n", input, input.size() >= 2 ? input.substr(input.size() - 2) : input,
                        "admin", 0};
      (void)hub::ValidateNode(n);
      (void)hub::CheckNotSelf("n", input, {"http://127.0.0.1:8000", input});
      (void)hub::WithoutUserinfo(input);
      (void)hub::ParseOrigin(input);
      break;
    }
    default: {
      http::Request req;
      req.headers.emplace_back("x-beacon-network-path", input);
      req.headers.emplace_back("x-beacon-network-path", input.substr(input.size() / 2));
      (void)hub::DetectLoop(req, "h");
      break;
    }
  }
  return 0;
}
