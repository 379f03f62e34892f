/** Small page helpers shared by the page tests: a scanned paper to upload, hidden form values. */
import sharp from 'sharp';
export { csrfFrom as csrfIn } from './webServer.ts';

/** A small scan of a paper (a light PNG page), for upload tests. */
export function scanPng(width = 320, height = 440): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 250, g: 248, b: 240 } } })
    .png()
    .toBuffer();
}

/** The value of a hidden field (a transaction id, a step) in a rendered form. */
export function hiddenValue(html: string, name: string): string {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!m?.[1]) throw new Error(`no hidden field ${name} in the page`);
  return m[1];
}
