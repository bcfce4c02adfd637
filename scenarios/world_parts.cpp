// The world parts that ship with dmlssim: the one list to extend when a model is added.
#include <stdexcept>

#include "scenarios/encrypted_part.hpp"
#include "scenarios/matrix_part.hpp"
#include "scenarios/world_part.hpp"

namespace dmlssim::scenarios {

void WorldParts::add(std::shared_ptr<const WorldPart> part) {
  for (const auto& p : parts_) {
    if (p->name() == part->name())
      throw std::invalid_argument("world part '" + part->name() + "' registered twice");
  }
  parts_.push_back(std::move(part));
}

void register_builtin_parts(WorldParts& parts) {
  parts.add(std::make_shared<MatrixPart>());
  parts.add(std::make_shared<EncryptedPart>());  // builds on the Matrix part's room
}

}  // namespace dmlssim::scenarios
