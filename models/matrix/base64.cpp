#include "models/matrix/base64.hpp"

#include <openssl/evp.h>

#include <vector>

namespace dmlssim::models::matrix {

std::string unpadded_base64(std::string_view bytes) {
  std::vector<unsigned char> out(4 * ((bytes.size() + 2) / 3) + 1);
  const int n = EVP_EncodeBlock(out.data(), reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  std::string text(reinterpret_cast<const char*>(out.data()), static_cast<std::size_t>(n));
  while (!text.empty() && text.back() == '=')
    text.pop_back();
  return text;
}

std::string unpadded_base64_url(std::string_view bytes) {
  std::string text = unpadded_base64(bytes);
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return text;
}

}  // namespace dmlssim::models::matrix
