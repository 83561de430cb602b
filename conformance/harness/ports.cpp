#include "harness/ports.h"

#include <cerrno>
#include <system_error>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace tpc3::harness {
namespace {

std::uint16_t pick_free_port(int type) {
    int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "pick_free_port: socket");
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        int err = errno;
        ::close(fd);
        throw std::system_error(err, std::generic_category(), "pick_free_port: bind 127.0.0.1:0");
    }
    ::close(fd);
    return ntohs(a.sin_port);
}

}  // namespace

std::uint16_t pick_free_tcp_port() { return pick_free_port(SOCK_STREAM); }
std::uint16_t pick_free_udp_port() { return pick_free_port(SOCK_DGRAM); }

}  // namespace tpc3::harness
