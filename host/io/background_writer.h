// Writes to output files on a thread of its own, so that hashing, compression and the copy into
// the page cache overlap the simulation and the formatting of what comes next.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <thread>

#include "io/output.h"

namespace retailsynth {

/// A queue of writes, done in the order they were queued (so every file gets its bytes in order)
/// by one thread.  At most `max_bytes` of text wait in the queue: write() blocks beyond that, so
/// memory stays bounded.  A failed write is rethrown, as it was thrown, by the next write() or
/// drain(); later writes are dropped.
class BackgroundWriter {
 public:
  explicit BackgroundWriter(size_t max_bytes = size_t{16} << 20);
  ~BackgroundWriter();
  BackgroundWriter(const BackgroundWriter&) = delete;
  BackgroundWriter& operator=(const BackgroundWriter&) = delete;

  /// Queues `text` for `file` and adds `rows` to its row count once written.
  void write(OutputFile& file, std::string text, u64 rows);
  /// Returns when every queued write is done.
  void drain();

 private:
  struct Job {
    OutputFile* file;
    std::string text;
    u64 rows;
  };
  void run();
  void rethrow_failure();

  size_t max_bytes_, queued_bytes_ = 0;
  std::deque<Job> jobs_;
  bool busy_ = false, stop_ = false;
  std::exception_ptr failure_;
  std::mutex mu_;
  std::condition_variable has_job_, has_room_;
  std::thread thread_;
};

}  // namespace retailsynth
