// zstd for zstd-compressed full scrapes (Debian's libzstd-dev); no code, only the import.
#include <zstd.h>
