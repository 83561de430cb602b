// A value a suite meant to observe, or why there is none. Either it could not
// observe it (missing: the check that needs it says `error`), or the check
// does not apply to this run (not_applicable: the check says `skip`). A
// default-constructed Observed is missing with no reason ("not observed").
// Shared by both roles' observations, so "never pass without observing" is
// one rule, not two.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace tpc3::report {

template <class T>
class Observed {
public:
    Observed() = default;
    Observed(T value) : value_(std::move(value)) {}  // NOLINT: implicit on purpose (obs.part = record;)
    static Observed missing(std::string why)
    {
        Observed o;
        o.why_missing_ = std::move(why);
        return o;
    }
    static Observed not_applicable(std::string why)
    {
        Observed o = missing(std::move(why));
        o.not_applicable_ = true;
        return o;
    }

    bool has_value() const { return value_.has_value(); }
    bool is_not_applicable() const { return !value_ && not_applicable_; }
    explicit operator bool() const { return has_value(); }
    const T& operator*() const { return *value_; }
    T& operator*() { return *value_; }
    const T* operator->() const { return &*value_; }
    T* operator->() { return &*value_; }
    const std::optional<T>& value() const { return value_; }

    // Why there is no value; empty when the suite gave no reason (the checks
    // then say "not observed").
    const std::string& why_missing() const { return why_missing_; }

private:
    std::optional<T> value_;
    std::string why_missing_;
    bool not_applicable_ = false;
};

}  // namespace tpc3::report
