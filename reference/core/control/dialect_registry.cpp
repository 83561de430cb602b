#include "control/dialect.h"
#include "control/pickle_dialect.h"
#include "control/rtsp_dialect.h"
#include "control/tpc3_dialect.h"

#include <memory>

namespace tpc3::control {

namespace {

// Every dialect the toolkit speaks, the default first. A new dialect is one line here.
const std::vector<std::unique_ptr<const Dialect>>& registry() {
    static const auto all = [] {
        std::vector<std::unique_ptr<const Dialect>> v;
        v.push_back(std::make_unique<Tpc3Dialect>());
        v.push_back(std::make_unique<Tpc3PickleDialect>());  // first byte 0x80
        v.push_back(std::make_unique<RtspDialect>());        // "SETUP "
        return v;
    }();
    return all;
}

}  // namespace

const Dialect* find_dialect(std::string_view name) {
    for (const auto& d : registry()) {
        if (d->name() == name) return d.get();
    }
    return nullptr;
}

std::vector<std::string> dialect_names() {
    std::vector<std::string> names;
    for (const auto& d : registry()) names.emplace_back(d->name());
    return names;
}

const Dialect& default_dialect() { return *registry().front(); }

const Dialect& detect_dialect(std::span<const std::uint8_t> first_message) {
    // The default recognises almost any text, so the others are asked first.
    const auto& all = registry();
    for (std::size_t i = 1; i < all.size(); ++i) {
        if (all[i]->recognises_first_message(first_message)) return *all[i];
    }
    return default_dialect();
}

}  // namespace tpc3::control
