import type { BuildOptions } from '../options.js';
import { DockerArchiveSink } from './docker-archive.js';
import { DockerStreamSink } from './docker-stream.js';
import { OciLayoutSink } from './oci-layout.js';
import { RegistrySink } from './registry.js';
import { SbomSink } from './sbom.js';
import type { Sink } from './sink.js';

/**
 * The outputs, one line each: the sink the options ask for, if they do.
 * Local outputs come first, so that a push that fails still leaves them.
 * A new output is a module implementing Sink and one line here.
 */
export const SINKS: readonly ((opts: BuildOptions) => Sink | undefined)[] = [
  (o) => (o.output?.kind === 'docker-archive' ? new DockerArchiveSink(o.output.path) : undefined),
  (o) => (o.output?.kind === 'oci' ? new OciLayoutSink(o.output.path, o) : undefined),
  (o) => (o.output?.kind === 'stdout' ? new DockerStreamSink() : undefined),
  (o) => (o.push === undefined ? undefined : new RegistrySink(o.repositories, o.push, o)),
  // Last: its subject is the manifest a push made.
  (o) => (o.sbom === undefined ? undefined : new SbomSink(o.sbom)),
];

export function sinksFor(opts: BuildOptions): Sink[] {
  return SINKS.flatMap((make) => make(opts) ?? []);
}
