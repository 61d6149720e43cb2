// Fuzz target for the ingest's parsers of operator-supplied text other than VCF records: the
// sample sheet (TSV and Beacon individuals JSON, with the term-id patterns of term_ids.h) and
// the header evidence of the reference assembly (assembly.h). The first input byte picks the
// parser, the rest is its input. Built with clang -fsanitize=fuzzer when GENOMEFED_FUZZ=ON;
// otherwise the committed corpus is replayed by ingest_fuzz_replay_test.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ingest/assembly.h"
#include "ingest/sample_sheet.h"
#include "ingest/term_ids.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace genomefed::ingest;
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      auto rows = ParseSampleSheetTsv(text, "fuzz.tsv");
      if (rows.ok()) {
        for (const auto& r : *rows) {
          for (const auto& t : r.phenotypes) (void)TermIdProblem(t);
        }
      }
      break;
    }
    case 1:
      (void)ParseIndividualsJson(text, "fuzz.json");
      break;
    case 2:
      (void)TermIdProblem(text);
      break;
    default: {
      // Lines "name<TAB>length<TAB>assembly", the first line the ##reference value.
      HeaderAssemblyInput h;
      h.file = "fuzz.vcf";
      size_t start = 0;
      bool first = true;
      while (start <= text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view line = text.substr(start, end - start);
        if (first) {
          h.reference = std::string(line);
          first = false;
        } else {
          const size_t a = line.find('\t');
          const size_t b = a == std::string_view::npos ? a : line.find('\t', a + 1);
          h.contigs.emplace_back(line.substr(0, a));
          int64_t length = 0;
          if (a != std::string_view::npos) {
            for (char c : line.substr(a + 1, b == std::string_view::npos ? b : b - a - 1)) {
              if (c >= '0' && c <= '9' && length < (int64_t{1} << 40))
                length = length * 10 + (c - '0');
            }
          }
          h.lengths.push_back(length);
          h.assembly.emplace_back(b == std::string_view::npos ? "" : line.substr(b + 1));
        }
        start = end + 1;
      }
      auto batch = BatchAssembly(h, "");
      if (batch.ok()) {
        std::string warning;
        (void)DatasetAssemblyAfter("d", "GRCh37", *batch, warning);
        (void)DatasetAssemblyAfter("d", "", *batch, warning);
      }
    }
  }
  return 0;
}
