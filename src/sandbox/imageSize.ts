// The size a picture's header claims, read before the picture is handed to anything that decodes
// it. The code in the sandbox writes the images, and a few bytes of header can claim any size: a
// 1 KiB PNG claiming 60000×60000 pixels (or a real 16384×16384 one that deflate packs into 1 MiB)
// makes a decoder allocate 4 bytes a pixel, GiBs, in the notebook's or the chat's renderer, and
// a model API refuses a conversation holding an image of more than 8000 pixels a side, so one
// such tool result broke every later request of an agent (MCP, `r1ci_runPython`).

/**
 * The picture types the views draw (the chat and solve transcripts, a replayed trajectory, the
 * notebook): raster formats whose pixel count their header gives (oversizedImage bounds what
 * decoding one costs). Never SVG: what drawing one costs comes from its elements, the `<use>`
 * references among them, patterns and filters, which neither its size nor any header bounds (a
 * 1.4 KB file of `<use>` five deep, ten each, held a page without a frame for 13 s; seven deep,
 * 1.6 KB, crashed the renderer: the whole chat view). An SVG is listed as a file instead.
 */
export const DRAWN_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** Longest side (pixels) of a picture that is shown or returned as an image (model APIs take 8000). */
export const MAX_IMAGE_SIDE = 8000;
/** Most pixels of a picture that is shown or returned as an image (40 MP: 160 MiB decoded). */
export const MAX_IMAGE_PIXELS = 40_000_000;

export interface ImageDimensions {
  /** Pixels. */
  readonly width: number;
  /** Pixels. */
  readonly height: number;
}

function u16be(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

function u16le(bytes: Uint8Array, at: number): number {
  return (bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8);
}

function u24le(bytes: Uint8Array, at: number): number {
  return u16le(bytes, at) | ((bytes[at + 2] ?? 0) << 16);
}

function u32be(bytes: Uint8Array, at: number): number {
  return u16be(bytes, at) * 65536 + u16be(bytes, at + 2);
}

function ascii(bytes: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + length));
}

/** The first frame header (SOFn) of a JPEG stream: its height and width. */
function jpegDimensions(bytes: Uint8Array): ImageDimensions | undefined {
  let at = 2;
  while (at + 9 <= bytes.length) {
    // Bytes between segments: decoders (libjpeg's next_marker) skip them to the next marker.
    if (bytes[at] !== 0xff) {
      at = bytes.indexOf(0xff, at);
      if (at < 0) return undefined;
      continue;
    }
    const marker = bytes[at + 1] ?? 0;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    // Markers without a length: TEM, RSTn, SOI.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      at += 2;
      continue;
    }
    // SOF0..SOF15 but DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: u16be(bytes, at + 5), width: u16be(bytes, at + 7) };
    }
    if (marker === 0xd9 || marker === 0xda) return undefined; // end of image or start of scan before any frame
    at += 2 + u16be(bytes, at + 2);
  }
  return undefined;
}

/**
 * A GIF's size as decoders take it: the logical screen, grown to hold every frame (a frame larger
 * than the screen makes browsers use the frame's size). Walks the blocks (extensions and image
 * data as chains of sub-blocks) in `bytes`, one pass.
 */
function gifDimensions(bytes: Uint8Array): ImageDimensions {
  let width = u16le(bytes, 6);
  let height = u16le(bytes, 8);
  const flags = bytes[10] ?? 0;
  let at = 13 + (flags & 0x80 ? 3 * 2 ** ((flags & 7) + 1) : 0);
  const skipSubBlocks = (from: number): number => {
    let i = from;
    while (i < bytes.length && bytes[i] !== 0) i += 1 + (bytes[i] ?? 0);
    return i + 1;
  };
  while (at < bytes.length) {
    const block = bytes[at];
    if (block === 0x21) at = skipSubBlocks(at + 2);
    else if (block === 0x2c && at + 10 <= bytes.length) {
      width = Math.max(width, u16le(bytes, at + 1) + u16le(bytes, at + 5));
      height = Math.max(height, u16le(bytes, at + 3) + u16le(bytes, at + 7));
      const local = bytes[at + 9] ?? 0;
      at = skipSubBlocks(at + 10 + (local & 0x80 ? 3 * 2 ** ((local & 7) + 1) : 0) + 1);
    } else break;
  }
  return { width, height };
}

/**
 * The width and height (pixels) the header of a PNG, GIF (logical screen grown to its frames), JPEG, WebP or BMP file
 * claims, or undefined when `bytes` is none of them or its header is cut short. Reads the header
 * only: nothing is decoded.
 */
