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

// Writes through an AtomicFile (files/atomic_file.h): a reader never sees half a file, a
// failure or a signal leaves nothing. Throws lcz::Error(config) for an existing file when
// !overwrite or a target that is not a regular file, (input) when it cannot write.
void write_file_atomically(const std::filesystem::path& file, bool overwrite,
                           const std::function<void(std::ostream&)>& write);

// Creates dir if missing and checks that files can be made in it, before a run starts: throws
// lcz::Error(config) naming it when it is a file, or cannot be created or written.
void prepare_output_folder(const std::filesystem::path& dir);

// Writes report.csv and report.json into dir (created if missing; removed again if this call
// made it and the writing fails). Existing reports are replaced only when overwrite.
void write_report_files(const Report& report, const std::filesystem::path& dir, bool overwrite);

}  // namespace lcz
