// zlib for gzip-compressed full scrapes (Debian's zlib1g-dev); no code, only the import.
#include <zlib.h>
