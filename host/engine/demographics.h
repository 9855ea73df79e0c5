// Household demographics (DESIGN §3.5; docs/data-dictionary.md, Demographics).
//
// Profiles are rows of TCJ's hh_demographic.csv without the household: AGE_DESC,
// MARITAL_STATUS_CODE, INCOME_DESC, HOMEOWNER_DESC, HH_COMP_DESC, HOUSEHOLD_SIZE_DESC,
// KID_CATEGORY_DESC, in TCJ's words.  `retailsynth learn-demographics` counts them in a real file
// (TCJ hh_demographic.csv, or CompleteJourney 2.0 demographics.csv translated into TCJ's words)
// and learns, per category, the log ratio of its line share among households with children to
// that among households without (kids.csv).  Every household draws a profile from the counts;
// the profile's income, size and children shift its price sensitivity, basket size, quantities
// and category affinities (DemographicsView).
//
// profiles.csv: AGE_DESC,...,KID_CATEGORY_DESC,households   (one row per distinct profile)
// kids.csv:     COMMODITY_DESC,log_ratio,lines_kids,lines_no_kids,reliability
//               log_ratio = reliability x log(share with children / share without), shrunk by
//               reliability = n / (n + kKidsShrinkLines) with n the category's lines.
#pragma once
#include <array>
#include <map>
#include <string>
#include <vector>

#include "retailsynth/model/views.h"

namespace retailsynth {

struct Config;
class Catalog;

constexpr int kDemographicFields = 7;
inline constexpr const char* kDemographicColumns[kDemographicFields] = {
    "AGE_DESC", "MARITAL_STATUS_CODE", "INCOME_DESC", "HOMEOWNER_DESC", "HH_COMP_DESC", "HOUSEHOLD_SIZE_DESC",
    "KID_CATEGORY_DESC"};
/// Lines at which a category's kids ratio is half its own, half none (kids.csv reliability).
constexpr double kKidsShrinkLines = 100;

using DemographicValues = std::array<std::string, kDemographicFields>;

/// Income band midpoint in thousands of dollars ("Under 15K" 10, "35-49K" 42, "250K+" 300), persons
/// ("5+" 5), children ("None/Unknown" 0, "3+" 3).  Throws InputError naming `where` for an unknown word.
double income_thousands(const std::string& income_desc, const std::string& where);
double household_persons(const std::string& size_desc, const std::string& where);
double household_kids(const std::string& kid_desc, const std::string& where);

/// The real demographics of a file: TCJ hh_demographic.csv or CompleteJourney 2.0
/// demographics.csv (detected by the header; CJ2's words translated: Married A, Unmarried B,
/// missing U or Unknown, "Probable Homeowner" "Probable Owner", kids_count 0 "None/Unknown").
/// Keys are the file's household keys.  Throws InputError naming the file and line.
std::map<i64, DemographicValues> read_demographics_file(const std::string& path);

struct DemographicProfiles {
  std::vector<DemographicValues> values;
  std::vector<double> households;  // real households with the profile
  static DemographicProfiles load(const std::string& path);
  std::string to_csv() const;
};

struct KidsRatios {
  std::vector<std::string> category;
  std::vector<double> log_ratio, lines_kids, lines_no_kids, reliability;
  static KidsRatios load(const std::string& path);
  std::string to_csv() const;
};

/// The run's demographics: the profiles, their numbers centred on the households' mean, each
/// catalog category's kids loading, and the view the backends read (pointers into this object).
struct Demographics {
  Demographics() = default;
  Demographics(const Demographics&) = delete;  // the view points into the vectors (a move keeps them)
  Demographics(Demographics&&) = default;
  Demographics& operator=(Demographics&&) = default;
  DemographicProfiles profiles;
  std::vector<float> cdf, log_income, size, kids, kid_loading;
  DemographicsView view{};
  bool empty() const { return profiles.values.empty(); }
};
/// Loads demographics.profiles and .kids for the catalog's categories (a category missing from
/// kids.csv loads 0); empty when demographics.profiles is empty.
Demographics make_demographics(const Config& cfg, const Catalog& cat);

struct DemographicsLearnOptions {
  std::string real_dir;  // transactions + products (any layout load_dataset reads) + a demographics file
};
/// The `learn-demographics` command: writes profiles.csv and kids.csv into `out_dir` (each via a
/// temporary and a rename).  Returns the report.
std::string run_learn_demographics(const DemographicsLearnOptions& opt, const std::string& out_dir);

}  // namespace retailsynth
