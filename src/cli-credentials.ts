import { statSync } from 'node:fs';
import path from 'node:path';
import { UserError, errnoCode, messageOf, show } from './errors.js';

/** More than any password or token; a stream that goes on is not one. */
const PASSWORD_LIMIT = 64 * 1024;

/** All three, given or not: spread over what the flags gave, they replace it, the password read and the file checked. */
interface Credentials {
  username: string | undefined;
  password: string | undefined;
  authFile: string | undefined;
}

/**
 * --username with --password-stdin, or --authfile: checked together, the
 * password read from standard input, as `docker login --password-stdin`
 * takes it, so that it never shows in a process list or shell history.
 * Given to a command that pushes nothing, they are refused before
 * standard input is read, rather than read and dropped.
 */
export async function credentialFlags(given: { username?: string | undefined; authFile?: string | undefined }, stdin: boolean, pushing: boolean): Promise<Credentials> {
  const { username, authFile } = given;
  const flags = [username !== undefined ? '--username' : '', stdin ? '--password-stdin' : '', authFile !== undefined ? '--authfile' : ''].filter((f) => f !== '');
  if (!pushing && flags.length > 0) throw new UserError(`${flags[0] as string} is for a push: add --push or --push-by-digest`);
  if (username !== undefined && authFile !== undefined) throw new UserError('--authfile cannot go with --username: credentials come from one or the other');
  if (username !== undefined && !stdin) throw new UserError('--username needs --password-stdin: the password is read from standard input, never from a flag');
  if (stdin && username === undefined) throw new UserError('--password-stdin needs --username');
  if (authFile !== undefined) return { username: undefined, password: undefined, authFile: checkAuthFile(authFile) };
  if (username === undefined) return { username: undefined, password: undefined, authFile: undefined };
  return { username, password: await readPassword(), authFile: undefined };
}

function checkAuthFile(authfile: string): string {
  let isFile;
  try {
    isFile = statSync(authfile).isFile();
  } catch (e) {
    throw new UserError(`--authfile ${show(authfile)}: ${errnoCode(e) === 'ENOENT' ? 'no such file' : (errnoCode(e) ?? messageOf(e))}`);
  }
  if (!isFile) throw new UserError(`--authfile ${show(authfile)} is not a file`);
  return path.resolve(authfile);
}

async function readPassword(): Promise<string> {
  // Typed at a terminal, it would echo, and nothing would say when to stop.
  if (process.stdin.isTTY) throw new UserError('--password-stdin reads standard input, which is a terminal here; pipe the password in (printenv TOKEN | layered-image …)');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > PASSWORD_LIMIT) throw new UserError(`--password-stdin read more than ${PASSWORD_LIMIT} bytes from standard input; a password is one line`);
    chunks.push(chunk as Buffer);
  }
  // One line ending, as docker strips it; anything else is the password's.
  const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (password === '') throw new UserError('--password-stdin read an empty password from standard input');
  return password;
}
