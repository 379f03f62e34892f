/**
 * Hostile files for the upload fuzz tests, built in memory: truncated and lying images, a PNG
 * that declares 50,000 × 50,000 pixels, polyglots, a hand-written ZIP writer for XLSX bombs
 * (a deflated entry that lies about its size, a billion-laughs sharedStrings.xml), and
 * multipart bodies as a browser sends them.
 */
import { once } from 'node:events';
import { crc32, createDeflateRaw, deflateRawSync, deflateSync } from 'node:zlib';

/** A PNG chunk with its CRC. */
function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A small, well-formed PNG header declaring `width × height` pixels, with a few bytes of image data. */
export function pngDeclaring(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(Buffer.alloc(64 * 1024))), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A JPEG start followed by a frame header declaring 65,000 × 65,000 pixels and nothing else. */
export function jpegDeclaringHuge(): Buffer {
  return Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x11, 0x08, 0xfd, 0xe8, 0xfd, 0xe8, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01, 0xff, 0xd9]);
}

export interface ZipEntry {
  name: string;
  data: Buffer;
  /** Deflate the entry (otherwise stored). */
  deflate?: boolean;
  /** Write this as the unpacked size instead of the true one (a bomb that lies). */
  claimedSize?: number;
  /** Use these bytes as the packed data instead of packing `data`. */
  packed?: Buffer;
}

/** A plain ZIP archive (no ZIP64, no data descriptors), as an XLSX is. */
export function zip(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const packed = e.packed ?? (e.deflate ? deflateRawSync(e.data) : e.data);
    const method = e.packed || e.deflate ? 8 : 0;
    const crc = crc32(e.data);
    const size = e.claimedSize ?? e.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

/** Deflated zeros: `mb` megabytes that pack into about a kilobyte each, made a megabyte at a time. */
export async function deflatedZeros(mb: number): Promise<Buffer> {
  const z = createDeflateRaw({ level: 9 });
  const chunks: Buffer[] = [];
  z.on('data', (c: Buffer) => chunks.push(c));
  const block = Buffer.alloc(1_048_576);
  for (let i = 0; i < mb; i++) if (!z.write(block)) await once(z, 'drain');
  z.end();
  await once(z, 'end');
  return Buffer.concat(chunks);
}

/** The "billion laughs": ten levels of entities, each ten of the one below. */
export const BILLION_LAUGHS = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE sst [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('')}]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>`;

/** A body as a browser posts a form with one file. */
export function multipart(fields: Record<string, string>, file: { field: string; name: string; type: string; data: Buffer }): { type: string; body: Buffer } {
  const boundary = `----fuzz${Math.random().toString(36).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`), file.data, Buffer.from(`\r\n--${boundary}--\r\n`));
  return { type: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(parts) };
}
