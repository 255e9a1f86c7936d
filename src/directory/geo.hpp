#pragma once
// Projected coordinates of the FINESS files (Lambert-93 in metropolitan France, UTM overseas) to
// WGS84 longitude/latitude, with PROJ.
#include <optional>
#include <string>
#include <utility>

namespace cordee::directory {

class GeoConverter {
public:
    GeoConverter();
    ~GeoConverter();
    GeoConverter(const GeoConverter&) = delete;
    GeoConverter& operator=(const GeoConverter&) = delete;
    // `system` is the end of FINESS's sourcecoordet ("LAMBERT_93", "UTM_N20", "UTM_S40"…).
    // Returns (lat, lon), or nothing when the system is unknown or the point is not in France.
    std::optional<std::pair<double, double>> ToWgs84(const std::string& system, double x, double y);

private:
    struct Impl;
    Impl* impl_;
};

// Whether a point lies in metropolitan France or one of the overseas territories (rough boxes).
bool InFrance(double lat, double lon);

}  // namespace cordee::directory
