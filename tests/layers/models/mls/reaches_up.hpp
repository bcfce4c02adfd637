// A core MLS header reaching up into Matrix: the layering check must refuse it.
#pragma once
#include "models/matrix/event.hpp"
