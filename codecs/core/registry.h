// Every stage, by name. The list itself is in codecs/stages.cpp: one line per stage.
#pragma once
#include <string>
#include <vector>

#include "codecs/core/stage.h"

namespace lcz {

const std::vector<StageDescriptor>& all_stages();
// nullptr when no stage has that name.
const StageDescriptor* find_stage(const std::string& name);

}  // namespace lcz
