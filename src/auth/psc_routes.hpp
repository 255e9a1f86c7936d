#pragma once
// Routes of the Pro Santé Connect login (auth/psc.hpp).
#include "auth/psc.hpp"
#include "http/router.hpp"

namespace cordee::auth {

void RegisterPscRoutes(http::Router& router, AuthService& auth, ProSanteConnect& psc);

}  // namespace cordee::auth
