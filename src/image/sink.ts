import type { Layer } from '../layer/layer.js';

/** Everything a sink needs to write an image, however it stores it. */
export interface ImageParts {
  configJson: Buffer;
  /** `name:tag` */
  repoTag: string;
  layers: readonly Layer[];
}

/**
 * Where a finished image goes: a docker-archive file today; an OCI layout
 * directory or a registry push are further sinks over the same parts. Sinks
 * read layers through `Layer.open()` and never see how they were made.
 */
export interface ImageSink {
  write(image: ImageParts): Promise<void>;
}
