// Set-up of household heterogeneity and trip missions for the backends (DESIGN §3.5, §3.7).
#pragma once
#include <string>
#include <vector>

#include "engine/demographics.h"
#include "world.h"

namespace retailsynth {

/// The distributions, the Cholesky factor of the parameters' correlation matrix (Eigen), the
/// store weights, the category affinity and the demographics (pointers into `demographics`, which
/// must outlive the view; none when null).  Throws InputError when the correlations are not a
/// valid correlation matrix (not positive definite).
HouseholdSpecView make_household_spec(const Config& cfg, const Stores& stores, const Demographics* demographics = nullptr);

/// Trip missions with their linked categories, drawn once per world.
struct Missions {
  std::vector<std::string> names;
  std::vector<double> share;
  std::vector<float> variety;              // per mission, the multiplier of the household's variety
  std::vector<float> shift;                // n x K: mission shift x r_k + link boost of linked categories
  std::vector<std::vector<i32>> linked;    // per mission, its linked categories
  MissionView view() const;
};
Missions make_missions(const Config& cfg, const Catalog& cat);

/// The choice model's scalar settings from the config.
ChoiceParams make_choice_params(const Config& cfg);

}  // namespace retailsynth
