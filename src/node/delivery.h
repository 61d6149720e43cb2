// Data delivery at the node: GA4GH htsget 1.3 (variants) and GA4GH DRS 1.2 over the node's
// Crypt4GH archive, for callers with a CONTROLLED right to the file's dataset.
//
// Routes (outside the Beacon's /api base):
//   GET  /htsget/variants/service-info            GA4GH service-info, type org.ga4gh:htsget
//   GET  /htsget/variants/{id}, POST (regions)     a ticket (htsget/request.h, ticket.h)
//   GET  /htsget/blocks/{id}?<signed>              one data URL of a ticket
//   GET  /ga4gh/drs/v1/service-info
//   GET  /ga4gh/drs/v1/objects/{id}, POST          an object (file) or bundle (dataset)
//   GET  /ga4gh/drs/v1/objects/{id}/access/{aid}, POST   a short-lived access URL
//   GET  /ga4gh/drs/v1/data/{id}?<signed>           the file re-encrypted for the requester
// Every request needs a passport (Authorization: Bearer, or DRS POST `passports`): 401 without a
// valid one, 403 when it does not give CONTROLLED access to the dataset or the node's policy
// refuses delivery (policy::Policy::CheckDelivery: jurisdiction rule, plaintext, countries,
// ethics). Data URLs are signed, expire (data_url_ttl) and are bound to the identity they were
// issued to; the passport is checked again on every data request, so a revoked grant stops a
// download. With Crypt4GH delivery the node opens only Crypt4GH headers: ticket blocks are the
// archive's stored segments, DRS bytes the stored body behind a rewritten header. Plaintext is
// decrypted in memory only, for tickets' VCF/BCF header and (deliver_plaintext = true) blocks;
// nothing is written to disk.
//
// Every decision (ticket, block, object, access, data; allowed or refused) is one audit Event
// (src/audit), appended before the answer leaves.
//
// Thread safety: handlers are safe to run concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "audit/audit_log.h"
#include "core/config.h"
#include "core/status.h"
#include "http/client.h"
#include "http/server.h"
#include "passport/clock.h"

namespace genomefed::node {

struct DeliveryOptions {
  std::shared_ptr<http::HttpClient> client;      // JWKS fetches; null: libcurl
  std::shared_ptr<const passport::Clock> clock;  // null: system clock
  // Where every decision is appended (durable before the answer is sent; an allowed access
  // that cannot be recorded is refused with 503). Null: decisions are only logged.
  std::shared_ptr<audit::AuditLog> audit;
  int64_t data_url_ttl_seconds = 600;
  // The most one data URL answers (tickets cut ranges into pieces of this size), so that
  // memory per request stays bounded.
  uint64_t max_data_url_bytes = 8u << 20;
};

// Adds the htsget and DRS routes for the node with `config` (public_url already set to the
// address it advertises; its data_dir holds archive/ and keys/).
Status AddDeliveryRoutes(http::Router& router, const NodeConfig& config,
                         DeliveryOptions options = {});

}  // namespace genomefed::node
