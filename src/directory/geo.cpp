#include "directory/geo.hpp"

#include <proj.h>

#include <map>

namespace cordee::directory {

struct GeoConverter::Impl {
    PJ_CONTEXT* ctx = proj_context_create();
    std::map<std::string, PJ*> transforms;  // by source system; created on first use

    PJ* For(const std::string& system) {
        auto it = transforms.find(system);
        if (it != transforms.end()) return it->second;
        std::string epsg;
        if (system == "LAMBERT_93") epsg = "EPSG:2154";
        else if (system == "UTM_N20") epsg = "EPSG:32620";   // Guadeloupe, Martinique
        else if (system == "UTM_N21") epsg = "EPSG:32621";   // Saint-Pierre-et-Miquelon
        else if (system == "UTM_N22") epsg = "EPSG:32622";   // Guyane
        else if (system == "UTM_S40") epsg = "EPSG:32740";   // La Réunion
        else if (system == "UTM_S38") epsg = "EPSG:32738";   // Mayotte
        PJ* norm = nullptr;
        if (!epsg.empty()) {
            PJ* p = proj_create_crs_to_crs(ctx, epsg.c_str(), "EPSG:4326", nullptr);
            if (p) {
                // Longitude first, latitude second, whatever the CRS axis order.
                norm = proj_normalize_for_visualization(ctx, p);
                proj_destroy(p);
            }
        }
        transforms[system] = norm;
        return norm;
    }
    ~Impl() {
        for (auto& [k, p] : transforms)
            if (p) proj_destroy(p);
        proj_context_destroy(ctx);
    }
};

GeoConverter::GeoConverter() : impl_(new Impl) {}
GeoConverter::~GeoConverter() { delete impl_; }

std::optional<std::pair<double, double>> GeoConverter::ToWgs84(const std::string& system, double x, double y) {
    PJ* p = impl_->For(system);
    if (!p) return std::nullopt;
    PJ_COORD c = proj_coord(x, y, 0, 0);
    PJ_COORD r = proj_trans(p, PJ_FWD, c);
    const double lon = r.lpzt.lam, lat = r.lpzt.phi;
    if (!InFrance(lat, lon)) return std::nullopt;
    return std::pair{lat, lon};
}

bool InFrance(double lat, double lon) {
    struct Box {
        double lat_min, lat_max, lon_min, lon_max;
    };
    static const Box boxes[] = {
        {41.0, 51.5, -5.8, 10.0},     // metropolitan France and Corsica
        {15.8, 16.6, -61.9, -60.9},   // Guadeloupe
        {14.3, 14.9, -61.3, -60.7},   // Martinique
        {2.0, 6.0, -54.7, -51.5},     // Guyane
        {-21.5, -20.8, 55.1, 56.0},   // La Réunion
        {-13.1, -12.5, 44.9, 45.4},   // Mayotte
        {46.7, 47.2, -56.5, -56.0},   // Saint-Pierre-et-Miquelon
    };
    for (const auto& b : boxes)
        if (lat >= b.lat_min && lat <= b.lat_max && lon >= b.lon_min && lon <= b.lon_max) return true;
    return false;
}

}  // namespace cordee::directory
