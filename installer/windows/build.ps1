# Build the Windows station bundle and its installer (docs/INSTALL.md, "Windows").
#   powershell -ExecutionPolicy Bypass -File installer\windows\build.ps1
# Needs: Git, Python 3.11 x64 with `pip install .[bundle]` in .venv, Inno Setup 6 (iscc).
# NOT CHECKED on Windows: the same steps as installer/build-bundle.sh, written for
# PowerShell; see docs/INSTALL.md.
$ErrorActionPreference = "Stop"
$Root = (Resolve-Path "$PSScriptRoot\..\..").Path
$Out = "$Root\build\bundles"
$Py = "$Root\.venv\Scripts\python.exe"
$Rev = (git -C $Root rev-parse HEAD).Trim()
$Work = "$Out\work-station"
if (Test-Path $Work) { Remove-Item -Recurse -Force $Work }
New-Item -ItemType Directory -Force "$Work\src" | Out-Null
git -C $Root archive --format=zip -o "$Work\src.zip" $Rev
Expand-Archive "$Work\src.zip" "$Work\src"
$Version = (Select-String -Path "$Work\src\pyproject.toml" -Pattern '^version = "(.*)"').Matches[0].Groups[1].Value

$env:SOURCE_DATE_EPOCH = (git -C $Root log -1 --format=%ct $Rev).Trim()
$env:PYTHONHASHSEED = "0"
$env:PREP_BUNDLE = "station"
$env:PREP_SOURCE = "$Work\src"
& $Py -m PyInstaller --noconfirm --clean --log-level WARN --distpath "$Out\dist" `
  --workpath "$Work\build" "$Work\src\installer\bundle\prep.spec"
if ($LASTEXITCODE) { throw "PyInstaller failed" }

$Bundle = "$Out\dist\prep-station"
$Manifest = "$Out\prep-station-$Version.sha256"
$env:PYTHONPATH = "$Work\src"
$List = & $Py -c "from prep_cli.main import main; raise SystemExit(main())" integrity --list --bundle $Bundle
$Header = @("# bundle: prep-station $Version", "# commit: $Rev")
# LF line ends and UTF-8 without BOM, as on Linux
[IO.File]::WriteAllText($Manifest, (($Header + $List) -join "`n") + "`n")

& iscc "/DVersion=$Version" "/DBundle=$Bundle" "/DManifest=$Manifest" "$PSScriptRoot\prep-station.iss"
if ($LASTEXITCODE) { throw "Inno Setup failed" }
