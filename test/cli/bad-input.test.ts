import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { nixBuild } from '../support/nix.js';
import { CLOSURE_NIX, GOLDEN } from '../support/paths.js';

const PRECIOUS = 'an earlier image that a failed build must leave alone\n';

describe('bad input: one line naming the value, non-zero exit, nothing written', () => {
  let dir: string;
  let app: string;
  let golden: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'bad-'));
    app = nixBuild(CLOSURE_NIX, 'app');
    golden = nixBuild(path.join(GOLDEN, 'fixture.nix'), 'app');
    await symlink('loop-b', path.join(dir, 'loop-a'));
    await symlink('loop-a', path.join(dir, 'loop-b'));
    await mkdir(path.join(dir, 'a-directory'));
    execFileSync('mkfifo', [path.join(dir, 'a-fifo')]);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const cases: { what: string; args: () => string[]; says: RegExp; output?: boolean; whole?: boolean }[] = [
    { what: 'no name', args: () => ['--contents', app], says: /^layered-image: --name is required, unless every --tag is a full reference \(NAME:TAG\)$/ },
    { what: 'bad name', args: () => ['--name', 'no spaces!', '--contents', app], says: /name "no spaces!"/ },
    { what: 'name with a bad separator', args: () => ['--name', 'a//b', '--contents', app], says: /"a\/\/b"/ },
    { what: 'bad tag', args: () => ['--name', 'x', '--tag=-v1', '--contents', app], says: /--tag "-v1"/ },
    { what: 'missing contents', args: () => ['--name', 'x', '--contents', '/nonexistent/result'], says: /\/nonexistent\/result does not exist/ },
    { what: 'contents outside the store', args: () => ['--name', 'x', '--contents', dir], says: /not in the Nix store/ },
    { what: 'the store itself', args: () => ['--name', 'x', '--contents', '/nix/store'], says: /\/nix\/store is the Nix store itself/ },
    { what: 'inside a store path', args: () => ['--name', 'x', '--contents', `${app}/bin`], says: /inside store path/ },
    { what: 'invalid store path', args: () => ['--name', 'x', '--contents', '/nix/store/not-a-store-path'], says: /not-a-store-path/ },
    { what: 'symlink loop', args: () => ['--name', 'x', '--contents', path.join(dir, 'loop-a')], says: /loop-a: too many levels of symbolic links/ },
    { what: 'colliding contents', args: () => ['--name', 'x', '--contents', app, '--contents', golden], says: /collide at \/bin\/app/ },
    { what: 'config not JSON', args: () => ['--name', 'x', '--contents', app, '--config', '{Cmd:'], says: /config is not valid JSON/ },
    { what: 'config not an object', args: () => ['--name', 'x', '--contents', app, '--config', '["a"]'], says: /config must be a JSON object, got a list/ },
    { what: 'Cmd not a list', args: () => ['--name', 'x', '--contents', app, '--config', '{"Cmd":"/bin/app"}'], says: /^layered-image: --config: Cmd must be a list of strings, got "\/bin\/app"/ },
    { what: 'Env entry without =', args: () => ['--name', 'x', '--contents', app, '--config', '{"Env":["PATH"]}'], says: /^layered-image: --config: Env must be a list of "NAME=value"/ },
    { what: 'misspelt field', args: () => ['--name', 'x', '--contents', app, '--config', '{"cmd":["x"]}'], says: /unknown field "cmd"/ },
    { what: 'ExposedPorts wrong', args: () => ['--name', 'x', '--contents', app, '--config', '{"ExposedPorts":{"http":{}}}'], says: /^layered-image: --config: ExposedPorts keys must be ports/ },
    { what: 'config file missing', args: () => ['--name', 'x', '--contents', app, '--config', '@/nonexistent.json'], says: /config file \/nonexistent\.json cannot be read/ },
    {
      what: 'config names a path not in the store',
      args: () => ['--name', 'x', '--contents', app, '--config', '{"Cmd":["/nix/store/00000000000000000000000000000000-gone/bin/x"]}'],
      says: /00000000000000000000000000000000-gone, which is not in the Nix store/,
    },
    { what: 'a substituter that is not a URL', args: () => ['--name', 'x', '--contents', app, '--substituter', 'cache.example'], says: /^layered-image: --substituter "cache\.example" is not an http, https or file URL of a binary cache$/ },
    { what: 'a trusted key that is not NAME:KEY', args: () => ['--name', 'x', '--contents', app, '--trusted-public-key', 'cache-1:short'], says: /^layered-image: --trusted-public-key "cache-1:short" is not NAME:KEY with a base64 ed25519 public key$/ },
    { what: 'maxLayers 1', args: () => ['--name', 'x', '--contents', app, '--max-layers', '1'], says: /--max-layers "1"/ },
    { what: 'maxLayers not a number', args: () => ['--name', 'x', '--contents', app, '--max-layers', 'many'], says: /--max-layers "many"/ },
    { what: 'maxLayers fractional', args: () => ['--name', 'x', '--contents', app, '--max-layers', '2.5'], says: /--max-layers "2.5"/ },
    { what: 'maxLayers too large', args: () => ['--name', 'x', '--contents', app, '--max-layers', '126'], says: /--max-layers "126" must be a whole number from 2 to 125/ },
    { what: 'created not a time', args: () => ['--name', 'x', '--contents', app, '--created', 'yesterday'], says: /created "yesterday"/ },
    { what: 'created without a zone', args: () => ['--name', 'x', '--contents', app, '--created', '2024-01-01T00:00:00'], says: /created "2024-01-01T00:00:00"/ },
    { what: 'unknown architecture', args: () => ['--name', 'x', '--contents', app, '--architecture', 'sparc'], says: /architecture "sparc"/ },
    { what: 'platform not os/arch', args: () => ['--name', 'x', '--contents', app, '--platform', 'arm64'], says: /^layered-image: --platform "arm64" is not os\/arch or os\/arch\/variant \(such as linux\/arm64, linux\/arm\/v7\)$/ },
    { what: 'platform of another os', args: () => ['--name', 'x', '--contents', app, '--platform', 'windows/amd64'], says: /^layered-image: --platform "windows\/amd64": the os must be linux, not "windows"$/ },
    { what: 'platform of an unknown architecture', args: () => ['--name', 'x', '--contents', app, '--platform', 'linux/sparc'], says: /^layered-image: --platform "linux\/sparc": architecture "sparc" is not one of / },
    { what: 'platform with a variant its architecture lacks', args: () => ['--name', 'x', '--contents', app, '--platform', 'linux/arm64/v7'], says: /^layered-image: --platform "linux\/arm64\/v7": arm64 has the variants v8, not "v7"$/ },
    { what: 'platform and architecture disagreeing', args: () => ['--name', 'x', '--contents', app, '--platform', 'linux/arm64', '--architecture', 'amd64'], says: /^layered-image: --platform "linux\/arm64" and --architecture "amd64" disagree; give one of them$/ },
    { what: 'unknown flag', args: () => ['--name', 'x', '--contents', app, '--max-layer', '3'], says: /--max-layer/ },
    { what: 'unknown command', args: () => [], says: /^layered-image: unknown command "bulid"; did you mean build\? \(layered-image --help lists them\)$/ },
    // A newcomer's first slips: each answered with the flag meant.
    { what: 'a misspelt flag', args: () => ['--name', 'x', '--contnets', app], says: /^layered-image: unknown flag --contnets; did you mean --contents\? \(layered-image build --help lists every flag\)$/ },
    { what: "an Action input's spelling", args: () => ['--name', 'x', '--contents', app, '--maxLayers', '5'], says: /^layered-image: unknown flag --maxLayers; did you mean --max-layers\?/ },
    { what: 'a password as a flag', args: () => ['--name', 'x', '--contents', app, '--password', 'hunter2'], says: /^layered-image: unknown flag --password; did you mean --password-stdin\?/ },
    { what: 'one dash for two', args: () => ['--name', 'x', '-contents', app], says: /^layered-image: unknown flag -contents; did you mean --contents\?/ },
    { what: 'a flag like no other', args: () => ['--name', 'x', '--contents', app, '--frobnicate'], says: /^layered-image: unknown flag --frobnicate \(layered-image build --help lists every flag\)$/ },
    { what: 'a value forgotten before a slip', args: () => ['--name', 'x', '--tag', '--contnets', app], says: /^layered-image: unknown flag --contnets; did you mean --contents\?/ },
    { what: 'a value forgotten', args: () => ['--name', 'x', '--contents', app, '--tag'], says: /^layered-image: --tag needs a value$/, output: true },
    { what: 'a value given to a switch', args: () => ['--name', 'x', '--contents', app, '--explain=yes'], says: /^layered-image: --explain takes no value: give it alone to turn it on$/ },
    { what: '-o with its value attached is no unknown flag', args: () => ['-o./elsewhere.tar', '--name', 'x', '--contnets', app], says: /^layered-image: unknown flag --contnets;/ },
    { what: 'flags before the command', args: () => ['--name', 'x', '--contents', app], says: /^layered-image: a command comes first: layered-image build --name … \(layered-image --help lists them\)$/, whole: true },
    { what: 'a flag after --', args: () => ['--name', 'x', '--contents', app, '--', '--contnets'], says: /^layered-image: unexpected argument "--contnets"$/ },
    { what: 'a tag in --name', args: () => ['--name', 'host:5000/team/app:v1', '--contents', app], says: /^layered-image: --name "host:5000\/team\/app:v1" includes a tag; give --name host:5000\/team\/app and --tag v1$/ },
    { what: 'a digest in --name', args: () => ['--name', `team/app@sha256:${'a'.repeat(64)}`, '--contents', app], says: /^layered-image: --name "team\/app@sha256:a{64}" includes a digest; give the name alone: --name team\/app$/ },
    { what: 'flags named as flags', args: () => ['--name', 'x', '--contents', app, '--output-format', 'tar'], says: /^layered-image: --output-format "tar" must be one of docker-archive, oci$/ },
    { what: 'cache-dir with no-cache', args: () => ['--name', 'x', '--contents', app, '--cache-dir', dir, '--no-cache'], says: /--cache-dir and --no-cache/ },
    { what: 'output in a missing directory', args: () => ['--name', 'x', '--contents', app, '--output', '/nonexistent/dir/img.tar'], says: /output \/nonexistent\/dir\/img\.tar cannot be written/, output: true },
    { what: 'output is a directory', args: () => ['--name', 'x', '--contents', app, '--output', path.join(dir, 'a-directory')], says: /a-directory is a directory/, output: true },
    { what: 'output is a FIFO', args: () => ['--name', 'x', '--contents', app, '--output', path.join(dir, 'a-fifo')], says: /a-fifo exists and is not a regular file/, output: true },
    { what: 'output with a trailing slash', args: () => ['--name', 'x', '--contents', app, '--output', path.join(dir, 'new-dir/')], says: /new-dir\/ names a directory/, output: true },
    { what: 'config key from Object.prototype', args: () => ['--name', 'x', '--contents', app, '--config', '{"__proto__":{}}'], says: /unknown field "__proto__"/ },
    { what: 'config key toString', args: () => ['--name', 'x', '--contents', app, '--config', '{"toString":1}'], says: /unknown field "toString"/ },
    { what: 'StopTimeout beyond int64', args: () => ['--name', 'x', '--contents', app, '--config', '{"StopTimeout":1e300}'], says: /^layered-image: --config: StopTimeout must be a whole number, got 1e\+300/ },
    { what: 'created on a day that does not exist', args: () => ['--name', 'x', '--contents', app, '--created', '2024-02-30T00:00:00Z'], says: /created "2024-02-30T00:00:00Z"/ },
    { what: 'negative maxLayers after the flag', args: () => ['--name', 'x', '--contents', app, '--max-layers', '-1'], says: /--max-layers "-1"/ },
    { what: 'an empty tag', args: () => ['--name', 'x', '--contents', app, '--tag', ''], says: /--tag needs a value/ },
    { what: 'contents with a newline', args: () => ['--name', 'x', '--contents', '/tmp/x\nevil'], says: /contents "\/tmp\/x\\nevil" does not exist/ },
    { what: 'unknown layering', args: () => ['--name', 'x', '--contents', app, '--layering', 'random'], says: /layering "random" must be one of popularity, size/ },
    { what: 'groupPopular not a number', args: () => ['--name', 'x', '--contents', app, '--group-popular', 'ten'], says: /--group-popular "ten"/ },
    { what: 'a hint without a kind', args: () => ['--name', 'x', '--contents', app, '--hint', 'glibc*'], says: /hint "glibc\*" must be deeper:PATTERN or top:PATTERN/ },
    { what: 'uid negative', args: () => ['--name', 'x', '--contents', app, '--uid', '-1'], says: /uid "-1" must be a whole number from 0 to 4294967295/ },
    { what: 'gid too large', args: () => ['--name', 'x', '--contents', app, '--gid', '4294967296'], says: /gid "4294967296"/ },
    { what: 'uname with a newline', args: () => ['--name', 'x', '--contents', app, '--uname', 'a\nb'], says: /uname "a\\nb" must be up to 255 characters with no control characters/ },
    { what: 'mtime now', args: () => ['--name', 'x', '--contents', app, '--mtime', 'now'], says: /mtime "now" .*defeating the cache/ },
    { what: 'mtime not a time', args: () => ['--name', 'x', '--contents', app, '--mtime', 'yesterday'], says: /mtime "yesterday" must be whole seconds since 1970 or an RFC 3339 time/ },
    { what: 'fromImage missing', args: () => ['--name', 'x', '--contents', app, '--from-image', '/nonexistent/base.tar'], says: /--from-image \/nonexistent\/base\.tar cannot be read: ENOENT/ },
    { what: 'fromImage a directory', args: () => ['--name', 'x', '--contents', app, '--from-image', dir], says: /--from-image .* is not a file/ },
  ];

  for (const c of cases) {
    it(c.what, async () => {
      const work = await mkdtemp(path.join(dir, 'case-'));
      const out = path.join(work, 'image.tar');
      await writeFile(out, PRECIOUS);
      const command = c.what === 'unknown command' ? ['bulid', '--name', 'x'] : c.whole ? c.args() : ['build', ...c.args()];
      const args = c.output ? command : [...command, '--output', out];
      const r = runCli(args);
      assert.notEqual(r.status, 0);
      assert.equal(r.stdout, '');
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
      assert.match(lines[0] ?? '', /^layered-image: /);
      assert.match(lines[0] ?? '', c.says);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      assert.equal(await readFile(out, 'utf8'), PRECIOUS);
      assert.deepEqual(await readdir(work), ['image.tar']);
      assert.ok((await lstat(path.join(dir, 'a-fifo'))).isFIFO());
      assert.deepEqual((await readdir(dir)).filter((f) => f.startsWith('.')), []);
    });
  }
});
