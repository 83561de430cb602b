#include "observe/screen_observer.h"

#include "observe/x_screen.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include <pthread.h>
#include <signal.h>
#include <time.h>

namespace tpc3::observe {

std::string to_string(GrabRecord::Status status) {
    switch (status) {
        case GrabRecord::Status::decoded: return "decoded";
        case GrabRecord::Status::unchanged: return "unchanged";
        case GrabRecord::Status::dropped: return "dropped";
        case GrabRecord::Status::no_window: return "no window";
        case GrabRecord::Status::failed: return "failed";
    }
    return "?";
}

std::string describe_values(const std::vector<marker::MarkerValue>& values) {
    if (values.empty()) return "nothing readable";
    std::string out;
    for (const auto& v : values) out += (out.empty() ? "" : " + ") + marker::to_string(v);
    return out;
}

namespace {

constexpr std::size_t kMaxErrors = 20;

std::chrono::nanoseconds thread_cpu_time() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

bool same_pixels(const cv::Mat& a, const cv::Mat& b) {
    if (a.empty() || b.empty() || a.size() != b.size() || a.type() != b.type()) return false;
    if (!a.isContinuous() || !b.isContinuous()) return cv::norm(a, b, cv::NORM_INF) == 0;
    return std::memcmp(a.data, b.data, a.total() * a.elemSize()) == 0;
}

bool value_less(const marker::MarkerValue& a, const marker::MarkerValue& b) {
    return std::pair(a.kind, a.number) < std::pair(b.kind, b.number);
}

std::vector<marker::MarkerValue> sorted_values(const std::vector<marker::MarkerReading>& readings) {
    std::vector<marker::MarkerValue> v;
    for (const auto& r : readings) v.push_back(r.value);
    std::sort(v.begin(), v.end(), value_less);
    return v;
}

cv::Mat to_bgr(const cv::Mat& bgra) {
    cv::Mat bgr;
    cv::cvtColor(bgra, bgr, cv::COLOR_BGRA2BGR);
    return bgr;
}

}  // namespace

struct ScreenObserver::State {
    ScreenObserverOptions options;
    Clock::time_point started;

    std::thread grab_thread;
    std::thread decode_thread;
    std::atomic<bool> stop_requested{false};
    std::mutex stop_mutex;
    bool stopped = false;
    std::mutex wake_mutex;
    std::condition_variable wake;  // wakes the grab thread early on stop

    // Grab thread -> decode thread, in grab order.
    struct Item {
        GrabRecord record;
        cv::Mat image;  // BGRA; set for status decoded (to be decoded)
    };
    std::mutex queue_mutex;
    std::condition_variable queue_cv;
    std::deque<Item> queue;
    std::size_t pending_images = 0;
    bool queue_closed = false;

    // Results (guarded by mutex).
    mutable std::mutex mutex;
    std::vector<GrabRecord> grabs;
    ScreenObserverStats stat;
    std::vector<PoisonSighting> sightings;
    std::vector<ShownThumbnail> thumbs;

    // Decode thread only.
    std::vector<marker::MarkerReading> last_readings;
    std::vector<marker::MarkerValue> last_thumb_values;
    bool any_thumb = false;

    void note_error(const std::string& e) {
        std::lock_guard lock(mutex);
        if (stat.errors.size() < kMaxErrors) stat.errors.push_back(e);
    }

    void push(Item item) {
        {
            std::lock_guard lock(queue_mutex);
            if (!item.image.empty()) ++pending_images;
            queue.push_back(std::move(item));
        }
        queue_cv.notify_one();
    }

    std::size_t images_waiting() {
        std::lock_guard lock(queue_mutex);
        return pending_images;
    }

    void close_queue() {
        {
            std::lock_guard lock(queue_mutex);
            queue_closed = true;
        }
        queue_cv.notify_one();
    }

