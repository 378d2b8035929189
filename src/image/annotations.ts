import { UserError } from '../errors.js';
import { input } from '../inputs/marker.js';

/**
 * Where an annotation goes, as build-push-action and metadata-action write
 * the prefix: the image manifest, the image index (an OCI layout's
 * index.json, or the index the `index` step pushes), the descriptor of a
 * manifest in an index, the descriptor of an index in another index.
 */
export const ANNOTATION_LEVELS = ['manifest', 'index', 'manifest-descriptor', 'index-descriptor'] as const;
export type AnnotationLevel = (typeof ANNOTATION_LEVELS)[number];

/** Annotations by level; a level no line names is an empty object. */
export type Annotations = Readonly<Record<AnnotationLevel, Readonly<Record<string, string>>>>;

export const NO_ANNOTATIONS: Annotations = { manifest: {}, index: {}, 'manifest-descriptor': {}, 'index-descriptor': {} };

/** `KEY=VALUE`, the value after the first `=` (it may hold more). */
function keyValue(line: string, what: string): [string, string] {
  // One line each: a flag's value holding a line break is several lines run together (the Action's input is split on them).
  if (/[\r\n]/.test(line)) throw new UserError(`${what} "${line.split(/\r?\n/)[0] ?? ''}…" holds a line break; give one KEY=VALUE a line`);
  const at = line.indexOf('=');
  if (at <= 0) throw new UserError(`${what} "${line}" is not KEY=VALUE`);
  return [line.slice(0, at), line.slice(at + 1)];
}

/** Lines as a workflow hands them: blank ones and line-end spaces say nothing. */
function meaningful(lines: readonly string[]): string[] {
  return lines.map((l) => l.trim()).filter((l) => l !== '');
}

/** `labels` lines, later ones over earlier ones with the same key. */
export function parseLabels(lines: readonly string[]): Record<string, string> {
  return Object.fromEntries(meaningful(lines).map((l) => keyValue(l, input('labels'))));
}

/**
 * `annotations` lines: `[LEVEL:]KEY=VALUE`, no level meaning `manifest`.
 * A colon before the `=` starts a level only when what precedes it has no
 * dot (keys are reverse-domain names; levels are plain words), so a
 * misspelt level is refused, not taken as part of a key.
 */
export function parseAnnotations(lines: readonly string[]): Annotations {
  const out: Record<AnnotationLevel, Record<string, string>> = { manifest: {}, index: {}, 'manifest-descriptor': {}, 'index-descriptor': {} };
  for (const line of meaningful(lines)) {
    const [left, value] = keyValue(line, input('annotations'));
    const colon = left.indexOf(':');
    const prefix = colon < 0 ? undefined : left.slice(0, colon);
    if (prefix !== undefined && prefix.includes('[')) {
      throw new UserError(`${input('annotations')} "${line}" names a platform; an annotation here goes to every platform the step makes`);
    }
    const level = prefix === undefined || prefix.includes('.') ? 'manifest' : prefix;
    if (!(ANNOTATION_LEVELS as readonly string[]).includes(level)) {
      throw new UserError(`${input('annotations')} "${line}" has the level "${level}", not one of ${ANNOTATION_LEVELS.join(', ')}`);
    }
    const key = level === prefix ? left.slice(colon + 1) : left;
    if (key === '') throw new UserError(`${input('annotations')} "${line}" is not KEY=VALUE`);
    out[level as AnnotationLevel][key] = value;
  }
  return out;
}

/** The annotations of one level, or undefined when there are none (a document without the field). */
export function annotationsAt(a: Annotations, level: AnnotationLevel): Record<string, string> | undefined {
  return Object.keys(a[level]).length === 0 ? undefined : { ...a[level] };
}

/** What to tell a user whose annotations at some levels have no place in an output: undefined when all have one. */
export function unplacedNote(a: Annotations, placed: readonly AnnotationLevel[], where: string): string | undefined {
  const left = ANNOTATION_LEVELS.filter((l) => !placed.includes(l) && Object.keys(a[l]).length > 0);
  if (left.length === 0) return undefined;
  return `${where} has no place for ${left.join(' or ')} annotations; they are left out of it`;
}
