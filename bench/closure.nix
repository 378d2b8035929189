# The benchmark's closure: real file trees from this machine (shared
# libraries, a Python installation and its packages, locales, man pages,
# docs, headers) copied into store paths whose references form a
# nixpkgs-shaped graph. bench/closure.ts writes the manifest; `salt` changes
# the one mid-level package the manifest names, or the package `salted` names
# (the root application, for an app-only change).
{ manifest, salt ? "", salted ? "" }:
let
  m = builtins.fromJSON (builtins.readFile manifest);
  target = if salted != "" then salted else m.salted;
  count = builtins.length m.packages;
  built = builtins.genList (i: mk (builtins.elemAt m.packages i)) count;
  copy = s: ''
    mkdir -p "$out/${dirOf s.to}"
    cp -R '${s.from}' "$out/${s.to}"
  '';
  mk = p: builtins.derivation {
    name = p.name;
    system = builtins.currentSystem;
    builder = "/bin/sh";
    PATH = "/usr/bin:/bin";
    args = [ "-c" (''
      set -e
      mkdir -p $out/nix-support
      : > $out/nix-support/refs
    '' + builtins.concatStringsSep "" (map copy p.sources)
       + builtins.concatStringsSep "" (map (d: "echo ${builtins.elemAt built d} >> $out/nix-support/refs\n") p.deps)
       + (if p.name == target && salt != "" then "echo '${salt}' > $out/nix-support/salt\n" else "")) ];
  };
in builtins.elemAt built (count - 1)
