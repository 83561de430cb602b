#include "target/remote_server.h"

#include <arpa/inet.h>

namespace tpc3::conform::server {

bool is_loopback_address(const std::string& dotted)
{
    in_addr a{};
    if (::inet_pton(AF_INET, dotted.c_str(), &a) != 1) return false;
    return (ntohl(a.s_addr) >> 24) == 127;
}

RemoteServer::RemoteServer(RemoteOptions options) : described_(options.endpoint.str())
{
    if (options.endpoint.port == 0) throw TargetError("target " + described_ + ": port 0 is not a server port");
    try {
        endpoint_ = net::to_endpoint(net::resolve(options.endpoint.host, options.endpoint.port));
    } catch (const net::NetError& e) {
        throw TargetError("target " + described_ + ": cannot resolve \"" + options.endpoint.host + "\": " + e.what());
    }
    loopback_ = is_loopback_address(endpoint_.host);
    if (!loopback_ && !options.allow_remote)
        throw TargetError("target " + described_ + " (" + endpoint_.host +
                          ") is not on this machine: the runner only talks to loopback unless remote targets are "
                          "explicitly allowed");
}

StartOutcome RemoteServer::restart()
{
    StartOutcome o;
    o.problem = "a remote server (" + described_ + ") cannot be restarted by the runner";
    return o;
}

}  // namespace tpc3::conform::server
