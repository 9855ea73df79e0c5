// The fast-cpp-csv-parser (Debian libfccp-dev), without its background thread and with a
// warning in its own code silenced.
#pragma once
#include <limits>
#define CSV_IO_NO_THREAD
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-truncation"
#include <libfccp/csv.h>
#pragma GCC diagnostic pop
