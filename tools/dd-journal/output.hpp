#pragma once

// How dd-journal prints records and groups: -o json (the record's own line), table (aligned
// columns for people) or tsv (tab-separated, for cut/awk).

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "ddsafe/journal/query.hpp"
#include "ddsafe/journal/reader.hpp"

namespace ddsafe::tools {

enum class Format { json, table, tsv };

/// The CLI11 transform for -o: json, table, tsv.
const std::map<std::string, Format>& format_names();

/// The header line of table and tsv output ("" for json).
std::string record_header(Format f);
/// One record as one output line (with its newline).
std::string format_record(const journal::Record& r, Format f);

/// Prints stats groups, `by` naming the key column.
void print_groups(std::FILE* out, const std::vector<journal::Group>& groups,
                  const std::string& by, Format f);

/// Writes text to stdout; false once stdout is gone (EPIPE), so a reader can stop.
bool put(const std::string& text);

}  // namespace ddsafe::tools
