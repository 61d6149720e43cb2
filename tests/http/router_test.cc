#include <gtest/gtest.h>

#include "http/server.h"
#include "support/test_support.h"

namespace genomefed::http {
namespace {

Handler Named(std::string name) {
  return [name](const Request&) { return Response::Text(name); };
}

// X-Forwarded-For is believed only from trusted peers, and only up to the first address that
// is not a trusted proxy, read from the right (what the client wrote itself stays unbelieved).
TEST(ClientIp, PeerUnlessATrustedProxyForwarded) {
  Request r;
  r.client_address = "192.0.2.7:53124";
  EXPECT_EQ(ClientIp(r, {}), "192.0.2.7");
  r.headers = {{"x-forwarded-for", "203.0.113.9"}};
  EXPECT_EQ(ClientIp(r, {}), "192.0.2.7");               // untrusted peer: header ignored
  EXPECT_EQ(ClientIp(r, {"192.0.2.7"}), "203.0.113.9");  // the hub, trusted
  r.headers = {{"x-forwarded-for", "6.6.6.6, 203.0.113.9"}};
  EXPECT_EQ(ClientIp(r, {"192.0.2.7"}), "203.0.113.9");  // the client's own claim is not used
  r.headers = {{"x-forwarded-for", "203.0.113.9, 10.0.0.2"}};
  EXPECT_EQ(ClientIp(r, {"192.0.2.7", "10.0.0.2"}), "203.0.113.9");  // two proxies
  r.headers = {{"x-forwarded-for", "garbage, 203.0.113.9"}};
  EXPECT_EQ(ClientIp(r, {"192.0.2.7"}), "203.0.113.9");
  r.headers = {{"x-forwarded-for", "203.0.113.9, garbage"}};
  EXPECT_EQ(ClientIp(r, {"192.0.2.7"}), "192.0.2.7");  // nothing usable: the peer
  r.client_address = "[::ffff:192.0.2.7]:4000";
  r.headers = {{"x-forwarded-for", "2001:db8::1"}};
  EXPECT_EQ(ClientIp(r, {"192.0.2.7"}), "2001:db8::1");
}

TEST(Router, MatchesLiteralsAndCapturesDecoded) {
  Router r;
  ASSERT_OK(r.Get("/api/g_variants", Named("list")));
  ASSERT_OK(r.Get("/api/g_variants/{id}", Named("one")));
  ASSERT_OK(r.Get("/api/g_variants/{id}/individuals", Named("inds")));
  auto m = r.Find("GET", "/api/g_variants/22%3A16050074%3AA%3EG/individuals");
  ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(m.route, "/api/g_variants/{id}/individuals");
  EXPECT_EQ(m.params.at("id"), "22:16050074:A>G");
  EXPECT_EQ(r.endpoints()[m.endpoint].pattern, "/api/g_variants/{id}/individuals");

  m = r.Find("GET", "/api/g_variants/a%2Fb");  // an encoded slash stays inside the capture
  ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(m.params.at("id"), "a/b");
}

TEST(Router, TrailingSlashIsIgnoredAndRootMatches) {
  Router r;
  ASSERT_OK(r.Get("/", Named("root")));
  ASSERT_OK(r.Get("/api", Named("api")));
  EXPECT_EQ(r.Find("GET", "/api/").kind, Router::Match::Kind::kFound);
  EXPECT_EQ(r.Find("GET", "/").route, "/");
  EXPECT_EQ(r.Find("GET", "/api/x").kind, Router::Match::Kind::kNotFound);
  EXPECT_EQ(r.Find("GET", "*").kind, Router::Match::Kind::kNotFound);
  EXPECT_EQ(r.Find("GET", "").kind, Router::Match::Kind::kNotFound);
}

TEST(Router, LiteralBeatsCapture) {
  Router r;
  ASSERT_OK(r.Get("/api/datasets/{id}", Named("one")));
  ASSERT_OK(r.Get("/api/datasets/special", Named("special")));
  EXPECT_EQ(r.Find("GET", "/api/datasets/special").route, "/api/datasets/special");
  EXPECT_EQ(r.Find("GET", "/api/datasets/other").route, "/api/datasets/{id}");
}

TEST(Router, MethodNotAllowedListsAllowedMethods) {
  Router r;
  ASSERT_OK(r.Get("/api/g_variants", Named("get")));
  ASSERT_OK(r.Post("/api/g_variants", Named("post")));
  auto m = r.Find("DELETE", "/api/g_variants");
  EXPECT_EQ(m.kind, Router::Match::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "GET, HEAD, POST");
  EXPECT_EQ(r.Find("HEAD", "/api/g_variants").kind, Router::Match::Kind::kFound);
}

TEST(Router, BadEscapeInCaptureIsBadPath) {
  Router r;
  ASSERT_OK(r.Get("/api/datasets/{id}", Named("one")));
  auto m = r.Find("GET", "/api/datasets/x%zz");
  EXPECT_EQ(m.kind, Router::Match::Kind::kBadPath);
  EXPECT_NE(m.error.find("{id}"), std::string::npos) << m.error;
}

TEST(Router, EmptyCaptureDoesNotMatch) {
  Router r;
  ASSERT_OK(r.Get("/a/{id}/b", Named("x")));
  EXPECT_EQ(r.Find("GET", "/a//b").kind, Router::Match::Kind::kNotFound);
}

TEST(Router, RejectsBadPatternsAndDuplicates) {
  Router r;
  EXPECT_EQ(r.Get("api", Named("x")).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.Get("/a/{id", Named("x")).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.Get("/a/x{id}", Named("x")).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.Get("/a/{id}/{id}", Named("x")).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.Get("/a", nullptr).code(), StatusCode::kInvalidArgument);
  ASSERT_OK(r.Get("/a/{id}", Named("x")));
  EXPECT_EQ(r.Get("/a/{id}", Named("y")).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(r.Get("/a/{other}", Named("y")).code(), StatusCode::kAlreadyExists);
  ASSERT_OK(r.Post("/a/{id}", Named("y")));
}

TEST(ErrorResponse, MapsStatusThroughFormatter) {
  Response res = ErrorResponse(NotFound("no dataset 'x'"));
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(res.body, R"({"status":404,"msg":"no dataset 'x'"})");
  Response custom = ErrorResponse(InvalidArgument("bad"), [](int status, std::string_view msg) {
    return Response::Text(std::to_string(status) + ":" + std::string(msg), status);
  });
  EXPECT_EQ(custom.body, "400:bad");
  // Invalid UTF-8 in a message must not throw from the JSON encoder.
  Response bad_utf8 = DefaultErrorFormatter(400, "bad \xff byte");
  EXPECT_EQ(bad_utf8.status, 400);
}

}  // namespace
}  // namespace genomefed::http
