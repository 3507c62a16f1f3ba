#include "CLiburingShim.h"
