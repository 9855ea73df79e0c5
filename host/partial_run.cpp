#include "partial_run.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace retailsynth {

namespace {

// Two message buffers: the handler reads the one `current` names while the other is rewritten.
char g_note[2][4096];
size_t g_len[2] = {0, 0};
std::atomic<int> g_current{-1};

extern "C" void on_interrupt(int sig) {
  const int c = g_current.load();
  if (c >= 0) {
    ssize_t ignored = ::write(2, g_note[c], g_len[c]);
    (void)ignored;
  }
  ::_exit(128 + sig);
}

}  // namespace

void announce_resume(const std::filesystem::path& partial, const nlohmann::json& checkpoint, i64 households, bool quiet) {
  if (quiet) return;
  const i64 done = checkpoint.value("blocks_done", i64{0}), size = std::max<i64>(1, checkpoint.value("block_size", i64{1}));
  const i64 blocks = (households + size - 1) / size;
  std::fprintf(stderr, "retailsynth: resuming %s at block %lld of %lld\n", partial.string().c_str(),
               static_cast<long long>(done + 1), static_cast<long long>(blocks));
}

void announce_discard(const std::filesystem::path& partial) {
  std::ifstream in(partial / "checkpoint.json");
  if (!in) return;
  nlohmann::json c;
  try {
    c = nlohmann::json::parse(in);
  } catch (const std::exception&) {
  }
  std::fprintf(stderr, "retailsynth: %s: discarding a partial run (%lld blocks of households done; --resume continues it)\n",
               partial.string().c_str(), static_cast<long long>(c.is_object() ? c.value("blocks_done", i64{0}) : 0));
}

void set_interrupt_note(const std::filesystem::path& partial, i64 blocks_done, i64 blocks) {
  const int next = g_current.load() == 0 ? 1 : 0;
  const std::string text = fmt::format(
      "retailsynth: interrupted; {} of {} blocks of households are kept in {}: the same command with --resume "
      "continues from there\n",
      blocks_done, blocks, partial.string());
  g_len[next] = std::min(text.size(), sizeof g_note[next]);
  std::memcpy(g_note[next], text.data(), g_len[next]);
  const bool first = g_current.exchange(next) < 0;
  if (first) {
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
  }
}

void clear_interrupt_note() {
  if (g_current.exchange(-1) < 0) return;
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

int test_signal() {
  const char* s = std::getenv("RETAILSYNTH_TEST_SIGNAL");
  if (s && std::strcmp(s, "INT") == 0) return SIGINT;
  if (s && std::strcmp(s, "TERM") == 0) return SIGTERM;
  return SIGKILL;
}

}  // namespace retailsynth
