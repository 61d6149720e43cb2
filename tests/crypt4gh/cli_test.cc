// Runs the built `genomefed crypt4gh ...` binary as a user would.
#include <sys/stat.h>

#include <string>

#include "core/file.h"
#include "support/test_support.h"
#include "tests/crypt4gh/test_util.h"

namespace genomefed::crypt4gh {
namespace {

using ::genomefed::testing::CommandResult;
using ::genomefed::testing::GenomefedBinary;
using ::genomefed::testing::RunCommand;
using ::genomefed::testing::SharedDir;
using ::genomefed::testing::TempDir;

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(GenomefedBinary())) {
      GTEST_SKIP() << "the genomefed binary is not built at " << GenomefedBinary();
    }
  }
  // Runs `genomefed crypt4gh <args>` in the temp dir, without a terminal (setsid), so that a
  // missing passphrase cannot hang on a prompt.
  CommandResult C4(const std::string& args, const std::string& env = "") {
    std::string cmd = "cd '" + dir_.path().string() + "' && " + env + " setsid '" +
                      GenomefedBinary().string() + "' crypt4gh " + args + " </dev/null";
    return RunCommand(cmd);
  }
  CommandResult C4In(const std::string& args, const std::string& input_file,
                     const std::string& env = "") {
    std::string cmd = "cd '" + dir_.path().string() + "' && " + env + " setsid '" +
                      GenomefedBinary().string() + "' crypt4gh " + args + " < '" + input_file + "'";
    return RunCommand(cmd);
  }
  std::string Read(const std::string& name) {
    Result<std::string> s = ReadFile(dir_ / name);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : "";
  }
  void Write(const std::string& name, const std::string& content) {
    ASSERT_OK(WriteFileAtomic(dir_ / name, content));
  }
  TempDir dir_;
};

TEST_F(Cli, KeygenEncryptDecryptWithPassphraseFromEnvironment) {
  ASSERT_EQ(
      C4("keygen --sk alice.sec --pk alice.pub --kdf bcrypt", "C4GH_PASSPHRASE=pw1").exit_code, 0);
  ASSERT_EQ(C4("keygen --sk bob.sec --pk bob.pub --nocrypt").exit_code, 0);
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "alice.sec").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NE(Read("alice.pub").find("-----BEGIN CRYPT4GH PUBLIC KEY-----"), std::string::npos);
  // Refuses to overwrite without --force.
  EXPECT_NE(C4("keygen --sk bob.sec --pk bob.pub --nocrypt").exit_code, 0);

  std::string plain = testing::RandomBytes(3 * 65536 + 77, 42);
  Write("plain.bin", plain);
  // stdin -> stdout, two recipients.
  CommandResult enc = C4In("encrypt --recipient-pk alice.pub --recipient-pk bob.pub",
                           (dir_ / "plain.bin").string());
  ASSERT_EQ(enc.exit_code, 0);
  Write("file.c4gh", enc.output);
  CommandResult a = C4("decrypt --sk alice.sec -i file.c4gh", "C4GH_PASSPHRASE=pw1");
  ASSERT_EQ(a.exit_code, 0);
  EXPECT_TRUE(a.output == plain);
  CommandResult b = C4("decrypt --sk bob.sec -i file.c4gh -o out.bin");
  ASSERT_EQ(b.exit_code, 0);
  EXPECT_TRUE(Read("out.bin") == plain);
  // Wrong passphrase and no passphrase at all (no terminal): clear failures, no output file.
  CommandResult wrong =
      C4("decrypt --sk alice.sec -i file.c4gh -o never.bin", "C4GH_PASSPHRASE=nope");
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "never.bin"));
  CommandResult none = RunCommand(
      "cd '" + dir_.path().string() + "' && env -u C4GH_PASSPHRASE setsid '" +
          GenomefedBinary().string() + "' crypt4gh decrypt --sk alice.sec -i file.c4gh </dev/null",
      /*merge_stderr=*/true);
  EXPECT_NE(none.exit_code, 0);
  EXPECT_NE(none.output.find("C4GH_PASSPHRASE"), std::string::npos) << none.output;
}

