/** One `WWW-Authenticate` challenge: the scheme (lowercase) and its parameters (keys lowercase). */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

const SEPARATORS = ' \t,=';

/**
 * Parses a `WWW-Authenticate` value (RFC 9110 §11.6.1), which may hold
 * several challenges and quoted values with commas and escapes in them, e.g.
 * `Bearer realm="https://auth.example/token",service="reg",scope="repository:a/b:pull,push"`.
 */
export function parseChallenges(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  let i = 0;
  const skip = (chars: string) => {
    while (i < header.length && chars.includes(header.charAt(i))) i++;
  };
  const token = () => {
    const start = i;
    while (i < header.length && !SEPARATORS.includes(header.charAt(i))) i++;
    return header.slice(start, i);
  };
  while (i < header.length) {
    skip(' \t,');
    const name = token();
    if (name === '') {
      i++;
      continue;
    }
    skip(' \t');
    if (header.charAt(i) !== '=') {
      challenges.push({ scheme: name.toLowerCase(), params: {} });
      continue;
    }
    i++;
    skip(' \t');
    const value = header.charAt(i) === '"' ? quoted() : token();
    const current = challenges.at(-1);
    if (current !== undefined) current.params[name.toLowerCase()] = value;
  }
  return challenges;

  function quoted(): string {
    let out = '';
    for (i++; i < header.length; i++) {
      const c = header.charAt(i);
      if (c === '"') {
        i++;
        break;
      }
      if (c === '\\' && i + 1 < header.length) i++;
      out += header.charAt(i);
    }
    return out;
  }
}
