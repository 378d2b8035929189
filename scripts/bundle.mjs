// Bundles the Action (dist/index.js) and the CLI (dist/cli.js) with ncc from
// the compiled ESM in lib/. ncc names every output index.js, so each entry is
// bundled into a scratch folder and moved into place.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist);
// layer-writer.js is what the other two start on their worker threads.
for (const [entry, name] of [['lib/index.js', 'index.js'], ['lib/cli.js', 'cli.js'], ['lib/layer/workers.js', 'layer-writer.js']]) {
  const scratch = mkdtempSync(path.join(root, '.ncc-'));
  try {
    // The Action bundles every dependency the CLI does, so its notices cover both.
    const license = name === 'index.js' ? ['--license', 'licenses.txt'] : [];
    // ncc keeps its cache in TMPDIR (and npx, on Node 22 and later, its
    // compile cache): here, so that it goes with scratch.
    const out = path.join(scratch, 'out');
    const tmp = path.join(scratch, 'tmp');
    mkdirSync(tmp);
    execFileSync('npx', ['ncc', 'build', entry, '-o', out, '--quiet', ...license], { cwd: root, stdio: 'inherit', env: { ...process.env, TMPDIR: tmp } });
    for (const file of readdirSync(out)) {
      const target = file === 'index.js' ? name : file;
      // Chunk files (the CLI's lazily loaded Actions cache) share one folder:
      // two bundles must never write the same name.
      if (target !== 'package.json' && existsSync(path.join(dist, target))) throw new Error(`bundling ${entry}: dist/${target} exists already`);
      renameSync(path.join(out, file), path.join(dist, target));
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
chmodSync(path.join(dist, 'cli.js'), 0o755);
// ncc writes ESM output for ESM input; say so for Node whatever the parent says.
writeFileSync(path.join(dist, 'package.json'), '{ "type": "module" }\n');
