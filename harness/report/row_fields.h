// The fields of a result row, spelled once: their names in report.csv and report.json, their
// types, CSV formats and whether every report has them. The CSV and JSON writers and readers
// walk this table.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <variant>

#include "harness/report/result.h"

namespace lcz {

struct RowField {
  const char* name;
  // The member it is, by type: text, count (uint64_t), number (double), flag (bool), int.
  std::variant<std::string ResultRow::*, uint64_t ResultRow::*, double ResultRow::*, bool ResultRow::*, int ResultRow::*>
      member;
  const char* csv_format = nullptr;  // printf format of a number in report.csv
  bool fixed_column = false;         // one of the columns every report.csv starts with, in table order
  bool required = true;              // report.json: a row without it is refused (else it reads as 0)
  bool json_null_if_not_finite = false;  // NaN/Inf stored as null (the reader reads null as NaN)
};

// In CSV column order: the fixed columns, then the others. ResultRow::failure is JSON-only.
std::span<const RowField> row_fields();

}  // namespace lcz
