/* A stand-in for the open app in tests/windows/test_installer.py (Wine has no WebView2, so the app itself
 * cannot open its window there): a hidden window of the class given as the first argument, as the app's
 * window has (tauri.conf.json's windowClassname). Prints "open" once the window exists and keeps it until
 * its standard input is closed. */
#include <stdio.h>
#include <windows.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: open_window CLASS\n");
        return 2;
    }
    WNDCLASSA wc = {0};
    wc.lpfnWndProc = DefWindowProcA;
    wc.hInstance = GetModuleHandleA(NULL);
    wc.lpszClassName = argv[1];
    if (!RegisterClassA(&wc)) return 1;
    HWND w = CreateWindowExA(0, argv[1], "S3 Access Wizard", WS_OVERLAPPEDWINDOW, 0, 0, 200, 100, NULL, NULL, wc.hInstance, NULL);
    if (!w) return 1;
    printf("open\n");
    fflush(stdout);
    char buf[64];
    DWORD n;
    HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
    while (ReadFile(in, buf, sizeof buf, &n, NULL) && n > 0) {
    }
    DestroyWindow(w);
    return 0;
}
