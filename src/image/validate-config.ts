import { UserError } from '../errors.js';
import type { ContainerConfig } from './config.js';
import { input } from '../inputs/marker.js';

type Check = (value: unknown) => string | undefined;

const stringList: Check = (v) =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? undefined : 'must be a list of strings';
const string: Check = (v) => (typeof v === 'string' ? undefined : 'must be a string');
const int64: Check = (v) => (Number.isSafeInteger(v) ? undefined : 'must be a whole number');
const emptyObjects: Check = (v) =>
  isObject(v) && Object.values(v).every(isObject) ? undefined : 'must be an object whose values are objects ({})';

/** The fields of the OCI image spec's `config`, plus the ones Docker adds. */
const FIELDS: Record<string, Check> = {
  User: string,
  WorkingDir: string,
  StopSignal: string,
  Cmd: stringList,
  Entrypoint: stringList,
  Shell: stringList,
  OnBuild: stringList,
  Env: (v) =>
    stringList(v) ??
    ((v as string[]).every((e) => /^[^=]+=/.test(e)) ? undefined : 'must be a list of "NAME=value" strings'),
  ExposedPorts: (v) =>
    emptyObjects(v) ??
    (Object.keys(v as object).every((p) => /^\d{1,5}(-\d{1,5})?(\/(tcp|udp|sctp))?$/.test(p))
      ? undefined
      : 'keys must be ports such as "8080/tcp"'),
  Volumes: emptyObjects,
  Labels: (v) =>
    isObject(v) && Object.values(v).every((x) => typeof x === 'string') ? undefined : 'must be an object of strings',
  Healthcheck: (v) => {
    if (!isObject(v)) return 'must be an object';
    if (Object.hasOwn(v, 'Test') && stringList(v['Test'])) return 'Test must be a list of strings';
    for (const k of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries']) {
      if (Object.hasOwn(v, k) && int64(v[k]) !== undefined) return `${k} must be a whole number`;
    }
    return undefined;
  },
  ArgsEscaped: (v) => (typeof v === 'boolean' ? undefined : 'must be true or false'),
  StopTimeout: int64,
};

/** Parses and checks the image `config` JSON; every problem names the field. */
export function parseContainerConfig(text: string, what = input('config')): ContainerConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${what} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isObject(value)) throw new UserError(`${what} must be a JSON object, got ${describe(value)}`);
  for (const [key, field] of Object.entries(value)) {
    // Own keys only: "__proto__" or "toString" are not fields.
    const check = Object.hasOwn(FIELDS, key) ? FIELDS[key] : undefined;
    if (check === undefined) {
      throw new UserError(`${what} has an unknown field "${key}"; known fields: ${Object.keys(FIELDS).sort().join(', ')}`);
    }
    const problem = check(field);
    if (problem !== undefined) throw new UserError(`${what}: ${key} ${problem}, got ${JSON.stringify(field)}`);
  }
  return value;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return `a ${typeof v}`;
}
