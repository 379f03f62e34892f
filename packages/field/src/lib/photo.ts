/**
 * Photos are shrunk on the phone before they are stored: at most 1280 px on the long side, JPEG
 * at quality 0.6 (a few hundred KB at most, usually far less), named by their SHA-256.
 */
import type { LocalFile } from '../sync/types.ts';

export const MAX_SIDE = 1280;
export const QUALITY = 0.6;

export function scaledSize(width: number, height: number, max = MAX_SIDE): { width: number; height: number } {
  const k = Math.min(1, max / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * k)), height: Math.max(1, Math.round(height * k)) };
}

export async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function compressPhoto(file: Blob): Promise<LocalFile> {
  const bitmap = await createImageBitmap(file);
  const size = scaledSize(bitmap.width, bitmap.height);
  const canvas = document.createElement('canvas');
  canvas.width = size.width;
  canvas.height = size.height;
  const g = canvas.getContext('2d');
  if (!g) throw new Error('no canvas');
  g.drawImage(bitmap, 0, 0, size.width, size.height);
  bitmap.close();
  const blob = await new Promise<Blob>((res, rej) => canvas.toBlob((b) => (b ? res(b) : rej(new Error('encode failed'))), 'image/jpeg', QUALITY));
  const bytes = await blob.arrayBuffer();
  return { sha256: await sha256Hex(bytes), type: 'image/jpeg', bytes: blob.size, body: blob };
}
