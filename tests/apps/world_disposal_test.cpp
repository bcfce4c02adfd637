// Worlds of finished runs are freed on the disposal's own thread, in the order taken; a command
// whose last world is still being freed exits at once with its code and its output flushed.
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "apps/world_disposal.hpp"

namespace {

// A world that notes, when freed, its name and the thread that freed it.
struct NotedWorld {
  NotedWorld(int name, std::vector<int>& order, std::vector<std::thread::id>& threads)
      : name(name), order(order), threads(threads) {}
  ~NotedWorld() {
    order.push_back(name);
    threads.push_back(std::this_thread::get_id());
  }
  int name;
  std::vector<int>& order;
  std::vector<std::thread::id>& threads;
};

}  // namespace

TEST_CASE("worlds are freed on the disposal's thread, in the order taken", "[apps]") {
  std::vector<int> order;
  std::vector<std::thread::id> threads;
  {
    dmlssim::apps::WorldDisposal disposal;
    for (int i = 0; i < 5; ++i)
      disposal.take(std::make_shared<NotedWorld>(i, order, threads));
    disposal.take(nullptr);  // nothing to free
  }                          // waits for every world
  CHECK(order == std::vector<int>{0, 1, 2, 3, 4});
  REQUIRE(threads.size() == 5);
  for (const std::thread::id& t : threads)
    CHECK(t != std::this_thread::get_id());
}

TEST_CASE("a command whose worlds are freed returns its code", "[apps]") {
  std::vector<int> order;
  std::vector<std::thread::id> threads;
  dmlssim::apps::WorldDisposal disposal;
  disposal.take(std::make_shared<NotedWorld>(1, order, threads));
  while (!disposal.done())
    std::this_thread::yield();
  CHECK(order == std::vector<int>{1});
  CHECK(disposal.exit_when_done(3) == 3);
}

TEST_CASE("a command whose world is still being freed exits at once, output flushed", "[apps]") {
  int to_parent[2];
  int never_written[2];
  REQUIRE(pipe(to_parent) == 0);
  REQUIRE(pipe(never_written) == 0);
  std::fflush(nullptr);  // the child must not inherit what the parent has not written yet
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    dup2(to_parent[1], STDOUT_FILENO);
    // A world whose freeing never ends: it waits for a byte that never comes.
    struct Stuck {
      explicit Stuck(int from) : fd(from) {}
      int fd;
      ~Stuck() {
        char byte;
        while (read(fd, &byte, 1) < 0) {
        }
      }
    };
    dmlssim::apps::WorldDisposal disposal;
    disposal.take(std::make_shared<Stuck>(never_written[0]));
    std::fputs("report", stdout);  // buffered: only a flush gets it out
    disposal.exit_when_done(7);
    std::_Exit(99);  // not reached
  }
  close(to_parent[1]);
  std::string out;
  char buf[64];
  for (ssize_t n; (n = read(to_parent[0], buf, sizeof buf)) > 0;)
    out.append(buf, static_cast<std::size_t>(n));
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  close(to_parent[0]);
  close(never_written[0]);
  close(never_written[1]);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 7);
  CHECK(out == "report");
}
