// harness.h: a tiny test harness for the native unit tests (no external framework). Each test file
// is one executable; TEST() registers cases, main() runs them all and exits non-zero on a failure.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

struct TestCase {
  const char* name;
  std::function<void()> fn;
};

inline std::vector<TestCase>& test_cases() {
  static std::vector<TestCase> kCases;
  return kCases;
}
inline int& test_failures() {
  static int kFailures = 0;
  return kFailures;
}

struct TestRegistrar {
  TestRegistrar(const char* name, std::function<void()> fn) { test_cases().push_back({name, std::move(fn)}); }
};

#define TEST(name)                                                     \
  static void name();                                                  \
  static const TestRegistrar name##_registrar(#name, name); /* NOLINT */ \
  static void name()

#define CHECK(cond)                                                              \
  do {                                                                           \
    if (!(cond)) {                                                               \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      test_failures()++;                                                         \
      return;                                                                    \
    }                                                                            \
  } while (0)

#define CHECK_EQ(a, b)                                                                             \
  do {                                                                                             \
    auto va_ = (a);                                                                                \
    auto vb_ = (b);                                                                                \
    if (!(va_ == vb_)) {                                                                           \
      std::fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %s (%lld vs %lld)\n", __FILE__, __LINE__, #a, #b, \
                   static_cast<long long>(va_), static_cast<long long>(vb_));                      \
      test_failures()++;                                                                           \
      return;                                                                                      \
    }                                                                                              \
  } while (0)

#define CHECK_OK(expr)                                                                            \
  do {                                                                                            \
    Status st_ = (expr);                                                                          \
    if (!st_.ok()) {                                                                              \
      std::fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #expr, st_.message.c_str()); \
      test_failures()++;                                                                          \
      return;                                                                                     \
    }                                                                                             \
  } while (0)

inline int run_all_tests() {
  for (const TestCase& t : test_cases()) {
    int before = test_failures();
    t.fn();
    std::printf("%s %s\n", test_failures() == before ? "ok  " : "FAIL", t.name);
  }
  std::printf("%zu passed, %d failed\n", test_cases().size() - static_cast<size_t>(test_failures()), test_failures());
  return test_failures() == 0 ? 0 : 1;
}

#define TEST_MAIN() \
  int main() { return run_all_tests(); }
