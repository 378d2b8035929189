import { createHash } from 'node:crypto';
import type { Digest } from '../digest.js';
import type { Image } from '../image/image.js';
import type { StorePathInfo } from '../nix/closure.js';
import { storeName } from './store-name.js';

/** What the document says of the image itself: its config digest, and its manifest where it was pushed. */
export interface SbomSubject {
  manifestDigest?: Digest;
  /** `host/path` of the repository pushed to: the first, or the one the document is attached in. */
  repository?: string;
  /** The image's name there, as given; by default the image's (first) name. */
  name?: string;
}

/** A store path as the document lists it: its store facts, its kind on disk, and what a derivation says of it. */
export interface SbomPath {
  info: StorePathInfo;
  /** A regular file rather than a tree or a link. */
  isFile: boolean;
  /** From its deriver, where that is present locally. */
  derived?: { name?: string; version?: string; urls?: string[]; output?: string };
}

const IMAGE_REF = 'image';

/**
 * A CycloneDX 1.6 document of the image's store paths (a base image's
 * layers aside): one component each, named and versioned as Nix splits the
 * name, with the purl form syft writes for Nix (`pkg:nix/NAME@VERSION`,
 * `output` and `outputhash` qualifiers), its store path, NAR hash and size
 * and the diff_id of the layer holding it; the reference graph as its
 * dependencies; the image as the subject. Nothing in it depends on the
 * clock or chance: the same image, store and tool give the same bytes.
 */
export function cycloneDx(image: Image, paths: ReadonlyMap<string, SbomPath>, subject: SbomSubject, tool: string): string {
  const layerOf = new Map<string, Digest>();
  for (const layer of image.layers) for (const p of layer.paths) layerOf.set(p, layer.digest);
  const sorted = [...paths.keys()].sort();
  const referenced = new Set(sorted.flatMap((p) => paths.get(p)?.info.references ?? []));
  const body = {
    metadata: {
      tools: { components: [{ type: 'application', name: 'layered-image', version: tool }] },
      component: imageComponent(image, subject),
    },
    components: sorted.map((p) => component(paths.get(p) as SbomPath, layerOf.get(p))),
    dependencies: [
      // The image holds the paths nothing else in it refers to: its contents and config roots.
      { ref: IMAGE_REF, dependsOn: sorted.filter((p) => !referenced.has(p)) },
      ...sorted.map((p) => ({ ref: p, dependsOn: (paths.get(p)?.info.references ?? []).filter((r) => paths.has(r)).sort() })),
    ],
  };
  // The serial number names this content: another document (another tool
  // version, derivers present or not) gets another one.
  const head = { $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json', bomFormat: 'CycloneDX', specVersion: '1.6' };
  const doc = { ...head, serialNumber: serialOf(JSON.stringify(body)), version: 1, ...body };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function imageComponent(image: Image, subject: SbomSubject) {
  const [repository, digest] = [subject.repository, subject.manifestDigest];
  const lastSegment = (repository ?? subject.name ?? image.name).split('/').pop() ?? image.name;
  return {
    type: 'container',
    'bom-ref': IMAGE_REF,
    name: subject.name ?? image.name,
    // Its digest, not a tag: the same manifest under any tag has the same document, and one artifact.
    version: digest ?? image.imageId,
    ...(digest === undefined || repository === undefined ? {} : { purl: `pkg:oci/${purlPart(lastSegment)}@${purlPart(digest)}?repository_url=${qualifierValue(repository)}` }),
    properties: sortedProperties({
      'layered-image:image-id': image.imageId,
      ...(digest === undefined ? {} : { 'layered-image:manifest-digest': digest }),
    }),
  };
}

function component(entry: SbomPath, diffId: Digest | undefined) {
  const { info, isFile, derived } = entry;
  // The derivation's own output name, where it is known, over the suffix guess.
  const named = storeName(info.path);
  const split = derived?.output === undefined ? named : { ...named, output: derived.output === 'out' ? undefined : derived.output, version: stripOutput(named.version, derived.output) };
  const name = derived?.name ?? split.name;
  const version = derived?.version ?? split.version;
  const qualifiers = [...(split.output === undefined ? [] : [`output=${purlPart(split.output)}`]), `outputhash=${split.hash}`].join('&');
  const urls = [...new Set(derived?.urls ?? [])].sort();
  return {
    type: version !== '' ? 'library' : isFile ? 'file' : 'data',
    'bom-ref': info.path,
    name,
    ...(version === '' ? {} : { version }),
    // From the path, as syft makes it from the path: the two tools' purls of one path agree.
    purl: `pkg:nix/${purlPart(split.name)}${split.version === '' ? '' : `@${purlPart(split.version)}`}?${qualifiers}`,
    ...(urls.length === 0 ? {} : { externalReferences: urls.map((url) => ({ type: 'distribution', url })) }),
    properties: sortedProperties({
      'nix:store-path': info.path,
      'nix:nar-size': String(info.narSize),
      ...(info.narHash === undefined ? {} : { 'nix:nar-hash': `sha256:${info.narHash}` }),
      ...(split.output === undefined ? {} : { 'nix:output': split.output }),
      ...(info.deriver === undefined ? {} : { 'nix:deriver': info.deriver }),
      ...(diffId === undefined ? {} : { 'layered-image:layer-diff-id': diffId }),
    }),
  };
}

/** The version without the `-OUTPUT` Nix appended to the path's name. */
function stripOutput(version: string, output: string): string {
  return output !== 'out' && version.endsWith(`-${output}`) ? version.slice(0, -output.length - 1) : version;
}

function sortedProperties(props: Record<string, string>): { name: string; value: string }[] {
  return Object.keys(props)
    .sort()
    .map((name) => ({ name, value: props[name] as string }));
}

/** A purl segment or qualifier value: what the purl spec leaves bare stays bare, the rest percent-encoded. */
function purlPart(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${(c.codePointAt(0) ?? 0).toString(16).toUpperCase()}`);
}

/** A qualifier's value: as purlPart, with a host's `:` and a path's `/` left bare, as the purl spec's examples write repository_url. */
function qualifierValue(text: string): string {
  return purlPart(text).replace(/%3A/g, ':').replace(/%2F/g, '/');
}

/** A version-5-shaped UUID from the document's content: the same document, the same serial number. */
function serialOf(content: string): string {
  const h = createHash('sha256').update(`layered-image sbom\n${content}`).digest();
  h[6] = ((h[6] as number) & 0x0f) | 0x50;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
