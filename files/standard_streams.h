// A tool started with standard input, output or error closed would hand those numbers to the
// next files it opens: its temporary output could become descriptor 0 and be read back as its
// own input, or a message could land in its output file. reserve_standard_streams(), called
// first in main, opens /dev/null on every closed one and remembers which were closed, so that
// "-" for such a stream is refused with a clear message instead.
#pragma once

namespace lcz {

void reserve_standard_streams();
// Whether fd (0, 1 or 2) was closed when reserve_standard_streams() ran.
bool standard_stream_was_closed(int fd);

}  // namespace lcz
