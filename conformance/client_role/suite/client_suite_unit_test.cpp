// The pure parts of the client suite: the command template, and the
// classification of written files against the plan.
#include <gtest/gtest.h>

#include "client_role/suite/client_command.h"
#include "client_role/suite/written_files.h"

namespace tpc3::conform::client {
namespace {

TEST(ClientCommand, NeedsEveryPlaceholder)
{
    EXPECT_EQ(command_problem("python3 Client.py {host} {tcp_port} {udp_port} {file}"), "");
    EXPECT_NE(command_problem("python3 Client.py {host} {tcp_port} {file}").find("{udp_port}"), std::string::npos);
    EXPECT_NE(command_problem("   ").find("empty"), std::string::npos);
    EXPECT_NE(command_problem("c {host} {tcp_port} {udp_port} {file} {port}").find("{port}"), std::string::npos);
}

TEST(ClientCommand, ExpandsAndQuotes)
{
    const ClientArguments a{"127.0.0.1", 5000, 25000, "my movie.mpeg"};
    EXPECT_EQ(expand_command("python3 Client.py {host} {tcp_port} {udp_port} {file}", a),
              "python3 Client.py 127.0.0.1 5000 25000 'my movie.mpeg'");
    EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
    EXPECT_EQ(shell_quote("movie.mpeg"), "movie.mpeg");
    EXPECT_EQ(shell_quote(""), "''");
}

observe::ObservedFile record(std::size_t index, std::string name, std::vector<std::uint8_t> bytes)
{
    observe::ObservedFile f;
    f.index = index;
    f.path = "/run/work/" + name;
    f.bytes = std::move(bytes);
    f.size = f.bytes.size();
    f.how = observe::ObservedFile::How::moved_in;
    return f;
}

TEST(WrittenFiles, ClassifiesFramesPoisonsAndVariants)
{
    PlanOptions po;
    po.session_id = 77;
    const InjectionPlan plan = InjectionPlan::build(po);
    const std::size_t frame = *plan.find_marker(marker::MarkerValue::frame(3));
    const std::size_t pt = plan.for_check("C-REJ-06").front();
    std::size_t cc = 0;
    for (const auto& d : plan.datagrams())
        if (d.fault == Fault::CsrcCount) cc = d.index;
    const std::size_t big = plan.for_check("C-BIG-01").front();

    std::vector<observe::ObservedFile> records;
    records.push_back(record(0, "cache-77.jpg", plan.at(frame).payload));
    records.push_back(record(1, "cache-77.jpg", plan.at(pt).payload));
    records.push_back(record(2, ".tmp/x.jpg", {plan.at(cc).payload.begin() + 4, plan.at(cc).payload.end()}));
    records.push_back(record(3, "big.jpg", {plan.at(big).payload.begin(), plan.at(big).payload.begin() + 20468}));
    records.push_back(record(4, "__pycache__/Client.cpython-311.pyc", {0x55, 0x0d, 0x0d, 0x0a}));
    records.push_back(record(5, "other.jpg", {0xFF, 0xD8, 0x00, 0x01}));
    const auto written = classify_written(records, plan, "/run/work");
    ASSERT_EQ(written.size(), 5u);
    EXPECT_EQ(written[0].name, "cache-77.jpg");
    EXPECT_EQ(written[0].datagram, frame);
    EXPECT_TRUE(written[0].exact());
    EXPECT_EQ(written[1].datagram, pt);
    EXPECT_EQ(written[1].match.kind, observe::FileMatch::Kind::poison);
    EXPECT_EQ(written[2].datagram, cc);
    EXPECT_EQ(written[2].name, ".tmp/x.jpg");
    EXPECT_EQ(written[3].datagram, big);
    EXPECT_EQ(written[3].match.kind, observe::FileMatch::Kind::prefix_of_frame);
    EXPECT_FALSE(written[3].exact());
    EXPECT_EQ(written[4].name, "other.jpg");
    EXPECT_FALSE(written[4].datagram.has_value());
}

}  // namespace
}  // namespace tpc3::conform::client
