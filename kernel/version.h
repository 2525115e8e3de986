#pragma once

#define RUSTOS_VERSION "0.1.0"
