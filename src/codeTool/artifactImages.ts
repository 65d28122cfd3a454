// Reads the images a cell wrote so a tool can return them (MCP image content). The scratch folder
// belongs to the model's code: a file there may have been swapped for a link to a host file, a
// FIFO, or a hard link, between the listing and the read. So the host opens without following a
// final link, refuses anything but a regular file with one link, and on Linux checks where the
// opened descriptor really is (`/proc/self/fd`) — a planted directory link is caught there.
import { constants } from 'node:fs';
import { open, readlink, realpath } from 'node:fs/promises';
import { isAbsolute, join, sep } from 'node:path';
import type { Artifact } from '../sandbox';

/** Image types tools hand back as images; anything else is listed by name only. */
export const IMAGE_MIME_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** Largest image returned (bytes); bigger ones are listed by name only. */
export const MAX_IMAGE_BYTES = 4 * 1024 * 1024;

export interface ArtifactImage {
  readonly name: string;
  readonly mimeType: string;
  readonly data: Buffer;
}

/**
 * The image artifacts of a cell that can be read safely, at most `maxImages` of them.
 * Artifacts that are not images, too big, or not what the listing said are skipped silently
 * (they are still named in the text result).
 */
export async function readArtifactImages(scratchDir: string, artifacts: readonly Artifact[], maxImages = 4): Promise<ArtifactImage[]> {
  const images: ArtifactImage[] = [];
  const root = await realpath(scratchDir).catch(() => undefined);
  if (!root) return images;
  for (const artifact of artifacts) {
    if (images.length >= maxImages) break;
    if (!IMAGE_MIME_TYPES.has(artifact.mimeType) || artifact.sizeBytes > MAX_IMAGE_BYTES) continue;
    const data = await readInside(root, artifact.name);
    if (data) images.push({ name: artifact.name, mimeType: artifact.mimeType, data });
  }
  return images;
}

/** The bytes of `root/name` when it is a regular, singly linked file really inside `root`; else undefined. */
async function readInside(root: string, name: string): Promise<Buffer | undefined> {
  if (isAbsolute(name) || name.split('/').some((part) => part === '..' || part === '')) return undefined;
  let handle;
  try {
    // O_NONBLOCK: a FIFO planted under the name must not block the host.
    handle = await open(join(root, name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile() || stat.nlink !== 1 || stat.size > MAX_IMAGE_BYTES) return undefined;
    if (process.platform === 'linux') {
      const real = await readlink(`/proc/self/fd/${handle.fd}`);
      if (!real.startsWith(root + sep)) return undefined;
    }
    const buffer = Buffer.alloc(stat.size);
    const { bytesRead } = await handle.read(buffer, 0, stat.size, 0);
    return buffer.subarray(0, bytesRead);
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}
