#include "common/network_thread.hpp"

namespace cordee {
namespace {
thread_local bool on_network_thread = false;
}  // namespace

NetworkThreadScope::NetworkThreadScope() : previous_(on_network_thread) { on_network_thread = true; }
NetworkThreadScope::~NetworkThreadScope() { on_network_thread = previous_; }

bool OnNetworkThread() { return on_network_thread; }

void LeaveNetworkThread(const char* what) {
    if (on_network_thread) throw MustRunOnWorker(what);
}

}  // namespace cordee
