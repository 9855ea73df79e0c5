#include "io/background_writer.h"

namespace retailsynth {

BackgroundWriter::BackgroundWriter(size_t max_bytes) : max_bytes_(max_bytes), thread_([this] { run(); }) {}

BackgroundWriter::~BackgroundWriter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  has_job_.notify_one();
  thread_.join();
}

void BackgroundWriter::rethrow_failure() {
  if (failure_) std::rethrow_exception(failure_);
}

void BackgroundWriter::write(OutputFile& file, std::string text, u64 rows) {
  std::unique_lock<std::mutex> lock(mu_);
  has_room_.wait(lock, [&] { return failure_ || queued_bytes_ == 0 || queued_bytes_ + text.size() <= max_bytes_; });
  rethrow_failure();
  queued_bytes_ += text.size();
  jobs_.push_back(Job{&file, std::move(text), rows});
  lock.unlock();
  has_job_.notify_one();
}

void BackgroundWriter::drain() {
  std::unique_lock<std::mutex> lock(mu_);
  has_room_.wait(lock, [&] { return failure_ || (jobs_.empty() && !busy_); });
  rethrow_failure();
}

void BackgroundWriter::run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    has_job_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopping, nothing left
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    busy_ = true;
    lock.unlock();
    std::exception_ptr failed;
    if (!failure_) {  // only this thread sets failure_
      try {
        job.file->write(job.text);
        job.file->add_rows(job.rows);
      } catch (...) {
        failed = std::current_exception();
      }
    }
    lock.lock();
    if (failed) failure_ = failed;
    queued_bytes_ -= job.text.size();
    busy_ = false;
    has_room_.notify_all();
  }
}

}  // namespace retailsynth
