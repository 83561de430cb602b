"""Shows JPEG files one after the other in a Tk window, the way a student's client does.

    /usr/bin/python3 tk_player.py PERIOD_MS SCALE LINGER_MS FILE...

Each file is decoded with PIL, scaled by SCALE (1 = as is), and shown in a tk.Label with a border and
padding, above a status line, like the classic client. One line per frame on stdout:

    shown INDEX T0 T1

T0 (time.monotonic(), the same clock as C++ steady_clock) is taken before the label is changed; T1 after
the drawing requests were sent and a round trip to the X server (winfo_pointerxy) made sure the server has
executed them. So frame INDEX can be on the screen from T0 on, and it is gone once the next frame's T1 is
past. "ready" is printed once the window is mapped, "done" after the last frame; the window stays LINGER_MS
more, then the program exits 0.
"""

import sys
import time
import tkinter as tk

from PIL import Image, ImageTk


def main(argv):
    if len(argv) < 5:
        print(__doc__, file=sys.stderr)
        return 2
    period = int(argv[1]) / 1000.0
    scale = float(argv[2])
    linger_ms = int(argv[3])
    images = []
    for name in argv[4:]:
        image = Image.open(name)
        image.load()
        if scale != 1.0:
            image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))),
                                 Image.BILINEAR)
        images.append(image)

    root = tk.Tk()
    root.title("tk_player")
    label = tk.Label(root, bg="black", bd=4, relief="ridge", padx=8, pady=8)
    label.pack(padx=5, pady=5)
    status = tk.Label(root, text="starting", anchor="w")
    status.pack(fill="x", padx=5, pady=(0, 5))
    photos = [ImageTk.PhotoImage(image) for image in images]
    root.update()
    root.winfo_pointerxy()
    print("ready", flush=True)
    start = time.monotonic() + 0.2

    def show(i):
        t0 = time.monotonic()
        label.config(image=photos[i])
        status.config(text=f"frame {i}")
        root.update_idletasks()
        root.winfo_pointerxy()  # a round trip: the server has drawn the frame
        t1 = time.monotonic()
        print(f"shown {i} {t0:.6f} {t1:.6f}", flush=True)
        if i + 1 < len(photos):
            delay = start + (i + 1) * period - time.monotonic()
            root.after(max(0, int(delay * 1000)), show, i + 1)
        else:
            print("done", flush=True)
            root.after(linger_ms, root.destroy)

    root.after(max(0, int((start - time.monotonic()) * 1000)), show, 0)
    root.mainloop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
