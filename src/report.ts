import type { Digest } from './digest.js';
import type { Image } from './image/image.js';
import type { LayerSource } from './layer/layer.js';
import type { BlobOutcome, PushReport } from './sinks/push.js';
import type { SinkReport } from './sinks/sink.js';

export interface LayerReport {
  digest: Digest;
  size: number;
  paths: string[];
  source: LayerSource;
  /** The compressed blob, where this build made or found one (OCI layout, push). */
  compressedDigest?: Digest;
  compressedSize?: number;
  /** What the push did with its blob. */
  pushed?: BlobOutcome;
}

export interface BuildReport {
  /** The docker-archive or OCI layout written (`-`: standard output); undefined when the image was only pushed. */
  imagePath: string | undefined;
  imageName: string;
  /** The first of imageTags: the docker-archive's RepoTag. */
  imageTag: string;
  imageTags: string[];
  imageId: Digest;
  layerDigests: Digest[];
  layers: LayerReport[];
  /** Bytes of the docker-archive or layout written. */
  imageSize: number | undefined;
  /** Store layers restored, built, and newly saved to the cache. */
  cache: { restored: number; built: number; saved: number };
  push?: Pick<PushReport, 'digest' | 'refs' | 'blobs' | 'sbom'>;
  /** The CycloneDX SBOM written, with --sbom. */
  sbom?: string;
}

/** What the build made, from the image and what each sink said of its writing. */
export function buildReport(image: Image, sinks: readonly SinkReport[], saved: number): BuildReport {
  const local = sinks.find((r) => r.path !== undefined);
  const pushed = sinks.find((r) => r.pushed !== undefined)?.pushed;
  const sbom = sinks.find((r) => r.sbom !== undefined)?.sbom;
  // Store layers: the customisation layer has a key too, and no paths.
  const count = (source: LayerSource) => image.layers.filter((l) => l.key !== undefined && l.paths.length > 0 && l.source === source).length;
  return {
    imagePath: local?.path,
    imageName: image.name,
    imageTag: image.tags[0] as string,
    imageTags: [...image.tags],
    imageId: image.imageId,
    imageSize: local?.size,
    layerDigests: image.layers.map((l) => l.digest),
    layers: image.layers.map((l, i) => {
      const blob = l.blob();
      const outcome = pushed?.layers[i];
      return {
        digest: l.digest,
        size: l.size,
        paths: [...l.paths],
        source: l.source,
        ...(blob === undefined ? {} : { compressedDigest: blob.digest, compressedSize: blob.size }),
        ...(outcome === undefined ? {} : { pushed: outcome }),
      };
    }),
    cache: { restored: count('restored'), built: count('built'), saved },
    ...(pushed === undefined ? {} : { push: { digest: pushed.digest, refs: pushed.refs, blobs: pushed.blobs, ...(pushed.sbom === undefined ? {} : { sbom: pushed.sbom }) } }),
    ...(sbom === undefined ? {} : { sbom }),
  };
}
