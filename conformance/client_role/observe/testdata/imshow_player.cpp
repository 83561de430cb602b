// Shows JPEG files one after the other with OpenCV highgui, the way the
// reference client does (cv::imshow in a WINDOW_AUTOSIZE | WINDOW_GUI_NORMAL
// window at 0,0), for the screen observer's accuracy tests.
//
//   observe_imshow_player PERIOD_MS LINGER_MS FILE...
//
// Prints "ready", then "shown INDEX T0 T1" per frame (steady_clock seconds:
// T0 before imshow, T1 after the event loop ran; unlike the Tk player, T1 is
// not synchronised with the X server, so readers allow some slack), then
// "done"; exits after LINGER_MS more.
#include <opencv2/highgui.hpp>
#include <opencv2/imgcodecs.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace {

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Runs the highgui event loop until `until` (steady seconds).
void pump_until(double until) {
    for (;;) {
        const double left = until - now_s();
        if (left <= 0) return;
        cv::waitKey(std::max(1, static_cast<int>(left * 1000)));
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: observe_imshow_player PERIOD_MS LINGER_MS FILE...\n");
        return 2;
    }
    const double period = std::stod(argv[1]) / 1000.0;
    const double linger = std::stod(argv[2]) / 1000.0;
    std::vector<cv::Mat> images;
    for (int i = 3; i < argc; ++i) {
        images.push_back(cv::imread(argv[i], cv::IMREAD_COLOR));
        if (images.back().empty()) {
            std::fprintf(stderr, "cannot read %s\n", argv[i]);
            return 1;
        }
    }
    const std::string title = "imshow_player";
    cv::namedWindow(title, cv::WINDOW_AUTOSIZE | cv::WINDOW_GUI_NORMAL);
    cv::moveWindow(title, 0, 0);
    cv::imshow(title, cv::Mat(images.front().size(), images.front().type(), cv::Scalar(0, 0, 0)));
    pump_until(now_s() + 0.3);
    std::printf("ready\n");
    std::fflush(stdout);
    const double start = now_s() + 0.2;
    pump_until(start);
    for (std::size_t i = 0; i < images.size(); ++i) {
        const double t0 = now_s();
        cv::imshow(title, images[i]);
        cv::waitKey(5);
        const double t1 = now_s();
        std::printf("shown %zu %.6f %.6f\n", i, t0, t1);
        std::fflush(stdout);
        pump_until(start + static_cast<double>(i + 1) * period);
    }
    std::printf("done\n");
    std::fflush(stdout);
    pump_until(now_s() + linger);
    cv::destroyAllWindows();
    return 0;
}
