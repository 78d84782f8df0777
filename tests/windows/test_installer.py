"""The Windows installer (src-tauri/windows/installer.nsi), run under Wine by `make windows`.

Installs silently for the current user, as `Setup.exe /S` does on Windows, and checks what a person would
find afterwards: the app, the CLI and WebView2's loader in %LOCALAPPDATA%\\Programs\\S3 Access Wizard, a
Start menu entry, an "Installed apps" entry with a working quiet uninstaller, and a CLI that runs from where
it was installed. Then uninstalls the way Windows does (the uninstaller copies itself to a temporary folder
and returns at once), waiting for the files to be gone. Wine has no WebView2: the silent install records that
and goes on (an interactive one offers Microsoft's download page), which this suite also shows. With the
app open (a stand-in window of its class), install and uninstall stop before changing anything.

  S3AW_INSTALLER=PATH .venv/bin/python -m pytest -q tests/windows"""

import json
import os
import pathlib
import subprocess
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
WINE = ROOT / "tests" / "harness" / "wine.sh"
KEY = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\dev.s3aw.wizard"
CONFIG = json.loads((ROOT / "src-tauri" / "tauri.conf.json").read_text())
VERSION = CONFIG["version"]
# The app window's class: how the installer tells that the app is open.
WINDOW_CLASS = CONFIG["app"]["windows"][0]["windowClassname"]


def wine(*args, check=True, timeout=300, env=None):
    return subprocess.run([str(WINE), *args], capture_output=True, text=True, check=check, timeout=timeout, env=env)


def unix_path(windows_path):
    """A Windows path in the prefix, as a Linux path (Wine's own mapping)."""
    out = subprocess.run(["winepath", "-u", windows_path], capture_output=True, text=True, check=True,
                         env={**os.environ, "WINEPREFIX": prefix()})
    return pathlib.Path(out.stdout.strip())


def prefix():
    return os.environ.get("S3AW_WINEPREFIX", str(ROOT / "tests" / ".artifacts" / "wineprefix"))


def env_var(name):
    return wine("cmd", "/c", f"echo %{name}%").stdout.strip()


def registry_values():
    out = wine("reg", "query", KEY, check=False)
    if out.returncode != 0:
        return None
    values = {}
    for line in out.stdout.splitlines():
        parts = line.strip().split(None, 2)
        if len(parts) == 3 and parts[1].startswith("REG_"):
            values[parts[0]] = parts[2]
    return values


def wait_until(state, what, deadline_s=120):
    """Wait for a state (not a time): polls `state()` until it is true, failing with `what` at the deadline."""
    end = time.monotonic() + deadline_s
    while not state():
        if time.monotonic() > end:
            pytest.fail(f"gave up waiting: {what}")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def installer():
    path = os.environ.get("S3AW_INSTALLER")
    if not path:
        pytest.fail("S3AW_INSTALLER is not set: run `make windows`, which builds the installer first")
    return pathlib.Path(path)


@pytest.fixture(scope="module")
def install_dir():
    folder = unix_path(env_var("LOCALAPPDATA") + r"\Programs\S3 Access Wizard")
    # A run that failed half-way may have left an install behind: start from none.
    if registry_values() is not None:
        wine("reg", "delete", KEY, "/f")
    if folder.exists():
        for f in folder.iterdir():
            f.unlink()
        folder.rmdir()
    return folder


def start_menu_entry():
    return unix_path(env_var("APPDATA") + r"\Microsoft\Windows\Start Menu\Programs\S3 Access Wizard.lnk")


def test_the_installer_is_a_64_bit_windows_program_with_its_version(installer):
    data = installer.read_bytes()
    assert data[:2] == b"MZ"
    pe = int.from_bytes(data[0x3C:0x40], "little")
    assert data[pe:pe + 4] == b"PE\0\0"
    assert int.from_bytes(data[pe + 4:pe + 6], "little") == 0x8664  # x86-64
    # The version resource, as Explorer shows it (UTF-16).
    assert "S3 Access Wizard".encode("utf-16-le") in data
    assert VERSION.encode("utf-16-le") in data


def test_a_silent_install_puts_the_app_where_a_user_install_goes(installer, install_dir):
    out = wine(str(installer), "/S")
    assert out.returncode == 0, out.stderr
    for name in ("s3-access-wizard.exe", "s3aw.exe", "WebView2Loader.dll", "uninstall.exe"):
        assert (install_dir / name).is_file(), name
    assert start_menu_entry().is_file()


def test_installed_apps_lists_it_with_a_quiet_uninstaller(install_dir):
    values = registry_values()
    assert values is not None, "no entry under " + KEY
    assert values["DisplayName"] == "S3 Access Wizard"
    assert values["DisplayVersion"] == VERSION
    assert values["Publisher"] == "S3 Access Wizard"
    assert unix_path(values["InstallLocation"]) == install_dir
    assert values["QuietUninstallString"].endswith(r'\uninstall.exe" /S')
    assert int(values["EstimatedSize"], 16) > 1024  # in KiB: the app and the CLI


