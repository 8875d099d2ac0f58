// events::DurableFileWriter: what each kind of target becomes, and that a
// writer never leaves a temporary file or half a file behind.
#include "events/base/durable_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "tests/testing/files.h"

namespace ccl::events {
namespace {

namespace fs = std::filesystem;

class DurableFileTest : public ::testing::Test {
 protected:
  size_t Entries() const {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) ++n;
    return n;
  }
  static mode_t Mode(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_mode & 07777;
  }

  test_files::TempDir tmp_{"ccl-durable-file"};
  const fs::path dir_ = tmp_.path();
};

TEST_F(DurableFileTest, NewFileAppearsOnlyAtCommit) {
  const fs::path p = dir_ / "a.txt";
  std::unique_ptr<DurableFileWriter> w;
  ASSERT_TRUE(DurableFileWriter::Open(p, FileWriteOptions(), &w).ok());
  EXPECT_FALSE(w->in_place());
  ASSERT_TRUE(w->Append("hello ").ok());
  ASSERT_TRUE(w->Append("world").ok());
  EXPECT_FALSE(fs::exists(p));
  ASSERT_TRUE(w->Commit().ok());
  EXPECT_EQ(test_files::ReadFile(p), "hello world");
  EXPECT_EQ(Entries(), 1u);
}

TEST_F(DurableFileTest, AbandonedWriterLeavesTheOldFileAndNoTemporary) {
  const fs::path p = dir_ / "a.txt";
  ASSERT_TRUE(WriteFileDurably(p, "old").ok());
  {
    std::unique_ptr<DurableFileWriter> w;
    ASSERT_TRUE(DurableFileWriter::Open(p, FileWriteOptions(), &w).ok());
    ASSERT_TRUE(w->Append("new").ok());
    EXPECT_EQ(Entries(), 2u);  // the file and the temporary beside it
  }
  EXPECT_EQ(test_files::ReadFile(p), "old");
  EXPECT_EQ(Entries(), 1u);
}

TEST_F(DurableFileTest, ReplacementKeepsPermissionsAndNewFileTakesTheGivenMode) {
  const fs::path p = dir_ / "a.txt";
  ASSERT_TRUE(WriteFileDurably(p, "old").ok());
  ASSERT_EQ(::chmod(p.c_str(), 0604), 0);
  ASSERT_TRUE(WriteFileDurably(p, "new").ok());
  EXPECT_EQ(Mode(p), 0604u);
  const fs::path key = dir_ / "key";
  ASSERT_TRUE(WriteFileDurably(key, "secret", {ExistingFile::kRefuse, 0600}).ok());
  EXPECT_EQ(Mode(key), 0600u);
}

TEST_F(DurableFileTest, RefuseNeverReplacesAFileEvenOneCreatedAfterOpen) {
  const fs::path p = dir_ / "digest.json";
  ASSERT_TRUE(WriteFileDurably(p, "published").ok());
  Status s = WriteFileDurably(p, "other", {ExistingFile::kRefuse, 0644});
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(test_files::ReadFile(p), "published");

  const fs::path q = dir_ / "late.json";
  std::unique_ptr<DurableFileWriter> w;
  ASSERT_TRUE(DurableFileWriter::Open(q, {ExistingFile::kRefuse, 0644}, &w).ok());
  ASSERT_TRUE(w->Append("mine").ok());
  ASSERT_TRUE(WriteFileDurably(q, "theirs").ok());  // another writer got there first
  s = w->Commit();
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  w.reset();
  EXPECT_EQ(test_files::ReadFile(q), "theirs");
  EXPECT_EQ(Entries(), 2u);
}

TEST_F(DurableFileTest, RefusedTargetsAreIOErrorsNamingThePath) {
  std::vector<fs::path> paths = {dir_, dir_ / "missing" / "x"};
  // A block device is refused before it is opened (it is a disk); this one
  // names no disk the machine has. Creating it needs root (CI runs as root).
  const fs::path disk = dir_ / "disk";
  if (::mknod(disk.c_str(), S_IFBLK | 0600, makedev(7, 250)) == 0) paths.push_back(disk);
  for (const fs::path& p : paths) {
    Status s = WriteFileDurably(p, "x");
    EXPECT_TRUE(s.IsIOError()) << p << ": " << s.ToString();
    EXPECT_NE(s.message().find(p.string()), std::string::npos) << s.message();
  }
  EXPECT_EQ(Entries(), paths.size() - 2);
}

// A folder, or a path that could become one, is OK; each way a path can
// never be a folder is named, and nothing is created.
TEST_F(DurableFileTest, CheckFolderPathNamesWhyAPathCannotBeAFolder) {
  const std::string dir = dir_.string();
  { std::ofstream(dir + "/file") << "x"; }
  fs::create_symlink(dir + "/nowhere", dir + "/dangling");
  EXPECT_TRUE(CheckFolderPath(dir).ok());
  EXPECT_TRUE(CheckFolderPath(dir + "/new/deeper").ok());
  const std::pair<std::string, std::string> refused[] = {
      {dir + "/file", dir + "/file exists and is not a folder"},
      {dir + "/file/x/y", dir + "/file/x/y: " + dir + "/file is not a folder"},
      {dir + "/dangling",
       dir + "/dangling is a symbolic link to " + dir + "/nowhere, which does not exist"},
  };
  for (const auto& [path, says] : refused) {
    const Status s = CheckFolderPath(path);
    EXPECT_TRUE(s.IsInvalidArgument()) << path << ": " << s.ToString();
    EXPECT_EQ(s.message(), says);
  }
  EXPECT_EQ(Entries(), 2u);
}

}  // namespace
}  // namespace ccl::events