TEST_F(Cli, RangeReencryptRearrangeAndSenderCheck) {
  ASSERT_EQ(C4("keygen --sk a.sec --pk a.pub --nocrypt").exit_code, 0);
  ASSERT_EQ(C4("keygen --sk b.sec --pk b.pub --nocrypt").exit_code, 0);
  ASSERT_EQ(C4("keygen --sk w.sec --pk w.pub --nocrypt").exit_code, 0);
  std::string plain = testing::RandomBytes(5 * 65536 + 5, 43);
  Write("plain.bin", plain);
  ASSERT_EQ(C4("encrypt --recipient-pk a.pub --sk w.sec -i plain.bin -o f.c4gh").exit_code, 0);

  CommandResult range = C4("decrypt --sk a.sec --range 65530-131080 -i f.c4gh");
  ASSERT_EQ(range.exit_code, 0);
  EXPECT_TRUE(range.output == plain.substr(65530, 131080 - 65530));

  // --sender-pk: the right writer passes, another is refused with the access exit code.
  EXPECT_EQ(C4("decrypt --sk a.sec --sender-pk w.pub -i f.c4gh -o x").exit_code, 0);
  CommandResult refused = C4("decrypt --sk a.sec --sender-pk b.pub -i f.c4gh -o y");
  EXPECT_EQ(refused.exit_code, ExitCodeFor(StatusCode::kPermissionDenied));

  ASSERT_EQ(C4("reencrypt --sk a.sec --recipient-pk b.pub -i f.c4gh -o g.c4gh").exit_code, 0);
  CommandResult b = C4("decrypt --sk b.sec -i g.c4gh");
  ASSERT_EQ(b.exit_code, 0);
  EXPECT_TRUE(b.output == plain);
  EXPECT_EQ(Read("f.c4gh").substr(Read("f.c4gh").size() - 1000),
            Read("g.c4gh").substr(Read("g.c4gh").size() - 1000));

  ASSERT_EQ(C4("rearrange --sk a.sec --range 200000-200100 -i f.c4gh -o r.c4gh").exit_code, 0);
  EXPECT_LT(Read("r.c4gh").size(), 2 * kCipherSegmentSize);
  CommandResult r = C4("decrypt --sk a.sec -i r.c4gh");
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_TRUE(r.output == plain.substr(200000, 100));

  // encrypt --range carries only the segment it overlaps (plus an edit list).
  ASSERT_EQ(C4("encrypt --recipient-pk a.pub --range 10-20 -i plain.bin -o e.c4gh").exit_code, 0);
  EXPECT_LT(Read("e.c4gh").size(), kCipherSegmentSize + 400);
  CommandResult e = C4("decrypt --sk a.sec -i e.c4gh");
  ASSERT_EQ(e.exit_code, 0);
  EXPECT_EQ(e.output, plain.substr(10, 10));
}

// The case: 70,000 bytes of a 150,000-byte file. Only segments 1 and 2 may leave (the
// whole file would be 150,000 + overhead), and the reference keys decrypt exactly the range.
TEST_F(Cli, EncryptRangeSendsOnlyOverlappingSegments) {
  GF_REQUIRE_SHARED("crypt4gh/bob.sec");
  std::string shared = (SharedDir() / "crypt4gh").string();
  std::string plain = testing::RandomBytes(150000, 45);
  Write("plain.bin", plain);
  ASSERT_EQ(C4("encrypt --recipient-pk '" + shared +
               "/bob.pub' --range 70000-140000 -i plain.bin -o r.c4gh")
                .exit_code,
            0);
  uint64_t overlapping = BodySizeFor(150000) - BodySizeFor(65536);  // segments 1 and 2
  EXPECT_LE(Read("r.c4gh").size(), overlapping + 300);
  EXPECT_GE(Read("r.c4gh").size(), overlapping);
  CommandResult r = C4("decrypt --sk '" + shared + "/bob.sec' -i r.c4gh");
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_TRUE(r.output == plain.substr(70000, 70000));
}

TEST_F(Cli, DamagedInputFailsWithCorruptionAndNoOutputFile) {
  ASSERT_EQ(C4("keygen --sk a.sec --pk a.pub --nocrypt").exit_code, 0);
  Write("plain.bin", testing::RandomBytes(100000, 44));
  ASSERT_EQ(C4("encrypt --recipient-pk a.pub -i plain.bin -o f.c4gh").exit_code, 0);
  std::string f = Read("f.c4gh");
  f[f.size() - 100] ^= 1;
  Write("bad.c4gh", f);
  CommandResult r = C4("decrypt --sk a.sec -i bad.c4gh -o out.bin");
  EXPECT_EQ(r.exit_code, ExitCodeFor(StatusCode::kCorruption));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out.bin"));
  Write("junk.c4gh", "this is not crypt4gh at all");
  EXPECT_EQ(C4("decrypt --sk a.sec -i junk.c4gh").exit_code,
            ExitCodeFor(StatusCode::kInvalidArgument));
}

TEST_F(Cli, DecryptsSharedFilesWithSharedKeys) {
  GF_REQUIRE_SHARED("crypt4gh/ega-py-tests_alice.sec");
  std::string shared = (SharedDir() / "crypt4gh").string();
  CommandResult kat = C4("decrypt --sk '" + shared + "/rfc7748_alice.c4ghv1-none.sec' -i '" +
                         shared + "/kat.c4gh'");
  ASSERT_EQ(kat.exit_code, 0);
  EXPECT_EQ(kat.output, "Hello Crypt4GH!\n");
  CommandResult vcf =
      C4("decrypt --sk '" + shared + "/bob.sec' -i '" + shared + "/spec-v4.3.vcf.gz.c4gh'");
  ASSERT_EQ(vcf.exit_code, 0);
  EXPECT_EQ(testing::Sha256Of(vcf.output),
            "d60da22a23f34b10786260d207e2fd73d6d68bfdc85df675dc8c0cadd5538987");
  // A bcrypt-protected key from the Python tool, re-encrypting for it.
  ASSERT_EQ(C4("encrypt --recipient-pk '" + shared + "/ega-py-tests_alice.pub' -i '" + shared +
               "/spec-v4.3.vcf.gz.plain' -o v.c4gh")
                .exit_code,
            0);
  CommandResult back =
      C4("decrypt --sk '" + shared + "/ega-py-tests_alice.sec' -i v.c4gh", "C4GH_PASSPHRASE=alice");
  ASSERT_EQ(back.exit_code, 0);
  EXPECT_EQ(testing::Sha256Of(back.output),
            "d60da22a23f34b10786260d207e2fd73d6d68bfdc85df675dc8c0cadd5538987");
}

}  // namespace
}  // namespace genomefed::crypt4gh
