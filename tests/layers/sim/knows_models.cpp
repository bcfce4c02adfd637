// The engine including a model: refused.
#include "models/dmls/pprf.hpp"
#include "sim/time.hpp"