def test_the_installed_cli_runs_from_where_it_was_installed(install_dir):
    out = wine(str(install_dir / "s3aw.exe"), "--version")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().startswith("s3aw ")


def test_without_webview2_the_app_says_what_is_missing_instead_of_crashing(install_dir):
    # Wine has no WebView2, as a Windows 10 that never got it. The app shows a message box (with no
    # display, Wine cannot draw it and it returns at once) and ends with its own exit code, where Tauri
    # alone would panic unseen.
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    out = wine(str(install_dir / "s3-access-wizard.exe"), check=False, env=env, timeout=120)
    assert out.returncode == 3, (out.returncode, out.stderr[-2000:])
    assert "needs Microsoft Edge WebView2 Runtime" in out.stderr
    assert "https://go.microsoft.com/fwlink/p/?LinkId=2124703" in out.stderr
    assert "panicked" not in out.stderr


@pytest.fixture
def open_app(tmp_path):
    """A window of the app's class, as when the app is open (tests/windows/open_window.c: Wine has no
    WebView2, so the app cannot open its own). Wine needs a display to create a window: a private Xvfb.
    Yields once the window exists; closed afterwards."""
    exe = tmp_path / "open_window.exe"
    subprocess.run(["x86_64-w64-mingw32-gcc", "-O2", "-o", str(exe), str(ROOT / "tests" / "windows" / "open_window.c")], check=True)
    # -displayfd: Xvfb picks a free display and writes its number once it accepts clients.
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", "640x480x24", "-nolisten", "tcp", "-noreset"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    proc = None
    try:
        display = ":" + xvfb.stdout.readline().strip()
        assert display != ":", "Xvfb did not start"
        # Wine's desktop belongs to its running server, started by the tests before without a display:
        # wait for that server to end, so the stand-in starts one that has the display.
        subprocess.run(["wineserver", "-w"], env={**os.environ, "WINEPREFIX": prefix()}, check=True, timeout=120)
        proc = subprocess.Popen([str(WINE), str(exe), WINDOW_CLASS], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                env={**os.environ, "DISPLAY": display})
        assert proc.stdout.readline().strip() == "open", "the stand-in window did not open"
        yield
    finally:
        if proc:
            proc.stdin.close()
            proc.wait(60)
        xvfb.terminate()
        xvfb.wait(10)


def test_with_the_app_open_install_and_uninstall_stop_before_changing_anything(installer, install_dir, open_app, tmp_path):
    # Windows cannot replace or delete a running program. A silent install stops (exit code 2) before
    # copying a file; an interactive one asks to close the app and retry.
    assert WINDOW_CLASS.encode() in (install_dir / "s3-access-wizard.exe").read_bytes(), "the app names its window's class"
    cli = install_dir / "s3aw.exe"
    cli.unlink()
    assert wine(str(installer), "/S", check=False).returncode == 2
    assert not cli.exists(), "nothing was copied"
    # So does the uninstaller. Run in place (_?=, so its exit code is its own rather than that of the copy
    # it hands over to), from a batch file: _?= takes the rest of the line, unquoted, spaces and all.
    folder = env_var("LOCALAPPDATA") + r"\Programs\S3 Access Wizard"
    bat = tmp_path / "uninstall-in-place.bat"
    bat.write_text(f'@"{folder}\\uninstall.exe" /S _?={folder}\r\n@exit /b %ERRORLEVEL%\r\n', newline="")
    out = wine("cmd", "/c", "Z:" + str(bat).replace("/", "\\"), check=False)
    assert out.returncode == 2, (out.stdout, out.stderr[-1000:])
    assert (install_dir / "s3-access-wizard.exe").exists() and registry_values() is not None, "nothing was removed"


def test_installing_again_over_an_install_keeps_one_working_install(installer, install_dir):
    # Also after the test above removed the CLI: with the app closed, the install completes again.
    assert wine(str(installer), "/S").returncode == 0
    assert (install_dir / "s3aw.exe").stat().st_size > 1_000_000
    assert registry_values()["DisplayVersion"] == VERSION


def test_the_quiet_uninstaller_removes_what_the_installer_added(install_dir):
    command = registry_values()["QuietUninstallString"]
    exe = command.rsplit(" /S", 1)[0].strip('"')
    # As Windows runs it: the uninstaller hands over to a copy of itself and returns before it is done.
    wine(exe, "/S")
    wait_until(lambda: not install_dir.exists(), f"{install_dir} to be removed")
    wait_until(lambda: registry_values() is None, "the Installed apps entry to be removed")
    assert not start_menu_entry().exists()
