// Runs the built `genomefed crypt4gh ...` binary as a user would.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <string>
#include <thread>

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

// --- issue 22 point 2: plaintext is never world-readable; a killed decrypt leaves nothing ----

unsigned ModeOf(const std::filesystem::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 0777;
}

TEST_F(Cli, DecryptOutputIsPrivateWhateverTheUmask) {
  ASSERT_EQ(C4("keygen --sk a.sec --pk a.pub --nocrypt").exit_code, 0);
  Write("plain.bin", testing::RandomBytes(70000, 46));
  ASSERT_EQ(C4("encrypt --recipient-pk a.pub -i plain.bin -o f.c4gh").exit_code, 0);
  for (const char* mask : {"022", "077", "000"}) {
    std::string out = std::string("out-") + mask + ".bin";
    std::string umask = std::string("umask ") + mask + " &&";
    ASSERT_EQ(C4("decrypt --sk a.sec -i f.c4gh -o " + out, umask).exit_code, 0) << mask;
    EXPECT_EQ(ModeOf(dir_ / out), 0600u) << mask;
  }
  // Replacing an existing file never widens its mode (even with a permissive umask).
  Write("existing.bin", "old");
  ASSERT_EQ(::chmod((dir_ / "existing.bin").c_str(), 0600), 0);
  ASSERT_EQ(C4("decrypt --sk a.sec -i f.c4gh -o existing.bin", "umask 000 &&").exit_code, 0);
  EXPECT_EQ(ModeOf(dir_ / "existing.bin"), 0600u);
  EXPECT_EQ(Read("existing.bin").size(), 70000u);
  ASSERT_EQ(::chmod((dir_ / "existing.bin").c_str(), 0640), 0);
  ASSERT_EQ(C4("decrypt --sk a.sec -i f.c4gh -o existing.bin", "umask 000 &&").exit_code, 0);
  EXPECT_EQ(ModeOf(dir_ / "existing.bin"), 0640u);
  // Ciphertext outputs follow the umask like a shell redirection.
  ASSERT_EQ(C4("encrypt --recipient-pk a.pub -i plain.bin -o g.c4gh", "umask 077 &&").exit_code, 0);
  EXPECT_EQ(ModeOf(dir_ / "g.c4gh"), 0600u);
  ASSERT_EQ(C4("encrypt --recipient-pk a.pub -i plain.bin -o h.c4gh", "umask 022 &&").exit_code, 0);
  EXPECT_EQ(ModeOf(dir_ / "h.c4gh"), 0644u);
}

// Starts `genomefed crypt4gh decrypt` reading a FIFO, feeds it part of a large file, waits until
// its temporary output exists, kills it with `sig`, and checks that nothing is left behind.
void KillDecryptMidway(const std::filesystem::path& dir, int sig) {
  std::filesystem::path fifo = dir / ("in-" + std::to_string(sig) + ".fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string out = "out-" + std::to_string(sig) + ".bin";
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (::chdir(dir.c_str()) != 0) ::_exit(120);
    std::string bin = ::genomefed::testing::GenomefedBinary().string();
    ::execl(bin.c_str(), bin.c_str(), "crypt4gh", "decrypt", "--sk", "a.sec", "-i", fifo.c_str(),
            "-o", out.c_str(), static_cast<char*>(nullptr));
    ::_exit(121);
  }
  ::signal(SIGPIPE, SIG_IGN);  // the parent only: a child that died early must fail the test
  int fd = ::open(fifo.c_str(), O_WRONLY);  // blocks until the child opens it
  ASSERT_GE(fd, 0);
  Result<std::string> file = ReadFile(dir / "big.c4gh");
  ASSERT_OK(file);
  // 3 MiB of the file: past the writer's 1 MiB buffer, so partial plaintext is on disk.
  const size_t part = 3u << 20;
  ASSERT_EQ(::write(fd, file->data(), part), static_cast<ssize_t>(part));
  auto temp_exists = [&] {
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      std::string name = e.path().filename().string();
      std::error_code ec;
      if (name.rfind("." + out + ".tmp-", 0) == 0 && e.file_size(ec) > 0 && !ec) return true;
    }
    return false;
  };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!temp_exists() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(temp_exists()) << "the decrypt never wrote its temporary output";
  ASSERT_EQ(::kill(pid, sig), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ::close(fd);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == sig) << "status " << status;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    EXPECT_EQ(name.find(out), std::string::npos) << "left behind: " << name;
  }
}

TEST_F(Cli, KilledDecryptLeavesNoPartialPlaintext) {
  ASSERT_EQ(C4("keygen --sk a.sec --pk a.pub --nocrypt").exit_code, 0);
  Write("plain.bin", testing::RandomBytes(6u << 20, 47));
  ASSERT_EQ(C4("encrypt --recipient-pk a.pub -i plain.bin -o big.c4gh").exit_code, 0);
  KillDecryptMidway(dir_.path(), SIGTERM);
  KillDecryptMidway(dir_.path(), SIGINT);
}

}  // namespace
}  // namespace genomefed::crypt4gh
