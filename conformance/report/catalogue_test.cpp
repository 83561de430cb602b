#include "report/catalogue.h"

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace tpc3::report {
namespace {

const char* const spec_path = TPC3_SOURCE_DIR "/../shared/spec/CHECKS.md";

struct SpecRow {
    std::string id;
    std::string severity;
    Role role;  // from the section the table is in
    int line;
};

// The rows of the two check tables of CHECKS.md: "| S-RTP-06 | required | ... |".
std::vector<SpecRow> read_spec_rows()
{
    std::ifstream in(spec_path);
    if (!in) {
        ADD_FAILURE() << "cannot open the spec " << spec_path
                      << ": the catalogue is checked against it (CI checks out ../shared/spec next to the repo)";
        return {};
    }
    const std::regex row(R"(^\|\s*([A-Z]+(?:-[A-Z]+)*-[0-9]+)\s*\|\s*([a-z]+)\s*\|)");
    std::vector<SpecRow> rows;
    // Not std::optional<Role>: g++ 12 warns (falsely) it may be used uninitialised.
    bool in_role_section = false;
    Role section = Role::Server;
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.starts_with("## ")) {
            in_role_section = true;
            if (line.find("Server under test") != std::string::npos) section = Role::Server;
            else if (line.find("Client under test") != std::string::npos) section = Role::Client;
            else in_role_section = false;
        }
        std::smatch m;
        if (std::regex_search(line, m, row)) {
            if (!in_role_section) {
                ADD_FAILURE() << spec_path << ":" << number << ": check row outside a role section: " << line;
                continue;
            }
            rows.push_back({m[1], m[2], section, number});
        }
    }
    return rows;
}

TEST(Catalogue, HasEveryCheckOfTheSpecWithItsSeverityAndRole)
{
    const auto rows = read_spec_rows();
    ASSERT_GE(rows.size(), 40u) << "the spec tables were not found in " << spec_path;
    for (const SpecRow& row : rows) {
        const CheckInfo* c = find_check(row.id);
        ASSERT_NE(c, nullptr) << spec_path << ":" << row.line << ": " << row.id << " is missing from the catalogue";
        EXPECT_EQ(to_string(c->severity), row.severity) << row.id << " (" << spec_path << ":" << row.line << ")";
        EXPECT_EQ(c->role, row.role) << row.id;
    }
}

TEST(Catalogue, HasNoCheckTheSpecLacks)
{
    const auto rows = read_spec_rows();
    ASSERT_FALSE(rows.empty());
    std::set<std::string> spec_ids;
    for (const SpecRow& row : rows) spec_ids.insert(row.id);
    for (const CheckInfo& c : all_checks())
        EXPECT_TRUE(spec_ids.count(c.id)) << c.id << " is in the catalogue but not in " << spec_path;
}

TEST(Catalogue, KeepsTheOrderOfTheSpec)
{
    const auto rows = read_spec_rows();
    const auto all = all_checks();
    ASSERT_EQ(rows.size(), all.size());
    for (std::size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(all[i].id, rows[i].id) << "position " << i;
}

TEST(Catalogue, IdsAreUniqueAndEveryCheckIsDescribed)
{
    std::set<std::string> seen;
    for (const CheckInfo& c : all_checks()) {
        EXPECT_TRUE(seen.insert(c.id).second) << "duplicate ID " << c.id;
        EXPECT_FALSE(c.title.empty()) << c.id;
        EXPECT_FALSE(c.requirement.empty()) << c.id;
        EXPECT_EQ(c.id[0], c.role == Role::Server ? 'S' : 'C') << c.id;
        EXPECT_FALSE(group_title(group_of(c.id)).empty()) << "group of " << c.id << " has no title";
    }
}

TEST(Catalogue, LookupFindsExactIdsAndNamesAnUnknownOne)
{
    const CheckInfo& pt = lookup("S-RTP-06");
    EXPECT_EQ(pt.title, "payload type is 26");
    EXPECT_EQ(pt.requirement, "every packet has PT=26 (PROTOCOL.md 4)");
    EXPECT_EQ(pt.severity, Severity::Required);
    EXPECT_EQ(lookup("S-ROB-04").severity, Severity::Advisory);
    EXPECT_EQ(find_check("S-RTP-99"), nullptr);
    try {
        lookup("S-RTP-99");
        FAIL() << "lookup of an unknown ID must throw";
    } catch (const std::out_of_range& e) {
        EXPECT_NE(std::string(e.what()).find("S-RTP-99"), std::string::npos) << e.what();
    }
}

TEST(Catalogue, ChecksForARoleAreThatRoleOnly)
{
    const auto server = checks_for(Role::Server);
    const auto client = checks_for(Role::Client);
    EXPECT_EQ(server.size() + client.size(), all_checks().size());
    EXPECT_EQ(server.front().id, "S-SETUP-01");
    EXPECT_EQ(client.front().id, "C-SETUP-01");
    for (const auto& c : server) EXPECT_EQ(c.role, Role::Server) << c.id;
    for (const auto& c : client) EXPECT_EQ(c.role, Role::Client) << c.id;
}

TEST(Catalogue, GroupOfStripsTheNumber)
{
    EXPECT_EQ(group_of("S-RTP-06"), "S-RTP");
    EXPECT_EQ(group_of("C-SETUP-01"), "C-SETUP");
    EXPECT_EQ(group_of("ODD"), "ODD");
}

TEST(Catalogue, ListPrintsAlignedIdSeverityTitle)
{
    const auto server = checks_for(Role::Server);
    std::ostringstream out;
    print_list(out, server);
    std::vector<std::string> lines;
    std::istringstream in(out.str());
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    ASSERT_EQ(lines.size(), server.size());
    EXPECT_EQ(lines[0], "S-SETUP-01  required  SessionID for a file the server has");
    // IDs are padded to the longest one so titles line up.
    const auto rtp06 = std::find_if(lines.begin(), lines.end(), [](auto& l) { return l.starts_with("S-RTP-06"); });
    ASSERT_NE(rtp06, lines.end());
    EXPECT_EQ(*rtp06, "S-RTP-06    required  payload type is 26");
    const auto rob04 = std::find_if(lines.begin(), lines.end(), [](auto& l) { return l.starts_with("S-ROB-04"); });
    ASSERT_NE(rob04, lines.end());
    EXPECT_NE(rob04->find("advisory"), std::string::npos);

    std::ostringstream with_req;
    print_list(with_req, server, true);
    EXPECT_NE(with_req.str().find("\n                      every packet has PT=26 (PROTOCOL.md 4)\n"),
              std::string::npos)
        << with_req.str();
}

}  // namespace
}  // namespace tpc3::report
