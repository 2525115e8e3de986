#include "script.h"

#include <gtest/gtest.h>

using namespace loaderd;

TEST(Shebang, InterpreterOnly) {
    auto s = parse_shebang("#!/bin/sh\necho hi\n");
    ASSERT_FALSE(s.is_error());
    EXPECT_EQ(s->interpreter, "/bin/sh");
    EXPECT_FALSE(s->has_argument);
}

TEST(Shebang, OneArgumentKeepsInnerSpaces) {
    auto s = parse_shebang("#!  /usr/bin/env   python3 -u  \t\nprint()\n");
    ASSERT_FALSE(s.is_error());
    EXPECT_EQ(s->interpreter, "/usr/bin/env");
    ASSERT_TRUE(s->has_argument);
    EXPECT_EQ(s->argument, "python3 -u");
}

TEST(Shebang, NoNewlineAndCrlf) {
    auto s = parse_shebang("#!/bin/busybox sh");
    ASSERT_FALSE(s.is_error());
    EXPECT_EQ(s->argument, "sh");
    auto t = parse_shebang("#!/bin/sh\r\n");
    ASSERT_FALSE(t.is_error());
    EXPECT_EQ(t->interpreter, "/bin/sh\r") << "Linux keeps a CR that ends the interpreter name";
}

TEST(Shebang, Refusals) {
    EXPECT_EQ(parse_shebang("#!\n").error().code(), ENOEXEC);
    EXPECT_EQ(parse_shebang("#!   \t\n").error().code(), ENOEXEC);
    EXPECT_EQ(parse_shebang("#/bin/sh\n").error().code(), ENOEXEC);
    EXPECT_EQ(parse_shebang("#!/" + std::string(300, 'x') + "\n").error().code(), ENOEXEC);
}

TEST(Shebang, Argv) {
    Shebang s{"/bin/sh", "", false};
    EXPECT_EQ(script_argv(s, "./run.sh", {"run", "a", "b"}),
              (std::vector<std::string>{"/bin/sh", "./run.sh", "a", "b"}));
    Shebang t{"/usr/bin/env", "sh -e", true};
    EXPECT_EQ(script_argv(t, "/x", {}), (std::vector<std::string>{"/usr/bin/env", "sh -e", "/x"}));
}
