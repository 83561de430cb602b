// Hand-made SessionRecords for the analysis and checks tests: real RTP
// packets (rtp::encode_packet), real tiny JPEGs (cv::imencode), receive times
// chosen exactly. Header-only; tests only.
#pragma once

#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "rtp/rtp_header.h"
#include "session/session_record.h"

namespace tpc3::conform::server::testing {

using Bytes = std::vector<std::uint8_t>;

// An instant, in Unix seconds.
inline WallTime at(double unix_s)
{
    return WallTime(std::chrono::duration_cast<WallTime::duration>(std::chrono::duration<double>(unix_s)));
}

// A small real JPEG that differs for every k (a gradient and a bar at k).
inline Bytes tiny_jpeg(int k, int width = 32, int height = 24)
{
    cv::Mat image(height, width, CV_8UC3, cv::Scalar(40 + 3 * (k % 60), 90, 160));
    cv::rectangle(image, cv::Point(k % width, 0), cv::Point(k % width + 2, height - 1), cv::Scalar(250, 250, 250),
                  cv::FILLED);
    cv::putText(image, std::to_string(k), cv::Point(2, height - 4), cv::FONT_HERSHEY_PLAIN, 0.8,
                cv::Scalar(0, 0, 0));
    std::vector<std::uint8_t> out;
    cv::imencode(".jpg", image, out);
    return out;
}

inline std::vector<Bytes> tiny_movie(std::size_t frames)
{
    std::vector<Bytes> out;
    for (std::size_t k = 0; k < frames; ++k) out.push_back(tiny_jpeg(static_cast<int>(k)));
    return out;
}

// A JPEG of about `size` bytes (noise compresses badly).
inline Bytes big_jpeg(int seed, std::size_t size)
{
    const int side = static_cast<int>(std::sqrt(static_cast<double>(size) / 1.2));
    cv::Mat image(side, side, CV_8UC3);
    cv::RNG rng(static_cast<std::uint64_t>(seed) + 1);
    rng.fill(image, cv::RNG::UNIFORM, 0, 256);
    std::vector<std::uint8_t> out;
    cv::imencode(".jpg", image, out, {cv::IMWRITE_JPEG_QUALITY, 90});
    return out;
}

inline constexpr double kStart = 1'700'000'000.3;  // the reply arrives here (fraction on purpose)
inline constexpr std::uint32_t kSessionId = 483920;

inline ReceivedPacket packet(std::size_t index, const rtp::RtpHeader& h, const Bytes& payload, double unix_s)
{
    ReceivedPacket p;
    p.index = index;
    p.bytes = rtp::encode_packet(h, payload);
    p.received = at(unix_s);
    p.kernel_timestamp = true;
    p.from = {"127.0.0.1", 40000};
    return p;
}

inline control::Parsed<control::Reply> parsed_reply(std::int64_t id)
{
    control::Parsed<control::Reply> r;
    r.status = control::ParseStatus::Complete;
    r.value = control::Reply{id};
    r.seen = std::to_string(id);
    r.consumed = r.seen.size();
    return r;
}

inline ControlChunk chunk(Direction d, const std::string& text, double unix_s)
{
    return {d, Bytes(text.begin(), text.end()), at(unix_s)};
}

// The exchange up to the reply: request at start - 0.01, reply at start.
inline SessionRecord exchange(const std::string& label, const std::string& file, std::int64_t reply,
                              double start = kStart)
{
    SessionRecord r;
    r.label = label;
    r.server = {"127.0.0.1", 5000};
    r.control_local = {"127.0.0.1", 45000};
    r.udp_port = 25000;
    r.file = file;
    const std::string request = file + " 25000";
    r.request.assign(request.begin(), request.end());
    r.connected_at = at(start - 0.02);
    r.request_at = at(start - 0.01);
    r.reply_at = at(start);
    r.control.push_back(chunk(Direction::ToServer, request, start - 0.01));
    r.control.push_back(chunk(Direction::FromServer, std::to_string(reply), start));
    r.reply = parsed_reply(reply);
    return r;
}

// A perfect stream of `frames`: Go 0.5 s after the reply, datagram k received
// at go + 0.002 + k * 0.05 (sent 0.5 ms earlier), seq k + 1, timestamp
// floor(sending time), SSRC = id, payload = frame k.
inline SessionRecord perfect_session(const std::vector<Bytes>& frames, std::uint32_t id = kSessionId,
                                     const std::string& label = "main stream", double start = kStart,
                                     double period_s = 0.05)
{
    SessionRecord r = exchange(label, "movie.mpeg", id, start);
    const double go = start + 0.5;
    r.go_at = at(go);
    r.control.push_back(chunk(Direction::ToServer, "Go", go));
    for (std::size_t k = 0; k < frames.size(); ++k) {
        const double received = go + 0.002 + static_cast<double>(k) * period_s;
        rtp::RtpHeader h;
        h.sequence = static_cast<std::uint16_t>(k + 1);
        h.timestamp = static_cast<std::uint32_t>(std::floor(received - 0.0005));
        h.ssrc = id;
        r.packets.push_back(packet(k, h, frames[k], received));
    }
    const double last = r.packets.empty() ? go : go + 0.002 + static_cast<double>(frames.size() - 1) * period_s;
    r.server_closed_at = at(last + 0.01);
    r.ended_at = at(last + 0.5);
    r.end = SessionEnd::AllFramesAndIdle;
    return r;
}

// Parses packet k's header, lets `change` edit it, and re-encodes the packet
// with the same payload.
inline void edit_header(SessionRecord& r, std::size_t k, const std::function<void(rtp::RtpHeader&)>& change)
{
    ReceivedPacket& p = r.packets.at(k);
    const rtp::ParseResult parsed = rtp::parse(p.bytes);
    rtp::RtpHeader h = *parsed.header;
    const Bytes payload(parsed.payload.begin(), parsed.payload.end());
    change(h);
    p.bytes = rtp::encode_packet(h, payload);
}

inline void edit_every_header(SessionRecord& r, const std::function<void(rtp::RtpHeader&)>& change)
{
    for (std::size_t k = 0; k < r.packets.size(); ++k) edit_header(r, k, change);
}

// Replaces packet k's payload, keeping its header.
inline void set_payload(SessionRecord& r, std::size_t k, const Bytes& payload)
{
    ReceivedPacket& p = r.packets.at(k);
    const rtp::RtpHeader h = *rtp::parse(p.bytes).header;
    p.bytes = rtp::encode_packet(h, payload);
}

// Moves receive times: packet k at `times[k]` (Unix seconds).
inline void set_receive_times(SessionRecord& r, const std::vector<double>& times)
{
    for (std::size_t k = 0; k < r.packets.size() && k < times.size(); ++k) r.packets[k].received = at(times[k]);
}

// Renumbers packet indices 0..n-1 after packets were inserted or erased.
inline void reindex(SessionRecord& r)
{
    for (std::size_t k = 0; k < r.packets.size(); ++k) r.packets[k].index = k;
}

}  // namespace tpc3::conform::server::testing