export function imageDimensions(bytes: Uint8Array): ImageDimensions | undefined {
  if (bytes.length >= 24 && u32be(bytes, 0) === 0x89504e47 && u32be(bytes, 4) === 0x0d0a1a0a && ascii(bytes, 12, 4) === 'IHDR') {
    return { width: u32be(bytes, 16), height: u32be(bytes, 20) };
  }
  if (bytes.length >= 10 && (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a')) {
    return gifDimensions(bytes);
  }
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) return jpegDimensions(bytes);
  // BMP (a renderer sniffs the content, whatever the name says). The OS/2 1.x header
  // (BITMAPCOREHEADER, 12 bytes) holds 16-bit sizes; the others (OS/2 2.x, 16 to 64 bytes, and
  // Windows' 40 to 124) 32-bit ones, where a negative height is top-down.
  if (bytes.length >= 26 && ascii(bytes, 0, 2) === 'BM') {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const headerSize = view.getUint32(14, true);
    if (headerSize === 12) return { width: u16le(bytes, 18), height: u16le(bytes, 20) };
    if (headerSize < 16 || headerSize > 124) return undefined;
    // Compression 4 and 5: the pixels are a JPEG or a PNG (ICO-style), whose own header may claim
    // another size than the BMP's; not read here, so not a size that can be trusted.
    const compression = bytes.length >= 34 && headerSize >= 20 ? view.getUint32(30, true) : 0;
    if (compression === 4 || compression === 5) return undefined;
    return { width: Math.abs(view.getInt32(18, true)), height: Math.abs(view.getInt32(22, true)) };
  }
  if (bytes.length >= 30 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') {
    const chunk = ascii(bytes, 12, 4);
    if (chunk === 'VP8 ') return { width: u16le(bytes, 26) & 0x3fff, height: u16le(bytes, 28) & 0x3fff };
    if (chunk === 'VP8L') {
      const bits = (bytes[21] ?? 0) | ((bytes[22] ?? 0) << 8) | ((bytes[23] ?? 0) << 16) | ((bytes[24] ?? 0) * 2 ** 24);
      return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    if (chunk === 'VP8X') return { width: u24le(bytes, 24) + 1, height: u24le(bytes, 27) + 1 };
  }
  return undefined;
}

/**
 * The MIME type of the picture in `bytes` by its content ("image/png", "image/jpeg", "image/gif",
 * "image/webp", "image/bmp"), or undefined when it is none of the formats imageDimensions reads.
 * A file's name says nothing: a GIF saved as `plot.png` is a GIF to every decoder.
 */
export function imageMimeType(bytes: Uint8Array): string | undefined {
  if (bytes.length >= 8 && u32be(bytes, 0) === 0x89504e47 && u32be(bytes, 4) === 0x0d0a1a0a) return 'image/png';
  if (bytes.length >= 6 && (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a')) return 'image/gif';
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xd8) return 'image/jpeg';
  if (bytes.length >= 2 && ascii(bytes, 0, 2) === 'BM') return 'image/bmp';
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return 'image/webp';
  return undefined;
}

/** Why a picture is refused when imageDimensions cannot read its size (see oversizedImage). */
export const UNREADABLE_IMAGE = 'cannot be read as a PNG, JPEG, GIF, WebP or BMP';

/**
 * Why the picture in `bytes` (the whole file, or at least as much as holds its header) must not
 * be decoded, as a phrase that follows "a picture whose header": "claims 60000×60000 pixels" when
 * it claims more than MAX_IMAGE_SIDE a side or MAX_IMAGE_PIXELS, UNREADABLE_IMAGE when its size
 * cannot be read (another format, a header cut short or one past the end of `bytes`); undefined
 * when it may be decoded. An unreadable one is refused, not left to the decoder: renderers sniff
 * the content whatever the name says and decode formats read nowhere here (an AVIF or an ICO
 * holding a PNG named `plot.png` claimed any size), and a model API refuses a conversation that
 * holds an image it cannot decode.
 */
export function oversizedImage(bytes: Uint8Array): string | undefined {
  const size = imageDimensions(bytes);
  if (size === undefined) return UNREADABLE_IMAGE;
  if (size.width > MAX_IMAGE_SIDE || size.height > MAX_IMAGE_SIDE || size.width * size.height > MAX_IMAGE_PIXELS) {
    return `claims ${size.width}×${size.height} pixels`;
  }
  return undefined;
}
