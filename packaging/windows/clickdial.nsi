; Clickdial's Windows installer: per user (no administrator rights), built with makensis 3
; (Debian's `nsis`) by scripts/build-windows.sh --installer. Silent with /S; its uninstaller
; too. Installs the two programs and WebView2Loader.dll into %LOCALAPPDATA%\Programs\Clickdial,
; a Start menu entry for clickdial-window.exe (the GUI program: no console window), and the
; tel:/callto: capabilities of hooks.nsh; the uninstaller removes all of it, and the start at
; login value if the user turned that on. The user's settings, call history (%APPDATA%\
; in.clickdial.desktop) and saved sign-in (Credential Manager) are kept, as for an update.
;
;   makensis -DVERSION=0.1.0 -DSOURCE=<folder with the programs> -DOUTFILE=<setup.exe> clickdial.nsi
;
; Checked under wine, its registry effects read with `reg query`, by scripts/wine/check-installer.sh.

!ifndef VERSION
  !error "define VERSION, SOURCE and OUTFILE (see scripts/build-windows.sh)"
!endif
!ifndef SOURCE
  !error "define SOURCE, the folder with the programs"
!endif
!ifndef OUTFILE
  !error "define OUTFILE, the installer to write"
!endif

Unicode true
Target amd64-unicode
RequestExecutionLevel user
; -DCOMPRESSOR=off: stored, not compressed (the tests' installer of the debug programs,
; built in a second instead of a minute).
!ifndef COMPRESSOR
  !define COMPRESSOR "/SOLID lzma"
!endif
!if "${COMPRESSOR}" == "off"
  SetCompress off
!else
  SetCompressor ${COMPRESSOR}
!endif

!define PRODUCT "Clickdial"
!define APP "clickdial-window.exe"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Clickdial"
!define RUN_KEY "Software\Microsoft\Windows\CurrentVersion\Run"

Name "${PRODUCT}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\Clickdial"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
ShowInstDetails hide
ShowUninstDetails hide

!include "LogicLib.nsh"
!include "MUI2.nsh"

; hooks.nsh keeps the registrations when an update uninstalls first ($UpdateMode 1); this
; installer has no update mode of its own, so an uninstall always removes them.
Var UpdateMode

; The link registrations (RegisteredApplications, Capabilities, URLAssociations, the ProgId),
; shared with the Tauri bundler's installer.
!include "hooks.nsh"

; Paths on the build machine are relative to this file (makensis works from its folder).
!define MUI_ICON "../../icons/icon.ico"
!define MUI_UNICON "../../icons/icon.ico"
!define MUI_FINISHPAGE_RUN "$INSTDIR\${APP}"
!define MUI_FINISHPAGE_RUN_TEXT "Start Clickdial"
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${PRODUCT}"
VIAddVersionKey "FileDescription" "${PRODUCT} installer"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "LegalCopyright" "MIT"

Section "Clickdial"
  StrCpy $UpdateMode 0
  SetOutPath "$INSTDIR"
  File "${SOURCE}/clickdial.exe"
  File "${SOURCE}/clickdial-window.exe"
  ; The mingw build loads the WebView2 loader from beside the app.
  File "${SOURCE}/WebView2Loader.dll"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortcut "$SMPROGRAMS\${PRODUCT}.lnk" "$INSTDIR\${APP}" "" "$INSTDIR\${APP}" 0

  !insertmacro NSIS_HOOK_POSTINSTALL

  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${PRODUCT}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$\"$INSTDIR\${APP}$\",0"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" "$\"$INSTDIR\uninstall.exe$\""
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" "$\"$INSTDIR\uninstall.exe$\" /S"
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  StrCpy $UpdateMode 0
  !insertmacro NSIS_HOOK_POSTUNINSTALL
  ; Start at login, if it was turned on, names a program that is going away.
  DeleteRegValue HKCU "${RUN_KEY}" "${PRODUCT}"
  DeleteRegValue HKCU "Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run" "${PRODUCT}"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  Delete "$SMPROGRAMS\${PRODUCT}.lnk"
  Delete "$INSTDIR\clickdial.exe"
  Delete "$INSTDIR\clickdial-window.exe"
  Delete "$INSTDIR\WebView2Loader.dll"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
SectionEnd