    void run_grabs() {
        // Writing to a dead X socket raises SIGPIPE in this thread: keep it pending instead of fatal.
        sigset_t pipe;
        sigemptyset(&pipe);
        sigaddset(&pipe, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe, nullptr);

        std::string error;
        auto screen = XScreen::connect(options.display, options.connect_timeout, &error);
        if (!screen) {
            note_error(error);
            close_queue();
            return;
        }
        {
            std::lock_guard lock(mutex);
            stat.connected = true;
            stat.screen = screen->screen_size();
        }
        const auto period = std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(1.0 / std::max(0.1, options.grabs_per_second)));
        cv::Mat last_sent;  // last image handed to the decoder
        cv::Rect last_region;
        std::size_t index = 0;
        auto next = Clock::now();
        while (!stop_requested.load()) {
            {
                std::unique_lock lock(wake_mutex);
                wake.wait_until(lock, next, [&] { return stop_requested.load(); });
            }
            if (stop_requested.load()) break;

            Item item;
            item.record.index = index++;
            std::optional<cv::Rect> region;
            if (options.area == ScreenObserverOptions::Area::whole_screen)
                region = cv::Rect(cv::Point(0, 0), screen->screen_size());
            else
                region = screen->viewable_region();
            item.record.started = Clock::now();
            if (!region) {
                item.record.finished = item.record.started;
                item.record.status = GrabRecord::Status::no_window;
            } else {
                item.record.region = *region;
                cv::Mat image;
                const bool ok = screen->grab(*region, image, &error);
                item.record.finished = Clock::now();
                {
                    std::lock_guard lock(mutex);
                    stat.grab_time += item.record.finished - item.record.started;
                }
                if (!ok) {
                    item.record.status = GrabRecord::Status::failed;
                    item.record.error = error;
                } else if (*region == last_region && same_pixels(image, last_sent)) {
                    item.record.status = GrabRecord::Status::unchanged;
                } else if (images_waiting() >= std::max<std::size_t>(1, options.max_pending_decodes)) {
                    item.record.status = GrabRecord::Status::dropped;
                } else {
                    item.record.status = GrabRecord::Status::decoded;
                    item.image = image;
                    last_sent = image;
                    last_region = *region;
                }
            }
            if (item.record.status == GrabRecord::Status::failed && !screen->dead()) note_error(item.record.error);
            push(std::move(item));
            for (auto& e : screen->take_errors()) note_error(e);
            {
                std::lock_guard lock(mutex);
                ++stat.ticks;
                stat.grab_thread_cpu = thread_cpu_time();
            }
            if (screen->dead()) {
                std::lock_guard lock(mutex);
                stat.connection_lost = true;
                if (stat.errors.size() < kMaxErrors)
                    stat.errors.push_back("lost the connection to X display " + options.display +
                                          " (the X server went away); stopped observing");
                break;
            }
            next += period;
            const auto now = Clock::now();
            if (next <= now) {
                const auto missed = static_cast<std::size_t>((now - next) / period) + 1;
                next += static_cast<long>(missed) * period;
                std::lock_guard lock(mutex);
                stat.ticks_missed += missed;
            }
        }
        screen.reset();
        {
            std::lock_guard lock(mutex);
            stat.grab_thread_cpu = thread_cpu_time();
        }
        close_queue();
    }

    void run_decodes() {
        for (;;) {
            Item item;
            {
                std::unique_lock lock(queue_mutex);
                queue_cv.wait(lock, [&] { return !queue.empty() || queue_closed; });
                if (queue.empty()) break;
                item = std::move(queue.front());
                queue.pop_front();
            }
            handle(item);
            if (!item.image.empty()) {
                std::lock_guard lock(queue_mutex);
                --pending_images;
            }
        }
        std::lock_guard lock(mutex);
        stat.decode_thread_cpu = thread_cpu_time();
    }

    void handle(Item& item) {
        GrabRecord& r = item.record;
        switch (r.status) {
            case GrabRecord::Status::decoded: {
                const auto t0 = Clock::now();
                r.readings = marker::decode_markers(item.image);
                const auto spent = Clock::now() - t0;
                for (auto& reading : r.readings) {
                    reading.where.x += static_cast<float>(r.region.x);
                    reading.where.y += static_cast<float>(r.region.y);
                }
                last_readings = r.readings;
                keep_evidence(r, item.image);
                std::lock_guard lock(mutex);
                stat.decode_time += spent;
                ++stat.decoded;
                stat.decode_thread_cpu = thread_cpu_time();
                break;
            }
            case GrabRecord::Status::unchanged: {
                r.readings = last_readings;
                std::lock_guard lock(mutex);
                ++stat.unchanged;
                break;
            }
            case GrabRecord::Status::dropped: {
                std::lock_guard lock(mutex);
                ++stat.dropped;
                break;
            }
            case GrabRecord::Status::no_window: {
                std::lock_guard lock(mutex);
                ++stat.no_window;
                break;
            }
            case GrabRecord::Status::failed: {
                std::lock_guard lock(mutex);
                ++stat.failed;
                break;
            }
        }
        std::lock_guard lock(mutex);
        if (grabs.size() < options.max_grabs) grabs.push_back(std::move(r));
        else ++stat.records_not_kept;
    }

