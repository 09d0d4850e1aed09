#!/usr/bin/env bash
# A package consumer's first build: packs ModelActors' packages into a temporary local feed, checks each carries its
# licence, readme, XML docs and symbols, builds the README's
# quickstart (C# models only, build/consumer/) as a console app from them, runs it, and checks the size of its build
# output (issue 24's goal: under 15 MB, so the core must not carry ONNX Runtime's natives). A broken package, a missing
# dependency or a bloated core fails here, not at a user's. Usage: build/consumer-check.sh [work-dir]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$(mktemp -d)}"
limit_kb=$((15 * 1024))
# A version of its own per run, so the NuGet cache can never hand back an earlier pack.
version="0.0.0-consumer.$(date +%s%N)"
feed="$work/feed"
app="$work/app"
mkdir -p "$feed" "$app"
trap 'rm -rf "$HOME"/.nuget/packages/modelactors*/"$version"' EXIT

for project in Contracts Actors Onnx Cluster TestKit Pretrained Templates; do
  dotnet pack "$root/src/$project" -c Release -o "$feed" -p:Version="$version" --nologo -v q
done

# Every package carries its licence expression, its readme and its XML docs, with a symbol package beside it.
python3 - "$feed" "$version" <<'CHECK'
import glob, re, sys, zipfile
feed, version = sys.argv[1], sys.argv[2]
packages = sorted(p for p in glob.glob(f"{feed}/*.{version}.nupkg") if "/ModelActors.Templates." not in p)
problems = [] if len(packages) == 6 else [f"expected 6 library packages, found {len(packages)}"]
for path in packages:
    name = path.split("/")[-1][: -len(f".{version}.nupkg")]
    files = zipfile.ZipFile(path).namelist()
    spec = zipfile.ZipFile(path).read(f"{name}.nuspec").decode()
    if '<license type="expression">Apache-2.0</license>' not in spec:
        problems.append(f"{name}: no Apache-2.0 licence expression")
    if "README.md" not in files or "<readme>README.md</readme>" not in spec:
        problems.append(f"{name}: no readme")
    if f"lib/net10.0/{name}.xml" not in files:
        problems.append(f"{name}: no XML docs")
    if not re.search(r"<description>.{20,}</description>", spec, re.S):
        problems.append(f"{name}: no description")
    if not glob.glob(f"{feed}/{name}.{version}.snupkg"):
        problems.append(f"{name}: no symbol package")
    if name == "ModelActors.Pretrained":
        models = ["silero_vad_v5.onnx", "ch_PP-OCRv4_det_infer.onnx", "ch_PP-OCRv4_rec_infer.onnx", "ppocr_keys_v1.txt"]
        for model in models:
            if f"contentFiles/any/any/models/{model}" not in files or f'include="any/any/models/{model}" buildAction="None" copyToOutput="true"' not in spec:
                problems.append(f"{name}: does not carry models/{model} to its consumers' output")
    print(f"{name}: {len(files)} files, licence, readme, docs, symbols checked")
if problems:
    sys.exit("error: " + "; ".join(problems))
CHECK

cp "$root/build/consumer/Program.cs" "$app/"
sed "s/@VERSION@/$version/" "$root/build/consumer/consumer.csproj.template" > "$app/consumer.csproj"
cat > "$app/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
CONFIG
# Outside the repository's Directory.Build.props and central package versions, as a user's project is.
printf '<Project />\n' > "$work/Directory.Build.props"
printf '<Project />\n' > "$work/Directory.Packages.props"

dotnet build "$app/consumer.csproj" -c Release -o "$app/out" --nologo -v q
output=$(dotnet "$app/out/consumer.dll")
echo "$output"
[ "$output" = "word-count: 4" ] || { echo "error: the quickstart printed '$output', not 'word-count: 4'" >&2; exit 1; }

size_kb=$(du -sk "$app/out" | cut -f1)
echo "build output: $((size_kb / 1024)) MB ($size_kb KB; limit $((limit_kb / 1024)) MB)"
[ "$size_kb" -lt "$limit_kb" ] || { echo "error: a C#-only app on ModelActors builds to $size_kb KB, over $limit_kb KB" >&2; exit 1; }

# A consumer of the pretrained models gets their files beside its app (models/, where ModelActors.Pretrained looks).
pretrained="$work/pretrained"
mkdir -p "$pretrained"
cp "$app/nuget.config" "$pretrained/"
sed "s/@VERSION@/$version/; s/Include=\"ModelActors\"/Include=\"ModelActors.Pretrained\"/" "$root/build/consumer/consumer.csproj.template" > "$pretrained/pretrained.csproj"
printf 'Console.WriteLine(typeof(ModelActors.Pretrained.Vad.SpeechSegmenter).Name);\n' > "$pretrained/Program.cs"
dotnet build "$pretrained/pretrained.csproj" -c Release -o "$pretrained/out" --nologo -v q > "$work/pretrained.log" 2>&1 \
  || { cat "$work/pretrained.log" >&2; exit 1; }
for model in silero_vad_v5.onnx ch_PP-OCRv4_det_infer.onnx ch_PP-OCRv4_rec_infer.onnx ppocr_keys_v1.txt; do
  [ -s "$pretrained/out/models/$model" ] || { echo "error: an app on ModelActors.Pretrained has no models/$model" >&2; exit 1; }
done
echo "pretrained: models/ arrives with the package"

# The template, as a new user starts: a service and its tests from `dotnet new` (in a template hive of this run's own),
# a second model added with the model template, built and tested against the packages of the feed.
hive="$work/hive"
service="$work/service"
template_default=$(sed -n 's/.*"defaultValue": "\(.*\)".*/\1/p' "$root/src/Templates/content/modelactors-service/.template.config/template.json")
prefix=$(sed -n 's#.*<VersionPrefix>\(.*\)</VersionPrefix>.*#\1#p' "$root/Directory.Build.props")
[ "$template_default" = "$prefix" ] || { echo "error: the service template references ModelActors $template_default, the packages are $prefix" >&2; exit 1; }
dotnet new install "$feed/ModelActors.Templates.$version.nupkg" --debug:custom-hive "$hive" > "$work/template.log"
dotnet new modelactors-service -n Demo -o "$service" --ModelActorsVersion "$version" --debug:custom-hive "$hive" >> "$work/template.log"
(cd "$service" && dotnet new modelactors-model -n Shout --service Demo --debug:custom-hive "$hive" >> "$work/template.log")
cp "$app/nuget.config" "$service/"
cp "$work/Directory.Build.props" "$work/Directory.Packages.props" "$service/"
dotnet test "$service/Demo.Tests/Demo.Tests.csproj" --nologo -v q 2>&1 | tee "$work/template-test.log" | tail -3
grep -q "Passed!  - Failed:     0, Passed:     7" "$work/template-test.log" || { echo "error: the template's tests did not all pass (7 expected)" >&2; exit 1; }
echo "template: modelactors-service and modelactors-model built and their 7 tests passed"
