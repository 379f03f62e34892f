/**
 * The app icons, drawn at build time as PNG (no image tool needed): a green square with a white
 * bridge (an arch over a deck) — "Cầu Số" means "digital bridge". Maskable: the drawing stays
 * inside the central safe zone.
 */
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** An RGB PNG of `size` pixels, each pixel from paint(x, y) in [0,1) coordinates. */
function png(size, paint) {
  const rows = Buffer.alloc((size * 3 + 1) * size);
  for (let y = 0; y < size; y++) {
    rows[y * (size * 3 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const [r, g, b] = paint((x + 0.5) / size, (y + 0.5) / size);
      const o = y * (size * 3 + 1) + 1 + x * 3;
      rows[o] = r;
      rows[o + 1] = g;
      rows[o + 2] = b;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

const GREEN = [0x0b, 0x6e, 0x4f];
const WHITE = [0xff, 0xff, 0xff];

function bridge(x, y) {
  const deck = y > 0.6 && y < 0.66 && x > 0.2 && x < 0.8;
  const dx = (x - 0.5) / 0.28;
  const archY = 0.62 - 0.22 * Math.sqrt(Math.max(0, 1 - dx * dx));
  const arch = Math.abs(dx) <= 1 && Math.abs(y - archY) < 0.025;
  const pillar = (Math.abs(x - 0.26) < 0.02 || Math.abs(x - 0.74) < 0.02) && y > 0.6 && y < 0.76;
  return deck || arch || pillar ? WHITE : GREEN;
}

export const ICONS = [
  { name: 'icon-192.png', size: 192 },
  { name: 'icon-512.png', size: 512 },
];

export function drawIcon(size) {
  return png(size, bridge);
}
