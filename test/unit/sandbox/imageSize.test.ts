// The sandbox's code writes the images the host hands to renderers and model APIs: a few bytes of
// header can claim any size (a 1 KiB PNG claiming 60000×60000 pixels, 13 GiB decoded). The header
// is read, nothing is decoded (src/sandbox/imageSize.ts).
import { describe, expect, it } from 'vitest';
import { imageDimensions, oversizedImage } from '../../../src/sandbox/imageSize';

function png(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(13);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), length, Buffer.from('IHDR'), ihdr, Buffer.alloc(4)]);
}

function gif(width: number, height: number): Buffer {
  const b = Buffer.alloc(13);
  b.write('GIF89a');
  b.writeUInt16LE(width, 6);
  b.writeUInt16LE(height, 8);
  return b;
}

/** A GIF with a 1×1 logical screen, a global color table, a graphic control extension and one frame of `width`×`height`. */
function gifFrame(width: number, height: number): Buffer {
  const screen = Buffer.from([...Buffer.from('GIF89a'), 1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255]);
  const control = Buffer.from([0x21, 0xf9, 4, 0, 0, 0, 0, 0]);
  const descriptor = Buffer.alloc(10);
  descriptor[0] = 0x2c;
  descriptor.writeUInt16LE(width, 5);
  descriptor.writeUInt16LE(height, 7);
  return Buffer.concat([screen, control, descriptor, Buffer.from([2, 2, 0x4c, 0x01, 0, 0x3b])]);
}

/** SOI, an APP0 segment, then a baseline frame header (SOF0). */
function jpeg(width: number, height: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, ...Buffer.from('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof]);
}

function webpX(width: number, height: number): Buffer {
  const b = Buffer.alloc(30);
  b.write('RIFF');
  b.write('WEBP', 8);
  b.write('VP8X', 12);
  b.writeUIntLE(width - 1, 24, 3);
  b.writeUIntLE(height - 1, 27, 3);
  return b;
}

function webpLossless(width: number, height: number): Buffer {
  const b = Buffer.alloc(30);
  b.write('RIFF');
  b.write('WEBP', 8);
  b.write('VP8L', 12);
  b[20] = 0x2f;
  b.writeUInt32LE(((width - 1) | ((height - 1) << 14)) >>> 0, 21);
  return b;
}

function bmp(width: number, height: number): Buffer {
  const b = Buffer.alloc(54);
  b.write('BM');
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(width, 18);
  b.writeInt32LE(height, 22);
  return b;
}

/** An OS/2 1.x BMP: a 12-byte BITMAPCOREHEADER with 16-bit sizes. */
function bmpCore(width: number, height: number): Buffer {
  const b = Buffer.alloc(26);
  b.write('BM');
  b.writeUInt32LE(12, 14);
  b.writeUInt16LE(width, 18);
  b.writeUInt16LE(height, 20);
  return b;
}

/** An ICO whose one entry is a PNG of `width`×`height` (the directory says 256×256). */
function icoWithPng(width: number, height: number): Buffer {
  const inner = png(width, height);
  const header = Buffer.alloc(22);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(1, 4);
  header.writeUInt32LE(inner.length, 14);
  header.writeUInt32LE(22, 18);
  return Buffer.concat([header, inner]);
}

/** The start of an AVIF file (ISO base media: an ftyp box with the avif brand). */
const AVIF = Buffer.from([0, 0, 0, 0x1c, ...Buffer.from('ftypavif'), 0, 0, 0, 0, ...Buffer.from('avifmif1miaf')]);
/** The start of a little-endian TIFF file. */
const TIFF = Buffer.from([0x49, 0x49, 0x2a, 0, 8, 0, 0, 0, 0, 0]);

describe('imageDimensions', () => {
  it.each([
    ['PNG', png(640, 480)],
    ['GIF', gif(640, 480)],
    ['GIF (a frame as large as its screen)', Buffer.concat([gif(640, 480), gifFrame(640, 480).subarray(19)])],
    ['JPEG', jpeg(640, 480)],
    ['WebP (extended)', webpX(640, 480)],
    ['WebP (lossless)', webpLossless(640, 480)],
    ['BMP', bmp(640, -480)],
    ['BMP (OS/2 1.x, 16-bit sizes)', bmpCore(640, 480)],
  ])('reads the size a %s header claims', (_format, bytes) => {
    expect(imageDimensions(bytes)).toEqual({ width: 640, height: 480 });
    expect(oversizedImage(bytes)).toBeUndefined();
  });

  // Renderers sniff the content whatever the name says, and decode formats whose size is read
  // nowhere here: an AVIF, or an ICO holding a PNG, named `plot.png` claimed any size, and a model
  // API refuses a conversation holding an image it cannot decode. So a picture whose size cannot be
  // read is refused, not left to the decoder.
  it.each([
    ['bytes that are no picture', Buffer.from('png bytes!!')],
    ['a PNG header cut short', png(60000, 60000).subarray(0, 20)],
    ['a JPEG without a frame header', Buffer.from([0xff, 0xd8, 0xff])],
    ['a JPEG whose frame header lies past the bytes read', jpeg(65000, 65000).subarray(0, 22)],
    ['an ICO holding a PNG of 60000×60000', icoWithPng(60000, 60000)],
    ['an AVIF', AVIF],
    ['a TIFF', TIFF],
    ['a BMP with a header of no known size', bmp(640, 480).fill(0, 14, 18)],
    ['a BMP whose pixels are a PNG (compression 5)', Buffer.concat([bmp(640, 480).fill(5, 30, 31), png(60000, 60000)])],
    ['a BMP whose pixels are a JPEG (compression 4)', Buffer.concat([bmp(640, 480).fill(4, 30, 31), jpeg(65000, 65000)])],
  ])('refuses %s: its size cannot be read', (_what, bytes) => {
    expect(imageDimensions(bytes)).toBeUndefined();
    expect(oversizedImage(bytes)).toBe('cannot be read as a PNG, JPEG, GIF, WebP or BMP');
  });

  it.each([
    ['a PNG of 60000×60000 in 45 bytes', png(60000, 60000), 'claims 60000×60000 pixels'],
    ['a PNG wider than a model API takes', png(8001, 10), 'claims 8001×10 pixels'],
    ['a PNG of 7000×7000 (49 MP)', png(7000, 7000), 'claims 7000×7000 pixels'],
    ['a GIF of 65535×65535', gif(65535, 65535), 'claims 65535×65535 pixels'],
    ['a JPEG of 65000×65000', jpeg(65000, 65000), 'claims 65000×65000 pixels'],
    ['a WebP of 16383×16383', webpX(16383, 16383), 'claims 16383×16383 pixels'],
    ['a BMP of 100000×100000', bmp(100000, 100000), 'claims 100000×100000 pixels'],
    ['an OS/2 BMP of 65535×65535', bmpCore(65535, 65535), 'claims 65535×65535 pixels'],
    // Browsers grow a GIF's logical screen to a larger frame; libjpeg skips bytes between segments.
    ['a GIF whose 1×1 screen holds a 60000×60000 frame', gifFrame(60000, 60000), 'claims 60000×60000 pixels'],
    ['a JPEG with a stray byte before its 65000×65000 frame header', Buffer.concat([Buffer.from([0xff, 0xd8, 0x00]), jpeg(65000, 65000).subarray(2)]), 'claims 65000×65000 pixels'],
  ])('refuses %s', (_what, bytes, reason) => {
    expect(oversizedImage(bytes)).toBe(reason);
  });
});
