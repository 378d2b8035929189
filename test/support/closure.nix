# A realistic little closure for tests: a static busybox, a few dozen
# library-like store paths whose references form a nixpkgs-shaped graph
# (many paths share a few popular ones), and an app script run by busybox.
#   nix-build test/support/closure.nix --option sandbox false
# `salt` changes one mid-level library (and so everything above it);
# `appSalt` changes the app alone. `bigApp` has a data path of `dataMiB`
# (9 MiB: a layer large enough that the Actions cache keeps its blob).
{ libs ? 30, salt ? "", appSalt ? "", dataMiB ? "9" }:
let
  mk = name: script: builtins.derivation {
    inherit name;
    system = builtins.currentSystem;
    builder = "/bin/sh";
    PATH = "/usr/bin:/bin";
    args = [ "-c" ("set -e\n" + script) ];
  };
  busybox = mk "busybox-static-1.0" ''
    mkdir -p $out/bin
    cp /bin/busybox $out/bin/busybox
    for t in sh echo cat ls; do ln -s busybox $out/bin/$t; done
  '';
  # lib i refers to lib (i-1)/2 and lib (i-1)/3: low-numbered libraries are
  # used by many others, as glibc or zlib are.
  lib = i:
    let
      deps = if i == 0 then [ ] else [ (lib ((i - 1) / 2)) (lib ((i - 1) / 3)) ];
      mid = i == 5;
    in mk "lib${toString i}-1.${toString i}" ''
      mkdir -p $out/lib $out/share/doc/lib${toString i}
      echo "library ${toString i}${if mid then salt else ""}" > $out/lib/data.txt
      printf 'docs for %s\n' lib${toString i} > $out/share/doc/lib${toString i}/README
      : > $out/share/doc/lib${toString i}/refs
      ${builtins.concatStringsSep "\n" (map (d: "echo ${d} >> $out/share/doc/lib${toString i}/refs") deps)}
    '';
  top = builtins.genList (i: lib (libs / 2 + i)) (libs - libs / 2);
  app = mk "app-1.0" ''
    mkdir -p $out/bin $out/etc
    printf '#!${busybox}/bin/sh\necho "hello from app${appSalt}"\n${busybox}/bin/cat ${lib 1}/lib/data.txt\n' > $out/bin/app
    chmod 0755 $out/bin/app
    echo "${builtins.concatStringsSep " " (map toString top)}" > $out/etc/uses
  '';
  # A second tool, used only from the image config, never from contents.
  tool = mk "tool-2.0" ''
    mkdir -p $out/bin
    printf '#!${busybox}/bin/sh\necho "tool ran"\n' > $out/bin/tool
    chmod 0755 $out/bin/tool
  '';
  # Hex text from awk's seeded generator: the same on every build, and
  # packing into about half its size, like real files.
  data = mk "data-${dataMiB}m-1.0" ''
    mkdir -p $out/share
    LC_ALL=C awk 'BEGIN { srand(1); for (i = 0; i < ${toString (131072 * builtins.fromJSON dataMiB)}; i++) printf "%08x", int(rand() * 4294967296) }' > $out/share/data.hex
  '';
  bigApp = mk "big-app-1.0" ''
    mkdir -p $out/bin
    printf '#!${busybox}/bin/sh\necho "big app${appSalt}"\n${busybox}/bin/ls ${data}/share\n' > $out/bin/app
    chmod 0755 $out/bin/app
  '';
  # A package as nixpkgs' stdenv names one (pname, version, a src with its
  # URLs) and with two outputs, for the SBOM. The src is made here: its URL
  # is only a name, never fetched.
  helloSrc = builtins.derivation {
    name = "hello-2.12.1.tar.gz";
    system = builtins.currentSystem;
    builder = "/bin/sh";
    urls = [ "https://ftp.gnu.org/gnu/hello/hello-2.12.1.tar.gz" "mirror://gnu/hello/hello-2.12.1.tar.gz" ];
    args = [ "-c" "echo source > $out" ];
  };
  # A store path that is a single file, with no version in its name.
  note = builtins.toFile "greeting.txt" "hello\n";
  hello = builtins.derivation {
    name = "hello-2.12.1";
    pname = "hello";
    version = "2.12.1";
    src = helloSrc;
    outputs = [ "out" "bin" ];
    system = builtins.currentSystem;
    builder = "/bin/sh";
    PATH = "/usr/bin:/bin";
    args = [ "-c" ''
      set -e
      mkdir -p $bin/bin $out/share
      printf '#!${busybox}/bin/sh\necho "hello, world"\n' > $bin/bin/hello
      chmod 0755 $bin/bin/hello
      echo "$bin" > $out/share/bin-path
      echo ${note} > $out/share/note-path
    '' ];
  };
in {
  inherit busybox app tool bigApp hello;
  lib1 = lib 1;
}
