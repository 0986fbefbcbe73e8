; NSIS installer hooks (bundle.windows.nsis.installerHooks in tauri.conf.json), included by
; tauri-bundler 2's installer.nsi, which inserts each macro below when it is defined, and by
; Clickdial's own installer, clickdial.nsi (scripts/build-windows.sh), the one built and checked
; here: one place for the link registrations.
;
; Registers Clickdial as a *candidate* handler for tel: and callto: links ("Default apps" in
; Windows Settings lists it). Windows 10/11 never let an installer make itself the default;
; the user picks Clickdial there (Clickdial's doctor opens ms-settings:defaultapps for that).
; The install is per-user (installMode "currentUser"), so everything goes under HKCU and no
; administrator rights are needed. Links open clickdial-window.exe, the GUI program: the
; console program clickdial.exe (${MAINBINARYNAME}) would flash a console window up each time.

!define CLICKDIAL_CAPS "Software\Clickdial\Capabilities"
!define CLICKDIAL_PROGID "Clickdial.Link"
!define CLICKDIAL_APP "clickdial-window.exe"

!macro NSIS_HOOK_POSTINSTALL
  ; The ProgId the associations point to: how to open a link. (No "URL Protocol" value: that
  ; belongs on a scheme's own key, and would make "Clickdial.Link:" a link scheme.)
  WriteRegStr HKCU "Software\Classes\${CLICKDIAL_PROGID}" "" "Clickdial call link"
  WriteRegStr HKCU "Software\Classes\${CLICKDIAL_PROGID}\DefaultIcon" "" "$\"$INSTDIR\${CLICKDIAL_APP}$\",0"
  WriteRegStr HKCU "Software\Classes\${CLICKDIAL_PROGID}\shell\open\command" "" "$\"$INSTDIR\${CLICKDIAL_APP}$\" $\"%1$\""

  ; The capabilities Windows shows in Default apps.
  WriteRegStr HKCU "${CLICKDIAL_CAPS}" "ApplicationName" "Clickdial"
  WriteRegStr HKCU "${CLICKDIAL_CAPS}" "ApplicationDescription" "Click-to-call: dials tel: and callto: links through your Servetel / Tata Smartflo account."
  WriteRegStr HKCU "${CLICKDIAL_CAPS}\URLAssociations" "tel" "${CLICKDIAL_PROGID}"
  WriteRegStr HKCU "${CLICKDIAL_CAPS}\URLAssociations" "callto" "${CLICKDIAL_PROGID}"
  WriteRegStr HKCU "Software\RegisteredApplications" "Clickdial" "${CLICKDIAL_CAPS}"
!macroend

!macro NSIS_HOOK_POSTUNINSTALL
  ; An update runs the old uninstaller with /UPDATE before installing again: keep the keys then,
  ; so a user's choice of Clickdial as the default survives updates.
  ${If} $UpdateMode <> 1
    DeleteRegValue HKCU "Software\RegisteredApplications" "Clickdial"
    DeleteRegKey HKCU "Software\Clickdial\Capabilities"
    DeleteRegKey /ifempty HKCU "Software\Clickdial"
    DeleteRegKey HKCU "Software\Classes\${CLICKDIAL_PROGID}"
  ${EndIf}
!macroend
