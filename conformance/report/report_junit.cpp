// Report::to_junit_xml: the results as JUnit XML, the format every CI shows.
#include <cstdio>
#include <string>

#include "report/report.h"
#include "report/xml_escape.h"

namespace tpc3::report {
namespace {

std::string seconds_text(double s)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", s < 0 ? 0.0 : s);
    return buf;
}

std::string attr(std::string_view name, std::string_view value)
{
    return " " + std::string(name) + "=\"" + xml_escape_attribute(value) + "\"";
}

std::string attr(std::string_view name, int value)
{
    return attr(name, std::to_string(value));
}

std::string counts(const Summary& s, double time)
{
    return attr("tests", s.total()) + attr("failures", s.fail) + attr("errors", s.error) +
           attr("skipped", s.skip) + attr("time", seconds_text(time));
}

// What a CI shows when it unfolds a failure or an error.
std::string detail_text(const CheckResult& r)
{
    std::string text = r.message() + "\nrequirement: " + r.info().requirement;
    if (!r.evidence().empty())
        text += "\nevidence: " + r.evidence().dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    return text + "\n";
}

void append_testcase(std::string& xml, const CheckResult& r)
{
    const CheckInfo& info = r.info();
    xml += "    <testcase" + attr("name", info.id + " " + info.title) + attr("classname", group_of(info.id)) +
           attr("time", seconds_text(r.duration_s()));
    const std::string type = attr("type", to_string(info.severity));
    switch (r.status()) {
    case Status::Pass:
        if (r.message().empty()) {
            xml += "/>\n";
        } else {
            xml += ">\n      <system-out>" + xml_escape_text(r.message()) + "</system-out>\n    </testcase>\n";
        }
        return;
    case Status::Fail:
        xml += ">\n      <failure" + attr("message", r.message()) + type + ">" + xml_escape_text(detail_text(r)) +
               "</failure>\n    </testcase>\n";
        return;
    case Status::Error:
        xml += ">\n      <error" + attr("message", r.message()) + type + ">" + xml_escape_text(detail_text(r)) +
               "</error>\n    </testcase>\n";
        return;
    case Status::Skip:
        xml += ">\n      <skipped" + attr("message", r.message()) + "/>\n    </testcase>\n";
        return;
    }
}

}  // namespace

std::string Report::to_junit_xml() const
{
    // One suite per role present; normally that is just the report's role.
    const Role other = role == Role::Server ? Role::Client : Role::Server;
    std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    xml += "<testsuites" + attr("name", tool) + counts(summary(), duration_s) + ">\n";
    for (Role suite_role : {role, other}) {
        std::vector<CheckResult> members;
        double checks_time = 0.0;
        for (const CheckResult& r : checks) {
            if (r.info().role != suite_role) continue;
            members.push_back(r);
            checks_time += r.duration_s();
        }
        if (members.empty() && suite_role != role) continue;
        // The report's own suite lasts the whole run (set-up included).
        const double time = suite_role == role ? duration_s : checks_time;
        xml += "  <testsuite" + attr("name", tool + " " + std::string(to_string(suite_role))) +
               counts(summarise(members), time) + attr("timestamp", started) + ">\n";
        xml += "    <properties>\n";
        xml += "      <property" + attr("name", "version") + attr("value", version) + "/>\n";
        xml += "      <property" + attr("name", "target") + attr("value", target) + "/>\n";
        xml += "      <property" + attr("name", "dialect") + attr("value", dialect) + "/>\n";
        for (const auto& [name, path] : artifacts)
            xml += "      <property" + attr("name", "artifact." + name) + attr("value", path) + "/>\n";
        xml += "    </properties>\n";
        for (const CheckResult& r : members) append_testcase(xml, r);
        xml += "  </testsuite>\n";
    }
    xml += "</testsuites>\n";
    return xml;
}

}  // namespace tpc3::report
