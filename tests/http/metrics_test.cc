#include "http/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace genomefed::http {
namespace {

TEST(Metrics, CounterRendersWithLabelsAndEscapes) {
  MetricsRegistry m;
  m.GetCounter("x_total", "Things", {{"route", "/a"}, {"weird", "q\"u\\o\nte"}}).Inc(3);
  m.GetCounter("x_total", "Things", {{"route", "/a"}, {"weird", "q\"u\\o\nte"}}).Inc();
  std::string text = m.RenderPrometheus();
  EXPECT_NE(text.find("# HELP x_total Things\n# TYPE x_total counter\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("x_total{route=\"/a\",weird=\"q\\\"u\\\\o\\nte\"} 4\n"), std::string::npos)
      << text;
}

TEST(Metrics, SameNameAndLabelsGiveTheSameMetric) {
  MetricsRegistry m;
  Counter& a = m.GetCounter("c", "h", {{"k", "v"}});
  Counter& b = m.GetCounter("c", "h", {{"k", "v"}});
  Counter& c = m.GetCounter("c", "h", {{"k", "w"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &c);
}

TEST(Metrics, TypeClashIsDetachedNotRendered) {
  MetricsRegistry m;
  m.GetCounter("c", "h").Inc();
  m.GetGauge("c", "other").Set(42);  // wrong type: must not crash nor corrupt output
  std::string text = m.RenderPrometheus();
  EXPECT_EQ(text.find("42"), std::string::npos) << text;
  EXPECT_NE(text.find("c 1\n"), std::string::npos) << text;
}

TEST(Metrics, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  MetricsRegistry m;
  Histogram& h = m.GetHistogram("lat_seconds", "Latency", {{"route", "/r"}}, {0.001, 0.01, 0.1});
  h.Observe(0.0005);
  h.Observe(0.001);  // on the bound: counts in le="0.001"
  h.Observe(0.05);
  h.Observe(3);
  std::string text = m.RenderPrometheus();
  EXPECT_NE(text.find("# TYPE lat_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_bucket{route=\"/r\",le=\"0.001\"} 2\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("lat_seconds_bucket{route=\"/r\",le=\"0.01\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_bucket{route=\"/r\",le=\"0.1\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_bucket{route=\"/r\",le=\"+Inf\"} 4\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_count{route=\"/r\"} 4\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_sum{route=\"/r\"} 3.0515\n"), std::string::npos) << text;
}

TEST(Metrics, ConcurrentIncrementsAreNotLost) {
  MetricsRegistry m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&m] {
      for (int i = 0; i < 10000; ++i) {
        m.GetCounter("n_total", "n", {{"k", "v"}}).Inc();
        m.GetHistogram("h", "h").Observe(0.001);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(m.GetCounter("n_total", "n", {{"k", "v"}}).Value(), 40000u);
  EXPECT_EQ(m.GetHistogram("h", "h").Read().count, 40000u);
}

TEST(Metrics, GaugeGoesUpAndDown) {
  MetricsRegistry m;
  Gauge& g = m.GetGauge("open", "Open things");
  g.Add(3);
  g.Add(-1);
  EXPECT_NE(m.RenderPrometheus().find("# TYPE open gauge\nopen 2\n"), std::string::npos);
}

}  // namespace
}  // namespace genomefed::http
