#include "sim/random.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "sim/portable_math.hpp"

namespace dmlssim::sim {
namespace {

// 64 x 64 -> 128-bit products for Lemire's method (a GCC/Clang extension).
__extension__ using U128 = unsigned __int128;

uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

void append_le64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

RandomStream::RandomStream(uint64_t seed, uint64_t run, std::string_view name) {
  std::string input = "dmlssim/stream/v1";
  append_le64(input, seed);
  append_le64(input, run);
  input.append(name);
  unsigned char digest[32];
  unsigned int len = 0;
  if (EVP_Digest(input.data(), input.size(), digest, &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("RandomStream: SHA-256 failed");
  }
  for (int i = 0; i < 4; ++i) {
    uint64_t v = 0;
    for (int b = 0; b < 8; ++b)
      v |= static_cast<uint64_t>(digest[8 * i + b]) << (8 * b);
    state_[i] = v;
  }
  if ((state_[0] | state_[1] | state_[2] | state_[3]) == 0) state_[0] = 1;  // never all zero
}

uint64_t RandomStream::next_u64() {
  const uint64_t result = rotl(state_[1] * 5, 7) * 9;
  const uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

double RandomStream::uniform01() {
  return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
}

uint64_t RandomStream::uniform_index(uint64_t n) {
  if (n == 0) throw std::invalid_argument("uniform_index: n must be >= 1");
  U128 m = static_cast<U128>(next_u64()) * n;
  uint64_t low = static_cast<uint64_t>(m);
  if (low < n) {
    const uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<U128>(next_u64()) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

double RandomStream::exponential(double mean) {
  return -mean * portable_log(uniform01_open_low());
}

double RandomStream::normal(double mean, double stddev) {
  // Marsaglia's polar method: needs only log and sqrt, both exact or portable.
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return mean + stddev * spare_normal_;
  }
  double u, v, s;
  do {
    u = 2 * uniform01() - 1;
    v = 2 * uniform01() - 1;
    s = u * u + v * v;
  } while (s >= 1 || s == 0);
  const double factor = std::sqrt(-2 * portable_log(s) / s);
  spare_normal_ = v * factor;
  has_spare_normal_ = true;
  return mean + stddev * u * factor;
}

double RandomStream::lognormal(double mu, double sigma) {
  return portable_exp(normal(mu, sigma));
}

double RandomStream::weibull(double k, double lambda) {
  const double e = -portable_log(uniform01_open_low());
  return e == 0 ? 0 : lambda * portable_exp(portable_log(e) / k);
}

double RandomStream::pareto(double alpha, double x_m) {
  return x_m * portable_exp(-portable_log(uniform01_open_low()) / alpha);
}

ZipfTable::ZipfTable(uint64_t n, double s) {
  if (n == 0) throw std::invalid_argument("zipf: n must be >= 1");
  if (!(s > 0)) throw std::invalid_argument("zipf: s must be > 0");
  cdf_.resize(n);
  double total = 0;
  double weighted = 0;
  for (uint64_t k = 1; k <= n; ++k) {
    const double w = portable_exp(-s * portable_log(static_cast<double>(k)));
    total += w;
    weighted += w * static_cast<double>(k);
    cdf_[k - 1] = total;
  }
  for (double& c : cdf_)
    c /= total;
  cdf_.back() = 1.0;
  mean_ = weighted / total;
}

uint64_t ZipfTable::sample(RandomStream& rng) const {
  const double u = rng.uniform01();
  const auto it = std::upper_bound(cdf_.begin(), cdf_.end(), u);
  return static_cast<uint64_t>(it - cdf_.begin()) + 1;
}

}  // namespace dmlssim::sim
