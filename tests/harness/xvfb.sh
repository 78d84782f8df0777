# A private Xvfb for the GUI tests, the package test and the benchmarks. Source it, then call start_xvfb:
# it sets DISPLAY and XVFB_PID once the server accepts clients.
# -displayfd: Xvfb picks a free display itself and writes its number when ready, so it never clashes with
#   another X server or a stale lock, and nothing waits on a timer.
# -noreset: an X server resets when its last client disconnects and refuses clients during the reset; the
#   GUI tests close one app and open the next at once ("Failed to initialize GTK" before this).
start_xvfb() {
  local out
  out=$(mktemp)
  Xvfb -displayfd 3 -screen 0 1280x900x24 -nolisten tcp -noreset 3>"$out" >/dev/null 2>&1 &
  XVFB_PID=$!
  until [ -s "$out" ]; do
    if ! kill -0 "$XVFB_PID" 2>/dev/null; then
      echo "Xvfb did not start" >&2
      rm -f "$out"
      return 1
    fi
    sleep 0.05
  done
  DISPLAY=":$(head -n1 "$out")"
  export DISPLAY
  rm -f "$out"
}
