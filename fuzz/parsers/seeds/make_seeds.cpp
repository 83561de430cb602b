// Writes the seed corpus of every parser fuzz target with the project's own
// writers (RTP encoder, MovieWriter, control dialects, SyntheticRecorder /
// PcapFileWriter, marker renderer), so that each seed is a meaningful input.
//
//   fuzz_make_seeds OUT_DIR     (OUT_DIR/<target>/... ; see README.md "Seeds")
//
// The pcapng seeds are made from the pcap ones with editcap (README.md).

#include "control/dialect.h"
#include "marker/marker.h"
#include "movie/movie_writer.h"
#include "pcaps/capture/pcap_file_writer.h"
#include "pcaps/capture/synthetic_recorder.h"
#include "pcaps/packet/frame_builder.h"
#include "rtp/rtp_header.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

namespace {

void write_file(const fs::path& p, const Bytes& bytes) {
    fs::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error(p.string() + ": cannot write");
}

void write_text(const fs::path& p, const std::string& s) { write_file(p, Bytes(s.begin(), s.end())); }

Bytes read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A structurally valid "JPEG" for the movie format (FF D8 ... FF D9).
Bytes tiny_jpeg(const std::string& body) {
    // Sized up front: g++ 12 warns falsely (-Warray-bounds) on insert after an initializer list.
    Bytes b(body.size() + 4);
    b[0] = 0xFF;
    b[1] = 0xD8;
    std::copy(body.begin(), body.end(), b.begin() + 2);
    b[b.size() - 2] = 0xFF;
    b[b.size() - 1] = 0xD9;
    return b;
}

void rtp_seeds(const fs::path& dir) {
    using namespace tpc3::rtp;
    const Bytes jpeg = tiny_jpeg("jpeg");
    RtpHeader good{.sequence = 1, .timestamp = 1'764'000'000, .ssrc = 483920};
    // The target compares the SSRC with the payload's first 4 bytes: this payload starts with the SSRC.
    const Bytes ssrc_payload{0x00, 0x07, 0x62, 0x50, 0xFF, 0xD9};
    write_file(dir / "valid.bin", encode_packet(good, ssrc_payload));
    write_file(dir / "valid_jpeg_payload.bin", encode_packet(good, jpeg));
    const auto header_only = encode(good);
    write_file(dir / "header_only.bin", Bytes(header_only.begin(), header_only.end()));
    write_file(dir / "short_7.bin", Bytes(header_only.begin(), header_only.begin() + 7));
    auto deviate = [&](const char* name, auto change) {
        RtpHeader h = good;
        change(h);
        write_file(dir / (std::string("dev_") + name + ".bin"), encode_packet(h, ssrc_payload));
    };
    deviate("version", [](RtpHeader& h) { h.version = 1; });
    deviate("padding", [](RtpHeader& h) { h.padding = true; });
    deviate("extension", [](RtpHeader& h) { h.extension = true; });
    deviate("csrc_count", [](RtpHeader& h) { h.csrc_count = 3; });
    deviate("marker", [](RtpHeader& h) { h.marker = true; });
    deviate("payload_type", [](RtpHeader& h) { h.payload_type = 96; });
    deviate("ssrc", [](RtpHeader& h) { h.ssrc = 999; });
    deviate("all", [](RtpHeader& h) { h = RtpHeader{0, true, true, 15, true, 127, 0xFFFF, 0xFFFFFFFF, 0}; });
}

void movie_seeds(const fs::path& dir) {
    using tpc3::movie::MovieWriter;
    const auto movie = [&](const char* name, const std::vector<Bytes>& frames) {
        MovieWriter w((dir / name).string());
        for (const auto& f : frames) w.write(f);
        w.close();
        return read_file(dir / name);
    };
    fs::create_directories(dir);
    const Bytes three = movie("three_frames.mpeg", {tiny_jpeg("one"), tiny_jpeg("two"), tiny_jpeg("three")});
    movie("one_frame.mpeg", {tiny_jpeg("x")});
    const cv::Mat small = tpc3::marker::render_frame(128, 96, tpc3::marker::MarkerValue::frame(1), "seed");
    cv::Mat tiny;
    cv::resize(small, tiny, cv::Size(32, 24));
    movie("real_jpeg.mpeg", {tpc3::marker::encode_jpeg(tiny, 30), tpc3::marker::encode_jpeg(tiny, 10)});

    write_file(dir / "truncated_frame.mpeg", Bytes(three.begin(), three.end() - 4));
    write_file(dir / "truncated_length.mpeg", Bytes(three.begin(), three.begin() + 9 + 3));
    Bytes trailing = three;
    for (const char c : std::string("000")) trailing.push_back(static_cast<std::uint8_t>(c));
    write_file(dir / "trailing_bytes.mpeg", trailing);
    Bytes bad_length = three;
    bad_length[9 + 2] = 'a';  // second length field "00a07"
    write_file(dir / "bad_length.mpeg", bad_length);
    write_text(dir / "zero_length.mpeg", "00000");
    write_text(dir / "not_jpeg.mpeg", "00004abcd");
    write_text(dir / "ends_not_jpeg.mpeg", "00004\xff\xd8xx");
}

void control_seeds(const fs::path& dir) {
    using namespace tpc3::control;
    // The default dialect's messages, as written by hand (what students send).
    const std::vector<std::pair<std::string, std::string>> tpc3{
        {"request", "movie.mpeg 25000"},        {"request_newline", "movie.mpeg 25000\n"},
        {"request_crlf", "movie.mpeg 25000\r\n"}, {"request_spaces", "  movie.mpeg    25000  \n"},
        {"request_tab", "movie.mpeg\t25000\n"},  {"request_leading_zero", "movie.mpeg 025000\n"},
        {"request_port_0", "movie.mpeg 0\n"},    {"request_port_big", "movie.mpeg 99999\n"},
        {"request_utf8", "film\xc3\xa9.mpeg 25000\n"}, {"request_one_word", "movie.mpeg\n"},
        {"request_three_words", "my movie.mpeg 25000\n"}, {"request_then_go", "movie.mpeg 25000\nGo\n"},
        {"reply", "483920"},                     {"reply_newline", "483920\n"},
        {"reply_not_found", "-1\n"},             {"reply_max", "4294967295"},
        {"reply_too_big", "4294967296"},         {"reply_minus_2", "-2"},
        {"go", "Go"},                            {"go_newline", "Go\r\n"},
        {"go_lower", "go\n"},                    {"go_prefix", "G"},
        {"blank_lines", "\n\n  \r\n"},           {"bad_utf8", "movie\xff.mpeg 25000\n"},
        {"cut_utf8", "movie\xc3"},
    };
    for (const auto& [name, text] : tpc3) write_text(dir / ("tpc3_" + name + ".txt"), text);
    // Every registered dialect's own encoding of the three messages.
    for (const std::string& name : dialect_names()) {
        const Dialect& d = *find_dialect(name);
        write_file(dir / ("enc_" + name + "_request.bin"), d.encode(Request{"movie.mpeg", 25000}));
        write_file(dir / ("enc_" + name + "_reply.bin"), d.encode(Reply{483920}));
        write_file(dir / ("enc_" + name + "_not_found.bin"), d.encode(Reply{Reply::kNotFound}));
        write_file(dir / ("enc_" + name + "_go.bin"), d.encode(Go{}));
    }
}

void pcap_seeds(const fs::path& dir) {
    using namespace tpc3::pcap;
    using namespace std::chrono_literals;
    fs::create_directories(dir);
    const CaptureTime t0{std::chrono::seconds(1'764'000'000)};
    const Endpoint client{"127.0.0.1", 41000}, server{"127.0.0.1", 5000};
    const Endpoint server_udp{"127.0.0.1", 42000}, client_udp{"127.0.0.1", 25000};
    {
        SyntheticRecorder r(dir / "session.pcap");
        const auto c = r.tcp_open(client, server, t0);
        r.tcp_data(c, TcpDirection::client_to_server, "movie.mpeg 25000", t0 + 1ms);
        r.tcp_data(c, TcpDirection::server_to_client, "483920", t0 + 2ms);
        r.tcp_data(c, TcpDirection::client_to_server, "Go", t0 + 3ms);
        tpc3::rtp::RtpHeader h{.sequence = 1, .timestamp = 1'764'000'000, .ssrc = 483920};
        for (int i = 0; i < 2; ++i) {
            h.sequence = static_cast<std::uint16_t>(i + 1);
            r.udp(server_udp, client_udp, tpc3::rtp::encode_packet(h, tiny_jpeg("frame")), t0 + 50ms * (i + 1));
        }
        r.tcp_close(c, TcpSide::server, t0 + 200ms);
        r.close();
    }
    {
        SyntheticRecorder r(dir / "reset.pcap");
        const auto c = r.tcp_open(client, server, t0);
        r.tcp_data(c, TcpDirection::client_to_server, "movie.mpeg 25000\n", t0 + 1ms);
        r.tcp_data(c, TcpDirection::server_to_client, "-1\n", t0 + 2ms);
        r.tcp_reset(c, TcpSide::client, t0 + 3ms);
        r.close();
    }
    {
        // One UDP datagram in 3 IPv4 fragments, delivered last-first, then an overlapping fragment.
        PcapFileWriter w(dir / "fragments.pcap");
        UdpDatagram d{server_udp, client_udp, Bytes(600, 0x5A)};
        const Bytes udp = encode_udp(d);
        Ipv4FrameSpec spec{.source = server_udp.address, .destination = client_udp.address, .id = 77};
        auto frames = build_ipv4_fragment_frames(spec, udp, 256);
        for (auto it = frames.rbegin(); it != frames.rend(); ++it) w.write(t0, *it);
        spec.id = 78;
        auto other = build_ipv4_fragment_frames(spec, udp, 256);
        w.write(t0 + 1ms, other[0]);
        w.write(t0 + 1ms, other[0]);  // exact duplicate: ignored
        auto overlap = build_ipv4_fragment_frames(spec, Bytes(udp.begin() + 8, udp.end()), 256);
        w.write(t0 + 2ms, overlap[0]);  // offset 0 again with other bytes: overlap
        w.close();
    }
    {
        // TCP data out of order, retransmitted and with a hole, without a handshake.
        PcapFileWriter w(dir / "tcp_out_of_order.pcap");
        FrameBuilder b;
        auto seg = [&](std::uint32_t seq, const std::string& text, std::uint8_t flags) {
            TcpSegment s{client, server, seq, 1, flags, 65535, Bytes(text.begin(), text.end())};
            return b.tcp(s);
        };
        const std::uint8_t psh_ack = tcp_flag::kPsh | tcp_flag::kAck;
        w.write(t0, seg(1000, "movie", psh_ack));
        w.write(t0 + 1ms, seg(1011, "25000", psh_ack));  // ahead: held
        w.write(t0 + 2ms, seg(1005, ".mpeg ", psh_ack));  // fills the hole
        w.write(t0 + 3ms, seg(1000, "movie", psh_ack));   // retransmission
        w.write(t0 + 4ms, seg(1100, "Go", psh_ack));      // leaves a hole open at the end
        w.write(t0 + 5ms, seg(1102, "", tcp_flag::kFin | tcp_flag::kAck));
        w.close();
    }
    {
        // The session cut inside its 6th record (a damaged file: a read error).
        const Bytes whole = read_file(dir / "session.pcap");
        write_file(dir / "truncated.pcap", Bytes(whole.begin(), whole.begin() + static_cast<long>(whole.size() * 2 / 3)));
    }
    {
        // The same UDP datagram behind each other link header the decoder reads.
        Ipv4FrameSpec spec{.source = server_udp.address, .destination = client_udp.address, .id = 9};
        UdpDatagram d{server_udp, client_udp, Bytes{0x80, 0x1A, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1}};
        const Bytes ip = build_ipv4_packet(spec, encode_udp(d));
        const auto with_link = [&](const char* name, LinkType type, Bytes link) {
            link.insert(link.end(), ip.begin(), ip.end());
            PcapFileWriter w(dir / name, type);
            w.write(t0, link);
            w.close();
        };
        with_link("sll.pcap", LinkType::linux_sll, Bytes{0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00});
        with_link("sll2.pcap", LinkType::linux_sll2,
                  Bytes{0x08, 0x00, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0});
        with_link("null.pcap", LinkType::null, Bytes{2, 0, 0, 0});
        with_link("loop.pcap", LinkType::loop, Bytes{0, 0, 0, 2});
        Bytes vlan(12, 0);  // zero MACs, one 802.1Q tag, then IPv4
        for (const int b : {0x81, 0x00, 0x00, 0x05, 0x08, 0x00}) vlan.push_back(static_cast<std::uint8_t>(b));
        with_link("vlan.pcap", LinkType::ethernet, vlan);
    }
    {
        PcapFileWriter w(dir / "raw_ip.pcap", LinkType::raw);
        Ipv4FrameSpec spec{.source = server_udp.address, .destination = client_udp.address, .id = 5};
        UdpDatagram d{server_udp, client_udp, Bytes{0x80, 0x1A, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}};
        w.write(t0, build_ipv4_packet(spec, encode_udp(d)));
        w.close();
    }
}

void marker_seeds(const fs::path& dir) {
    using namespace tpc3::marker;
    // Header: type, width byte, height byte (the target maps 0..255 onto 16..320 and 16..240).
    const auto width_byte = [](int w) {
        for (int b = 0; b < 256; ++b)
            if (16 + b * 304 / 255 == w) return static_cast<std::uint8_t>(b);
        throw std::logic_error("no width byte");
    };
    const auto height_byte = [](int h) {
        for (int b = 0; b < 256; ++b)
            if (16 + b * 224 / 255 == h) return static_cast<std::uint8_t>(b);
        throw std::logic_error("no height byte");
    };
    const auto image_seed = [&](const char* name, std::uint8_t type, const cv::Mat& m) {
        Bytes b{type, width_byte(m.cols), height_byte(m.rows)};
        const cv::Mat c = m.isContinuous() ? m : m.clone();
        b.insert(b.end(), c.data, c.data + c.total() * c.elemSize());
        write_file(dir / name, b);
    };
    const cv::Mat frame = render_frame(128, 96, MarkerValue::frame(17), "seed");
    cv::Mat grey;
    cv::cvtColor(frame, grey, cv::COLOR_BGR2GRAY);
    image_seed("grey_frame_17.bin", 0, grey);
    const cv::Mat poison = render_frame(128, 96, MarkerValue::poison(5, 123), "seed");
    cv::Mat poison_grey;
    cv::cvtColor(poison, poison_grey, cv::COLOR_BGR2GRAY);
    image_seed("grey_poison_5_123.bin", 0, poison_grey);
    cv::Mat small;
    cv::resize(grey, small, cv::Size(64, 48));
    image_seed("grey_small.bin", 0, small);
    write_file(dir / "render_frame_17.bin", Bytes{6, width_byte(128), height_byte(96), 0, 0, 0, 16});
    write_file(dir / "render_poison.bin", Bytes{6, 255, 255, 1, 0x1F, 0xFF, 0xFF});
    write_file(dir / "float_16x16.bin", Bytes(3 + 16 * 16 * 4, 0x7F));
    write_file(dir / "bgra_white.bin", Bytes{2, 10, 10});
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: fuzz_make_seeds OUT_DIR\n");
        return 2;
    }
    const fs::path out = argv[1];
    try {
        rtp_seeds(out / "rtp_header");
        movie_seeds(out / "movie_reader");
        control_seeds(out / "control");
        pcap_seeds(out / "pcap_reader");
        marker_seeds(out / "marker_decode");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fuzz_make_seeds: %s\n", e.what());
        return 1;
    }
    return 0;
}
