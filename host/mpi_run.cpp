#include "mpi_run.h"

#include <fmt/format.h>
#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "config.h"
#include "cuda_backend.h"

namespace fs = std::filesystem;

namespace retailsynth {

bool mpi_launched() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"}) {
    const char* e = std::getenv(v);
    if (e && std::atoi(e) > 1) return true;
  }
  return false;
}

int mpi_generate(GenerateOptions opt) {
  MPI_Init(nullptr, nullptr);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int code = 0;
  std::string message;
  try {
    if (opt.shard_count != 1 && (opt.shard_count != size || opt.shard_index != rank))
      throw InputError(fmt::format("--shard {}/{}: under MPI the shard is the rank ({}/{}); leave --shard out",
                                   opt.shard_index, opt.shard_count, rank, size));
    opt.shard_index = rank;
    opt.shard_count = size;
    // One GPU per rank where present: the local rank picks the device.
    const char* local = std::getenv("OMPI_COMM_WORLD_LOCAL_RANK");
    cuda::select_device(local ? std::atoi(local) : rank);
    generate(opt);
  } catch (const InputError& e) {
    code = 2;
    message = e.what();
  } catch (const std::exception& e) {
    code = 1;
    message = std::string("error: ") + e.what();
  }
  if (code != 0) std::fprintf(stderr, "retailsynth: rank %d: %s\n", rank, message.c_str());
  int worst = 0;
  MPI_Allreduce(&code, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (worst == 0 && rank == 0) {
    // Every shard has moved its manifest part into place (last): combine them.
    try {
      const fs::path top = fs::absolute(opt.out_dir);
      // A scenario set has one sharded dataset per scenario folder.
      std::vector<fs::path> dirs;
      if (opt.scenarios.empty()) dirs.push_back(top);
      for (const auto& d : scenario_dirs(top.string())) dirs.push_back(top / d);
      for (const fs::path& out : dirs) {
      nlohmann::json m;
      nlohmann::json files = nlohmann::json::object();
      u64 rows = 0, trips = 0;
      for (int r = 0; r < size; ++r) {
        const fs::path p = out / "manifest" / fmt::format("part-{}-of-{}.json", r, size);
        std::ifstream in(p);
        const nlohmann::json part = nlohmann::json::parse(in);
        if (r == 0) m = part;
        for (const auto& [name, f] : part["files"].items()) files[name] = f;
        rows += part["totals"]["transaction_rows"].get<u64>();
        trips += part["totals"]["trips"].get<u64>();
      }
      m.erase("shard");
      m["mpi"] = {{"ranks", size}};
      m["files"] = files;
      m["totals"] = {{"transaction_rows", rows}, {"trips", trips}};
      m["world"]["households"] = m["config"]["scale"]["households"];
      std::ofstream f(out / "manifest.json.tmp");
      f << m.dump(2) << "\n";
      f.close();
      fs::rename(out / "manifest.json.tmp", out / "manifest.json");
      }
    } catch (const std::exception& e) {
      std::fprintf(stderr, "retailsynth: rank 0: cannot write the combined manifest: %s\n", e.what());
      worst = 1;
    }
  }
  MPI_Finalize();
  return worst;
}

}  // namespace retailsynth
