// Feed outputs (tools/feed/output.h): a buffer in front of the product's one
// durable file writer (events/base/durable_file.h).
#include "tools/feed/output.h"

#include "events/base/durable_file.h"

namespace ccl::feed {

namespace {

// Large enough that write(2) calls are rare, small enough to stay in cache.
constexpr size_t kBufferBytes = 1 << 20;

class BufferedOutput final : public FeedOutput {
 public:
  explicit BufferedOutput(std::unique_ptr<events::DurableFileWriter> writer)
      : writer_(std::move(writer)) {
    buffer_.reserve(kBufferBytes);
  }

  Status Append(std::string_view data) override {
    if (committed_) return Status::IOError(writer_->name() + ": append after commit");
    bytes_ += data.size();
    buffer_.append(data);
    if (buffer_.size() >= kBufferBytes) return Flush();
    return Status::OK();
  }

  Status Flush() override {
    Status s = writer_->Append(buffer_);
    buffer_.clear();
    return s;
  }

  Status Commit() override {
    if (committed_) return Status::IOError(writer_->name() + ": committed twice");
    CCL_RETURN_IF_ERROR(Flush());
    committed_ = true;
    return writer_->Commit();
  }

  uint64_t bytes() const override { return bytes_; }

 private:
  std::unique_ptr<events::DurableFileWriter> writer_;
  std::string buffer_;
  uint64_t bytes_ = 0;
  bool committed_ = false;
};

}  // namespace

std::unique_ptr<FeedOutput> FeedOutput::ToDescriptor(int fd, std::string name) {
  return std::make_unique<BufferedOutput>(
      events::DurableFileWriter::OnDescriptor(fd, std::move(name)));
}

Status FeedOutput::ToFile(const std::string& path, std::unique_ptr<FeedOutput>* out) {
  std::unique_ptr<events::DurableFileWriter> writer;
  CCL_RETURN_IF_ERROR(events::DurableFileWriter::Open(path, events::FileWriteOptions(), &writer));
  *out = std::make_unique<BufferedOutput>(std::move(writer));
  return Status::OK();
}

}  // namespace ccl::feed
