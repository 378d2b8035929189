import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * Runs an image the way a container runtime would: skopeo converts the
 * docker-archive to an OCI layout, umoci unpacks it into a runtime bundle,
 * and runc runs the image's own Entrypoint/Cmd. Returns what it printed.
 */
export function runImage(tarball: string, work: string): { stdout: string; rootfs: string } {
  mkdirSync(work, { recursive: true });
  const layout = path.join(work, 'oci');
  execFileSync('skopeo', ['copy', '--quiet', `docker-archive:${tarball}`, `oci:${layout}:latest`], { stdio: 'pipe' });
  return runLayout(layout, 'latest', work);
}

/**
 * Pulls an image from a registry on loopback with skopeo, then runs it as
 * runImage does. skopeo runs without blocking this process, where a test's
 * token server may be the one to answer it.
 */
export async function pullAndRun(ref: string, work: string, authfile?: string): Promise<{ stdout: string; rootfs: string }> {
  mkdirSync(work, { recursive: true });
  const layout = path.join(work, 'pulled');
  const auth = authfile === undefined ? [] : ['--authfile', authfile];
  await promisify(execFile)('skopeo', ['copy', '--quiet', '--src-tls-verify=false', ...auth, `docker://${ref}`, `oci:${layout}:pulled`]);
  return runLayout(layout, 'pulled', work);
}

/** umoci unpacks an OCI layout's image into a runtime bundle, and runc runs its Entrypoint/Cmd. */
export function runLayout(layout: string, tag: string, work: string): { stdout: string; rootfs: string } {
  const bundle = path.join(work, `bundle-${tag}`);
  execFileSync('umoci', ['unpack', '--image', `${layout}:${tag}`, bundle], { stdio: 'pipe' });
  const configFile = path.join(bundle, 'config.json');
  const config = JSON.parse(readFileSync(configFile, 'utf8')) as { process: { terminal: boolean } };
  config.process.terminal = false;
  writeFileSync(configFile, JSON.stringify(config));
  const id = `li-test-${process.pid}-${Date.now()}`;
  const stdout = execFileSync('runc', ['run', id], { cwd: bundle, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { stdout, rootfs: path.join(bundle, 'rootfs') };
}

/** skopeo's view of a docker-archive: proves it parses and lists the layers. */
export function skopeoInspect(tarball: string): { Layers: string[]; Architecture: string; Created: string } {
  return JSON.parse(execFileSync('skopeo', ['inspect', `docker-archive:${tarball}`], { encoding: 'utf8' })) as {
    Layers: string[];
    Architecture: string;
    Created: string;
  };
}

/**
 * `podman load` then `podman run`, in a private storage root so tests leave
 * the machine's images alone. The containers.conf clears default ulimits,
 * which this sandbox refuses to set (see shared/consumers.md).
 */
export function podmanLoadAndRun(tarball: string, reference: string, work: string): string {
  mkdirSync(work, { recursive: true });
  const conf = path.join(work, 'containers.conf');
  writeFileSync(conf, '[containers]\ndefault_ulimits = []\n');
  const env = { ...process.env, CONTAINERS_CONF: conf };
  const podman = ['--root', path.join(work, 'root'), '--runroot', path.join(work, 'runroot')];
  const loaded = execFileSync('podman', [...podman, 'load', '-i', tarball], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (!loaded.includes(reference)) throw new Error(`podman load did not name ${reference}: ${loaded}`);
  return execFileSync('podman', [...podman, 'run', '--rm', '--network=none', reference], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The names of the images in podmanLoadAndRun's private storage in `work`, as `REPOSITORY:TAG`. */
export function podmanNames(work: string): string[] {
  const env = { ...process.env, CONTAINERS_CONF: path.join(work, 'containers.conf') };
  const podman = ['--root', path.join(work, 'root'), '--runroot', path.join(work, 'runroot')];
  const out = execFileSync('podman', [...podman, 'images', '--format', '{{.Repository}}:{{.Tag}}'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return out.split('\n').filter((l) => l !== '').sort();
}

/**
 * Removes `dir`, which may hold a private podman storage laid out as
 * podmanLoadAndRun lays it out (`root`, `runroot` and `containers.conf` in
 * `podmanWork`, by default `dir` itself): a container a failed run left
 * behind is removed first, so that none of its mounts is left to block the rest.
 */
export async function removePodmanWork(dir: string, podmanWork = dir): Promise<void> {
  if (existsSync(path.join(podmanWork, 'root'))) {
    const args = ['--root', path.join(podmanWork, 'root'), '--runroot', path.join(podmanWork, 'runroot'), 'rm', '--all', '--force'];
    const env = { ...process.env, CONTAINERS_CONF: path.join(podmanWork, 'containers.conf') };
    await promisify(execFile)('podman', args, { env }).catch(() => undefined);
  }
  await rm(dir, { recursive: true, force: true });
}
