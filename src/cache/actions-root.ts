/**
 * @actions/cache puts the paths it is given into each entry's version, and
 * stores files relative to GITHUB_WORKSPACE. An absolute path under
 * RUNNER_TEMP would make entries of GitHub-hosted runners, container jobs
 * (`/__w/_temp`) and self-hosted runners three different entries; a path
 * relative to the workspace would put our files in the user's checkout.
 * So its calls get a relative path, the same string on every runner, and
 * run with the working directory and GITHUB_WORKSPACE both at our own
 * folder, for as long as any call is in flight. Everything else in a build
 * uses absolute paths, resolved before the first cache call.
 */
let inFlight = 0;
let saved: { cwd: string; workspace: string | undefined } | undefined;

/**
 * The working directory and environment as they are outside cache calls:
 * for child processes (extraCommands, nix-store), which may start while a
 * background save is in flight.
 */
export function outsideCacheRoot(): { cwd: string; env: NodeJS.ProcessEnv } {
  if (saved === undefined) return { cwd: process.cwd(), env: process.env };
  const env = { ...process.env };
  if (saved.workspace === undefined) delete env['GITHUB_WORKSPACE'];
  else env['GITHUB_WORKSPACE'] = saved.workspace;
  return { cwd: saved.cwd, env };
}

export async function inCacheRoot<T>(root: string, call: () => Promise<T>): Promise<T> {
  if (inFlight++ === 0) {
    saved = { cwd: process.cwd(), workspace: process.env['GITHUB_WORKSPACE'] };
    try {
      process.chdir(root);
    } catch (e) {
      inFlight--;
      saved = undefined;
      throw e;
    }
    process.env['GITHUB_WORKSPACE'] = root;
  }
  try {
    return await call();
  } finally {
    if (--inFlight === 0 && saved !== undefined) {
      process.chdir(saved.cwd);
      if (saved.workspace === undefined) delete process.env['GITHUB_WORKSPACE'];
      else process.env['GITHUB_WORKSPACE'] = saved.workspace;
      saved = undefined;
    }
  }
}
