/**
 * Looks inside an uploaded XLSX (a ZIP archive) before any library unpacks it: it must start
 * like a ZIP, have a readable central directory, few entries, no ZIP64, only stored or deflated
 * entries, and unpack to a bounded size. Each entry is actually inflated here with a cap on
 * its output, so an archive that lies about its sizes (a "zip bomb") is stopped after a few
 * megabytes instead of filling the server's memory.
 *
 * Small archives can still hide big work: ExcelJS turns every cell of a merged range, a data
 * validation's range and a defined name's range into objects, so "A1:XFD1048576" in 200 bytes
 * would keep it busy for hours. `checkRanges` refuses cell ranges larger than a sheet needs.
 */
import { inflateRawSync } from 'node:zlib';

export interface ZipLimits {
  maxEntries: number;
  /** What all entries may unpack to, together. */
  maxUnpackedBytes: number;
}

export class ZipRefused extends Error {}

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;

function endOfCentralDirectory(buf: Buffer): number {
  // The end record is 22 bytes plus a comment of at most 65,535.
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65_535); i--) if (buf.readUInt32LE(i) === END) return i;
  throw new ZipRefused('no end of central directory');
}

/** Throws ZipRefused when the archive is not a plain, bounded ZIP; returns the unpacked entries by name. */
export function checkZip(buf: Buffer, limits: ZipLimits): Map<string, Buffer> {
  if (buf.length < 30 || buf.readUInt32LE(0) !== LOCAL) throw new ZipRefused('not a ZIP archive');
  const end = endOfCentralDirectory(buf);
  const entries = buf.readUInt16LE(end + 10);
  const size = buf.readUInt32LE(end + 12);
  const offset = buf.readUInt32LE(end + 16);
  if (entries === 0xffff || size === 0xffffffff || offset === 0xffffffff) throw new ZipRefused('ZIP64 archives are not accepted');
  if (entries === 0 || entries > limits.maxEntries) throw new ZipRefused(`${entries} entries`);
  if (offset + size > end) throw new ZipRefused('central directory out of bounds');

  const out = new Map<string, Buffer>();
  let budget = limits.maxUnpackedBytes;
  let p = offset;
  for (let n = 0; n < entries; n++) {
    if (p + 46 > end || buf.readUInt32LE(p) !== CENTRAL) throw new ZipRefused('broken central directory');
    const method = buf.readUInt16LE(p + 10);
    const packed = buf.readUInt32LE(p + 20);
    const unpacked = buf.readUInt32LE(p + 24);
    const nameLength = buf.readUInt16LE(p + 28);
    const extraLength = buf.readUInt16LE(p + 30);
    const commentLength = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLength);
    p += 46 + nameLength + extraLength + commentLength;

    if (unpacked > budget) throw new ZipRefused('unpacks to too much');
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== LOCAL) throw new ZipRefused('broken local header');
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    if (start + packed > buf.length) throw new ZipRefused('entry out of bounds');
    const data = buf.subarray(start, start + packed);
    let content: Buffer;
    if (method === 0) content = data;
    else if (method === 8) {
      try {
        content = inflateRawSync(data, { maxOutputLength: Math.max(1, budget) });
      } catch {
        throw new ZipRefused('an entry does not unpack within the limit');
      }
    } else throw new ZipRefused(`compression method ${method}`);
    if (content.length !== unpacked) throw new ZipRefused('an entry unpacks to another size than it says');
    budget -= content.length;
    out.set(name, content);
  }
  return out;
}

const RANGE = /\$?([A-Z]{1,3})\$?(\d{1,7}):\$?([A-Z]{1,3})\$?(\d{1,7})/g;
const column = (letters: string): number => [...letters].reduce((n, c) => n * 26 + c.charCodeAt(0) - 64, 0);

/** Throws ZipRefused when a sheet or the workbook names a cell range of more than `maxCells` cells. */
export function checkRanges(entries: Map<string, Buffer>, maxCells: number): void {
  for (const [name, content] of entries) {
    if (!/^xl\/(workbook|worksheets\/[^/]+)\.xml$/.test(name)) continue;
    for (const m of content.toString('utf8').matchAll(RANGE)) {
      const cols = Math.abs(column(m[3] ?? '') - column(m[1] ?? '')) + 1;
      const rows = Math.abs(Number(m[4]) - Number(m[2])) + 1;
      if (cols * rows > maxCells) throw new ZipRefused(`${name} names the range ${m[0]}`);
    }
  }
}
