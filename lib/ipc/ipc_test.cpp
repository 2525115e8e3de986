#include <rustos/ipc/codec.h>
#include <rustos/ipc/message.h>

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

using namespace rustos;
using namespace rustos::ipc;

TEST(IpcCodec, RoundTrip) {
    Message m;
    m.reset(op::LOADERD_SPAWN);
    Writer w(m.payload, sizeof m.payload);
    w.str("/bin/busybox").u32(2).str("busybox").str("sh").u64(0x1122334455667788ull).i32(-5);
    ASSERT_TRUE(w.ok());
    m.header.length = uint32_t(w.size());

    Reader r(m.payload, m.header.length);
    EXPECT_TRUE(r.str() == "/bin/busybox");
    EXPECT_EQ(r.u32(), 2u);
    EXPECT_TRUE(r.str() == "busybox");
    EXPECT_TRUE(r.str() == "sh");
    EXPECT_EQ(r.u64(), 0x1122334455667788ull);
    EXPECT_EQ(r.i32(), -5);
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(r.at_end());
}

TEST(IpcCodec, WriterStopsAtCapacity) {
    uint8_t buf[10];
    Writer w(buf, sizeof buf);
    w.u64(1);
    EXPECT_TRUE(w.ok());
    w.u32(2); // does not fit
    EXPECT_FALSE(w.ok());
    EXPECT_EQ(w.size(), 8u);
    w.u32(3);
    EXPECT_FALSE(w.ok()); // sticky
    EXPECT_EQ(w.reserve(1), nullptr);
}

TEST(IpcCodec, ReaderRejectsLiesAboutLengths) {
    uint8_t buf[16] = {};
    Writer w(buf, sizeof buf);
    w.u32(1000); // a string length far beyond the payload
    Reader r(buf, w.size() + 4);
    EXPECT_TRUE(r.str().empty());
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.u32(), 0u); // sticky failure, no read past the end

    Writer w2(buf, sizeof buf);
    w2.str("abcdef");
    Reader r2(buf, w2.size());
    EXPECT_TRUE(r2.str(3).empty()); // longer than the caller allows
    EXPECT_FALSE(r2.ok());
}

TEST(IpcCodec, RandomPayloadsNeverReadOutOfBounds) {
    std::mt19937 rng(42);
    for (int i = 0; i < 20000; ++i) {
        std::vector<uint8_t> data(rng() % 64);
        for (auto& b : data)
            b = uint8_t(rng());
        Reader r(data.data(), data.size());
        while (r.ok()) {
            switch (rng() % 4) {
            case 0:
                r.u32();
                break;
            case 1:
                r.u64();
                break;
            case 2:
                r.str();
                break;
            default:
                r.raw(rng() % 16);
            }
        }
    }
}

TEST(IpcNames, ServicesAndOps) {
    EXPECT_STREQ(service_name(service::PROCD), "procd");
    EXPECT_STREQ(service_name(service::UISERVER), "uiserver");
    EXPECT_EQ(service_name(999), nullptr);
    EXPECT_STREQ(op_name(op::COMMON_HEALTH), "COMMON_HEALTH");
    EXPECT_STREQ(op_name(op::KERNEL_PROCESS_EXITED), "KERNEL_PROCESS_EXITED");
    EXPECT_EQ(sizeof(MessageHeader), 48u);
}