    void keep_evidence(const GrabRecord& r, const cv::Mat& bgra) {
        for (const auto& reading : r.readings) {
            if (reading.value.kind != marker::MarkerValue::Poison) continue;
            std::lock_guard lock(mutex);
            const bool known = std::any_of(sightings.begin(), sightings.end(),
                                           [&](const PoisonSighting& s) { return s.value == reading.value; });
            if (known || sightings.size() >= options.max_poison_images) continue;
            sightings.push_back({reading.value, r.index, r.finished, r.region, to_bgr(bgra)});
        }
        auto values = sorted_values(r.readings);
        if (any_thumb && values == last_thumb_values) return;
        any_thumb = true;
        last_thumb_values = values;
        std::lock_guard lock(mutex);
        if (thumbs.size() >= options.max_thumbnails) return;
        ShownThumbnail t;
        t.grab_index = r.index;
        t.when = r.finished;
        t.values = std::move(values);
        const int w = std::max(16, options.thumbnail_width);
        const int h = std::max(1, static_cast<int>(static_cast<double>(bgra.rows) * w / bgra.cols));
        cv::Mat small;
        cv::resize(bgra, small, cv::Size(w, h), 0, 0, cv::INTER_AREA);
        t.image = to_bgr(small);
        thumbs.push_back(std::move(t));
    }
};

ScreenObserver::ScreenObserver(ScreenObserverOptions options) : s_(std::make_unique<State>()) {
    s_->options = std::move(options);
    s_->started = Clock::now();
    s_->decode_thread = std::thread([s = s_.get()] { s->run_decodes(); });
    s_->grab_thread = std::thread([s = s_.get()] { s->run_grabs(); });
}

ScreenObserver::~ScreenObserver() { stop(); }

void ScreenObserver::stop() {
    std::lock_guard lock(s_->stop_mutex);
    if (s_->stopped) return;
    {
        std::lock_guard wake_lock(s_->wake_mutex);
        s_->stop_requested = true;
    }
    s_->wake.notify_all();
    if (s_->grab_thread.joinable()) s_->grab_thread.join();
    if (s_->decode_thread.joinable()) s_->decode_thread.join();
    s_->stopped = true;
}

Clock::time_point ScreenObserver::started() const { return s_->started; }
const ScreenObserverOptions& ScreenObserver::options() const { return s_->options; }

std::vector<GrabRecord> ScreenObserver::grabs() const {
    std::lock_guard lock(s_->mutex);
    return s_->grabs;
}

std::size_t ScreenObserver::grab_count() const {
    std::lock_guard lock(s_->mutex);
    return s_->grabs.size();
}

ScreenObserverStats ScreenObserver::stats() const {
    std::lock_guard lock(s_->mutex);
    return s_->stat;
}

std::vector<PoisonSighting> ScreenObserver::poison_sightings() const {
    std::lock_guard lock(s_->mutex);
    return s_->sightings;
}

std::vector<ShownThumbnail> ScreenObserver::thumbnails() const {
    std::lock_guard lock(s_->mutex);
    return s_->thumbs;
}

bool ScreenObserver::write_poison_png(const marker::MarkerValue& value, const std::filesystem::path& file,
                                      std::string* error) const {
    cv::Mat image;
    {
        std::lock_guard lock(s_->mutex);
        for (const auto& s : s_->sightings)
            if (s.value == value) image = s.image;
    }
    if (image.empty()) {
        if (error) *error = marker::to_string(value) + " was never seen on the screen";
        return false;
    }
    return write_png(file, image, error);
}

cv::Mat ScreenObserver::contact_sheet(Clock::time_point t0, const ContactSheetOptions& options) const {
    std::vector<ContactThumbnail> cells;
    for (const auto& t : thumbnails()) {
        std::ostringstream caption;
        caption.setf(std::ios::fixed);
        caption.precision(3);
        caption << std::chrono::duration<double>(t.when - t0).count() << " s  " << describe_values(t.values);
        const bool poison = std::any_of(t.values.begin(), t.values.end(), [](const marker::MarkerValue& v) {
            return v.kind == marker::MarkerValue::Poison;
        });
        cells.push_back({t.image, caption.str(), poison});
    }
    return make_contact_sheet(cells, options);
}

bool ScreenObserver::write_contact_sheet(const std::filesystem::path& file, Clock::time_point t0, std::string* error,
                                         const ContactSheetOptions& options) const {
    const cv::Mat sheet = contact_sheet(t0, options);
    if (sheet.empty()) {
        if (error) *error = "nothing was grabbed from display " + s_->options.display;
        return false;
    }
    return write_png(file, sheet, error);
}

}  // namespace tpc3::observe
