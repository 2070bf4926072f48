; Inno Setup 6 script: a per-user installer for alstudio's one-folder bundle (no admin rights).
;
; Build (on Windows, after scripts\package.sh's PyInstaller step made dist\alstudio):
;   iscc /DAppVersion=0.1.0 /DVariant=cpu packaging\windows\alstudio.iss
;   -> dist\alstudio-0.1.0-windows-x64-cpu-setup.exe
;
; Installs to %LOCALAPPDATA%\Programs\alstudio, adds a Start-menu entry (and, if chosen, a
; desktop icon), opens .alstudio project files with the app, and registers an uninstaller.
; The uninstaller removes only what setup installed: projects (wherever they were saved),
; settings, logs and the demo project in %LOCALAPPDATA%\alstudio are kept.
;
; Silent installation for IT (software distribution, login scripts):
;   alstudio-0.1.0-windows-x64-cpu-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART
;       /CURRENTUSER /TASKS="association" /LOG="%TEMP%\alstudio-setup.log"
;   optional: /DIR="D:\Apps\alstudio"   another folder; /TASKS="association,desktopicon"
;             /NOICONS                   no Start-menu entry
; Silent removal:
;   "%LOCALAPPDATA%\Programs\alstudio\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART
;
; Code signing (the organisation's own certificate; nothing here is a real identity):
;   1. sign the programs inside the bundle before compiling:
;        signtool sign /fd SHA256 /td SHA256 /tr <your timestamp URL> /f <your.pfx> /p <password>
;          dist\alstudio\alstudio.exe dist\alstudio\alstudio-cli.exe
;   2. compile with a sign tool named "orgsign" so setup.exe and the uninstaller are signed:
;        iscc /DSign "/Sorgsign=signtool sign /fd SHA256 /td SHA256 /tr <URL> /f <pfx> /p <pw> $f"
;          packaging\windows\alstudio.iss

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef Variant
  #define Variant "cpu"
#endif
#define BundleDir "..\..\dist\alstudio"

[Setup]
AppId={{4E3A7C2B-9F1D-4B8E-A6C5-2D7F0B1E9A34}
AppName=alstudio
AppVersion={#AppVersion}
AppVerName=alstudio {#AppVersion} ({#Variant})
AppPublisher=alstudio contributors
DefaultDirName={localappdata}\Programs\alstudio
DefaultGroupName=alstudio
DisableProgramGroupPage=yes
DisableDirPage=auto
PrivilegesRequired=lowest
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
ChangesAssociations=yes
OutputDir=..\..\dist
OutputBaseFilename=alstudio-{#AppVersion}-windows-x64-{#Variant}-setup
SetupIconFile=..\..\resources\icons\alstudio.ico
UninstallDisplayIcon={app}\alstudio.exe
UninstallDisplayName=alstudio {#AppVersion}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
#ifdef Sign
SignTool=orgsign
SignedUninstaller=yes
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "association"; Description: "Open .alstudio project files with alstudio"
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\alstudio"; Filename: "{app}\alstudio.exe"; Comment: "Active-learning annotation studio"
Name: "{autodesktop}\alstudio"; Filename: "{app}\alstudio.exe"; Tasks: desktopicon

[Registry]
; HKA is HKEY_CURRENT_USER for this per-user install: no admin rights, nothing machine-wide.
Root: HKA; Subkey: "Software\Classes\.alstudio"; ValueType: string; ValueName: ""; ValueData: "alstudio.project"; Flags: uninsdeletevalue; Tasks: association
Root: HKA; Subkey: "Software\Classes\.alstudio\OpenWithProgids"; ValueType: string; ValueName: "alstudio.project"; ValueData: ""; Flags: uninsdeletevalue; Tasks: association
Root: HKA; Subkey: "Software\Classes\alstudio.project"; ValueType: string; ValueName: ""; ValueData: "alstudio project"; Flags: uninsdeletekey; Tasks: association
Root: HKA; Subkey: "Software\Classes\alstudio.project\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\alstudio.exe,0"; Tasks: association
Root: HKA; Subkey: "Software\Classes\alstudio.project\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\alstudio.exe"" ""%1"""; Tasks: association
Root: HKA; Subkey: "Software\Classes\Applications\alstudio.exe\SupportedTypes"; ValueType: string; ValueName: ".alstudio"; ValueData: ""; Flags: uninsdeletekey

[Run]
Filename: "{app}\alstudio.exe"; Description: "{cm:LaunchProgram,alstudio}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Setup's own files are removed anyway; nothing else is listed on purpose, so the user's
; projects, settings, logs and demo project (in %LOCALAPPDATA%\alstudio) survive.
Type: dirifempty; Name: "{app}"
