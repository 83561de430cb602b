// Kept apart from OpenCV code: Xlib's macros (Status, None, Bool) clash with its headers.
#include "client/frame_sink.h"

#include <X11/Xlib.h>

namespace tpc3::client {

bool x_display_available() {
    Display* d = XOpenDisplay(nullptr);
    if (d == nullptr) return false;
    XCloseDisplay(d);
    return true;
}

}  // namespace tpc3::client
