// Reads the images a cell wrote so a tool can return them (MCP image content). Only the
// host-private copies the runner took when the cell ended are read (see src/sandbox/artifacts.ts:
// the copy was opened in scratch without following links, checked to be the listed regular file
// inside scratch, and read up to a cap). The copy itself is read the same careful way: no link
// followed, a regular file with one link, never blocking, never more than the cap.
import { readArtifactCopy } from '../sandbox/artifacts';
import { imageMimeType, oversizedImage } from '../sandbox/imageSize';
import type { Artifact } from '../sandbox';

/** Image types tools hand back as images; anything else is listed by name only. */
export const IMAGE_MIME_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** Largest image returned (bytes); bigger ones are listed by name only. */
export const MAX_IMAGE_BYTES = 4 * 1024 * 1024;

export interface ArtifactImage {
  readonly name: string;
  /** The format its content is in (one of IMAGE_MIME_TYPES), whatever its name says. */
  readonly mimeType: string;
  readonly data: Buffer;
}

/**
 * The image artifacts of a cell that can be read safely, at most `maxImages` of them.
 * Artifacts that are not images, too big (bytes, or pixels their header claims: see imageSize.ts), without a copy, or whose copy is not a plain file
 * are skipped silently (they are still named in the text result).
 */
export async function readArtifactImages(artifacts: readonly Artifact[], maxImages = 4): Promise<ArtifactImage[]> {
  const images: ArtifactImage[] = [];
  for (const artifact of artifacts) {
    if (images.length >= maxImages) break;
    if (!artifact.path || !IMAGE_MIME_TYPES.has(artifact.mimeType) || artifact.sizeBytes > MAX_IMAGE_BYTES) continue;
    const data = await readArtifactCopy(artifact.path, MAX_IMAGE_BYTES).catch(() => undefined);
    // A header claiming more pixels than a model API takes would break every later request of the
    // agent, and so would a type that is not its content's (a model API refuses a GIF sent as
    // image/png, and takes no BMP): the type is the content's, and one no model API takes is skipped.
    const mimeType = data && imageMimeType(data);
    if (data && mimeType && IMAGE_MIME_TYPES.has(mimeType) && oversizedImage(data) === undefined) images.push({ name: artifact.name, mimeType, data });
  }
  return images;
}
