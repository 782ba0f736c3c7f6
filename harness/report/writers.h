// Writers of one Report: CSV and JSON files, a markdown table for the terminal.
#pragma once
#include <filesystem>
#include <functional>
#include <ostream>

#include "harness/report/result.h"

namespace lcz {

void write_csv(const Report& report, std::ostream& out);
void write_json(const Report& report, std::ostream& out);
void write_markdown(const Report& report, std::ostream& out);

// Writes to file.tmp, then renames it to file: a reader never sees half a file.
// Throws lcz::Error(input) when it cannot.
void write_file_atomically(const std::filesystem::path& file, const std::function<void(std::ostream&)>& write);

// Creates dir if missing and checks that files can be made in it, before a run starts: throws
// lcz::Error(config) naming it when it is a file, or cannot be created or written.
void prepare_output_folder(const std::filesystem::path& dir);

// Writes report.csv and report.json into dir (created if missing).
void write_report_files(const Report& report, const std::filesystem::path& dir);

}  // namespace lcz
