; The Windows installer of S3 Access Wizard, built from Linux by `make windows` with Debian's makensis.
;
; Tauri's own NSIS bundler downloads a plugin (nsis_tauri_utils.dll) from GitHub and checks its hash, which
; cannot be done offline; this script does what its per-user installer does, with NSIS's own parts only:
; installs for the current user (no administrator rights), a Start menu entry, an entry in "Installed apps"
; with an uninstaller, and the command-line tool `s3aw.exe` beside the app.
;
; Defines given by src-tauri/windows/build-installer.sh: VERSION, SRC (folder with the .exe files and
; WebView2Loader.dll), ICON, OUTFILE, SIZE_KB, and WINDOWCLASS (the app window's class, from
; tauri.conf.json's windowClassname).

Unicode true
Target amd64-unicode
ManifestDPIAware true
RequestExecutionLevel user
SetCompressor /SOLID lzma

!define PRODUCT "S3 Access Wizard"
!define IDENT "dev.s3aw.wizard"
!define PUBLISHER "S3 Access Wizard"
!define MAINEXE "s3-access-wizard.exe"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${IDENT}"
; The WebView2 runtime's product code, where Edge's updater records the installed version ("pv").
!define WEBVIEW2 "{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"
!define WEBVIEW2_URL "https://go.microsoft.com/fwlink/p/?LinkId=2124703"

Name "${PRODUCT}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${PRODUCT}"
InstallDirRegKey HKCU "${UNINSTKEY}" "InstallLocation"
BrandingText "${PRODUCT} ${VERSION}"

VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${PRODUCT}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${PRODUCT} installer"
VIAddVersionKey "CompanyName" "${PUBLISHER}"
VIAddVersionKey "LegalCopyright" "Copyright (c) 2026 the S3 Access Wizard authors"

!include "MUI2.nsh"
!include "LogicLib.nsh"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${MAINEXE}"
!define MUI_FINISHPAGE_RUN_TEXT "Open ${PRODUCT} now"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

; Windows cannot replace or delete a program that is running. Where the app is open (a window of its class
; exists), ask to close it and try again; cancelled, or in a silent install, stop before anything changes
; (exit code 2).
!macro APP_MUST_BE_CLOSED
  ${Do}
    FindWindow $0 "${WINDOWCLASS}"
    ${If} $0 == 0
      ${Break}
    ${EndIf}
    ${IfNot} ${Cmd} `MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "${PRODUCT} is open. Close it, then choose Retry." /SD IDCANCEL IDRETRY`
      Abort "${PRODUCT} is open: close it, then run this again."
    ${EndIf}
  ${Loop}
!macroend

Section "Install"
  !insertmacro APP_MUST_BE_CLOSED
  SetOutPath "$INSTDIR"
  File "${SRC}/${MAINEXE}"
  File "${SRC}/s3aw.exe"
  ; The GNU target links WebView2's loader dynamically: it must sit beside the app.
  File "${SRC}/WebView2Loader.dll"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortCut "$SMPROGRAMS\${PRODUCT}.lnk" "$INSTDIR\${MAINEXE}"

  WriteRegStr HKCU "${UNINSTKEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTKEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayIcon" "$\"$INSTDIR\${MAINEXE}$\""
  WriteRegStr HKCU "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTKEY}" "UninstallString" "$\"$INSTDIR\uninstall.exe$\""
  WriteRegStr HKCU "${UNINSTKEY}" "QuietUninstallString" "$\"$INSTDIR\uninstall.exe$\" /S"
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoRepair" 1
  WriteRegDWORD HKCU "${UNINSTKEY}" "EstimatedSize" "${SIZE_KB}"

  ; The window is drawn by Microsoft Edge WebView2 (part of Windows 11, and of Windows 10 since 2021).
  ; Where it is missing, say so and offer Microsoft's download page; a silent install only records it.
  ReadRegStr $0 HKLM "SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\${WEBVIEW2}" "pv"
  ${If} $0 == ""
    ReadRegStr $0 HKCU "Software\Microsoft\EdgeUpdate\Clients\${WEBVIEW2}" "pv"
  ${EndIf}
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    DetailPrint "Microsoft Edge WebView2 Runtime is not installed."
    MessageBox MB_YESNO|MB_ICONEXCLAMATION "${PRODUCT} needs Microsoft Edge WebView2 Runtime, which is not on this computer.$\r$\n$\r$\nOpen Microsoft's download page now? Install the runtime from there, then open ${PRODUCT}." /SD IDNO IDNO +2
      ExecShell "open" "${WEBVIEW2_URL}"
  ${EndIf}
SectionEnd

Section "Uninstall"
  !insertmacro APP_MUST_BE_CLOSED
  ; Keys saved in Windows Credential Manager and files you exported are yours: they are left in place.
  Delete "$INSTDIR\${MAINEXE}"
  Delete "$INSTDIR\s3aw.exe"
  Delete "$INSTDIR\WebView2Loader.dll"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\${PRODUCT}.lnk"
  DeleteRegKey HKCU "${UNINSTKEY}"
SectionEnd
