#pragma once
// How the directory's answers are written in the API (docs/directory.md, Model and API): the routes render the
// service's structs with these, and a conflict carries the current page rendered the same way.
#include "directory/service.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <vector>

namespace cordee::directory {

boost::json::object ToJson(const SearchPage& page);
boost::json::object ToJson(const ProfessionalPage& page);
boost::json::object ToJson(const StructurePage& page);
boost::json::object ToJson(const OfferedActivity& a, int64_t now);
// A capacity's age counts from `now`; it is `stale` after 24 h.
boost::json::object ToJson(const CapacityRow& c, int64_t now);
boost::json::array ToJson(const std::vector<CapacityChangeRow>& history);
boost::json::object ToJson(const VocabularyItem& w);
boost::json::object ToJson(const RppsEntry& e);  // sign-up: only what the form fills
boost::json::array StructureChoicesJson(const std::vector<StructureRow>& structures);  // the sign-up picker

}  // namespace cordee::directory
