; Inno Setup 6 script of the capture station for Windows (docs/INSTALL.md, "Windows").
; Built by installer/windows/build.ps1 after the bundle:
;   iscc /DVersion=0.1.0 /DBundle=..\..\build\bundles\dist\prep-station
;        /DManifest=..\..\build\bundles\prep-station-0.1.0.sha256 prep-station.iss
; NOT CHECKED on Windows: written from Inno Setup's documentation; see docs/INSTALL.md.

#ifndef Version
  #define Version "0.1.0"
#endif
#ifndef Bundle
  #define Bundle "..\..\build\bundles\dist\prep-station"
#endif
#ifndef Manifest
  #define Manifest "..\..\build\bundles\prep-station-" + Version + ".sha256"
#endif

[Setup]
AppId={{6E0C2B9E-5F4A-4C52-9B7E-0D5A2F3C7A11}
AppName=PREP Abierto — estación de captura
AppVersion={#Version}
AppPublisher=PREP Abierto
DefaultDirName={autopf}\PREP Abierto\prep-station
DefaultGroupName=PREP Abierto
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequired=admin
OutputBaseFilename=prep-station-{#Version}-setup
Compression=lzma2/max
SolidCompression=yes
; the files as built: the release manifest names every one of them
WizardStyle=modern

[Languages]
Name: "es"; MessagesFile: "compiler:Languages\Spanish.isl"
Name: "en"; MessagesFile: "compiler:Default.isl"

[Dirs]
; the station's data (keys, database, images) and the watched folder the scanner's own
; software saves into; both writable by the operators' (non-administrator) accounts
Name: "C:\PREP\estacion"; Permissions: users-modify
Name: "C:\PREP\escaneos"; Permissions: users-modify

[Files]
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
; the release manifest, beside the program folder (not inside it: it is not one of its files)
Source: "{#Manifest}"; DestDir: "{autopf}\PREP Abierto"; Flags: ignoreversion

[Icons]
Name: "{group}\Estación de captura PREP"; Filename: "{app}\prep-station.exe"; \
  Parameters: "--data C:\PREP\estacion --folder C:\PREP\escaneos"; WorkingDir: "C:\PREP"
Name: "{autodesktop}\Estación de captura PREP"; Filename: "{app}\prep-station.exe"; \
  Parameters: "--data C:\PREP\estacion --folder C:\PREP\escaneos"; WorkingDir: "C:\PREP"

; no [UninstallDelete]: uninstalling never deletes C:\PREP (the station's data and scans)
